import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { BUNDLE_EXTERNALS, BUNDLE_KEEP_NAMES } from '#infra/bundling';
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
};

/**
 * Section 4: each Lambda bundled as the CDK construct bundles it (ESM, node22, minified, the AWS
 * SDK from the runtime), its minified size from esbuild's metafile, and its module init time in a
 * fresh Node process (median of 5).
 */
export async function bundles(): Promise<Array<{ fn: string; bytes: number; kb: number; initMs: number; sdkMs: number; ownMs: number }>> {
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
    // The AWS SDK is not in the bundle (the Lambda runtime provides it); time its loading apart.
    const sdk = [...new Set(output.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path))];
    const time = (body: string) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const run = spawnSync(process.execPath, ['--input-type=module', '-e', `const t = performance.now(); ${body}; process.stdout.write(String(performance.now() - t));`], {
          cwd: ROOT,
          env: { ...process.env, ...ENV },
          encoding: 'utf8',
        });
        if (run.status !== 0) throw new Error(`${fn} failed to initialise: ${run.stderr}`);
        times.push(Number(run.stdout));
      }
      return median(times);
    };
    const initMs = time(`await import(${JSON.stringify(outfile)})`);
    const sdkMs = sdk.length ? time(sdk.map((p) => `await import(${JSON.stringify(p)})`).join('; ')) : 0;
    rows.push({ fn, bytes: output.bytes, kb: round(output.bytes / 1024, 1), initMs: round(initMs, 1), sdkMs: round(sdkMs, 1), ownMs: round(initMs - sdkMs, 1) });
  }
  writeFileSync(join(out, '.keep'), '');
  return rows;
}
