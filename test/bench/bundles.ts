import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { BUNDLE_EXTERNALS, BUNDLE_KEEP_NAMES, PROVIDED_MODULES } from '#infra/bundling';
import { median, round } from './support.ts';

const ROOT = join(import.meta.dirname, '../..');

/** Env every handler needs at module scope (values only have to be present). */
const ENV = {
  AWS_REGION: 'eu-central-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  CRM_TABLE_NAME: 'CrmTable',
  AUTOMATIONS_TABLE_NAME: 'AutomationsTable',
  EXECUTIONS_TABLE_NAME: 'ExecutionsTable',
  EVENT_BUS_NAME: 'crm',
  POISON_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/000000000000/bench',
  INBOUND_BUCKET: 'bench',
  SES_IDENTITY_ARN_PREFIX: 'arn:aws:ses:eu-central-1:000000000000:identity/',
  PLATFORM_INBOUND_DOMAIN: 'inbound.crm.example',
  SCHEDULE_GROUP_NAME: 'bench-waits',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/bench-scheduler',
  WAKE_FUNCTION_ARN: 'arn:aws:lambda:eu-central-1:000000000000:function:bench-wake-run',
  WAKE_DLQ_ARN: 'arn:aws:sqs:eu-central-1:000000000000:bench-wake-dead-letters',
  SES_CONFIGURATION_SET: 'bench-events',
  CORS_ORIGINS: 'https://crm.example',
};

/**
 * Section 4: each Lambda bundled as the CDK construct bundles it (ESM, node22, minified, the AWS
 * SDK from the runtime), its minified size from esbuild's metafile, and its module init time in a
 * fresh Node process (medians of `samples`): the AWS SDK's part (loaded first, as the runtime
 * provides it), the bundle's own, and their sum; and the CPU time of the bundle's own init.
 */
export async function bundles(samples = 5): Promise<Array<{ fn: string; bytes: number; kb: number; initMs: number; sdkMs: number; ownMs: number; ownCpuMs: number }>> {
  const out = join(ROOT, '.bench');
  mkdirSync(out, { recursive: true });
  const rows = [];
  for (const fn of readdirSync(join(ROOT, 'functions')).sort()) {
    const outfile = join(out, `${fn}.mjs`);
    const result = await esbuild.build({
      entryPoints: [join(ROOT, 'functions', fn, 'handler.ts')],
      bundle: true,
      minify: true,
      keepNames: BUNDLE_KEEP_NAMES,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      mainFields: ['module', 'main'],
      external: BUNDLE_EXTERNALS,
      banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
      outfile,
      metafile: true,
      logLevel: 'silent',
    });
    const output = result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => k.endsWith('.mjs'))!]!;
    // The AWS SDK (the Lambda runtime's) and Powertools (its layer's) are not in the bundle: a fresh
    // process loads them first, then the bundle, so the second time is the bundle's own init.
    const sdk = [...new Set(output.imports.filter((i) => i.external && PROVIDED_MODULES.some((prefix) => i.path.startsWith(prefix))).map((i) => i.path))];
    // Wall time, and the CPU time the process spent (which other processes on a busy machine do not inflate).
    const script = [
      'const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };',
      'const t0 = performance.now(), c0 = cpu();',
      ...sdk.map((p) => `await import(${JSON.stringify(p)});`),
      'const t1 = performance.now(), c1 = cpu();',
      `await import(${JSON.stringify(outfile)});`,
      'process.stdout.write(JSON.stringify([t1 - t0, performance.now() - t1, cpu() - c1]));',
    ].join(' ');
    const samplesOf: [number[], number[], number[]] = [[], [], []];
    for (let i = 0; i < samples; i++) {
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, ...ENV }, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`${fn} failed to initialise: ${run.stderr.slice(-1_000)}`);
      (JSON.parse(run.stdout) as number[]).forEach((ms, k) => samplesOf[k]!.push(ms));
    }
    const [sdkMs, ownMs, ownCpuMs] = samplesOf.map(median) as [number, number, number];
    rows.push({ fn, bytes: output.bytes, kb: round(output.bytes / 1024, 1), initMs: round(sdkMs + ownMs, 1), sdkMs: round(sdkMs, 1), ownMs: round(ownMs, 1), ownCpuMs: round(ownCpuMs, 1) });
  }
  writeFileSync(join(out, '.keep'), '');
  return rows;
}
