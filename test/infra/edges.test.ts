import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import * as esbuild from 'esbuild';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES } from '#events/rules';
import { APP_TAGS, buildApp, DEFAULT_REGION } from '#infra/build-app';
import { BUNDLE_EXTERNALS, BUNDLE_KEEP_NAMES } from '#infra/bundling';
import { ACCESS_LOG_FIELDS } from '#infra/constructs/api';
import { SEND_CONCURRENCY, sendConcurrency } from '#infra/constructs/send-rate';
import { SYNTH_CONTEXT, synthStack } from '../support/synth.ts';

const ROOT = join(import.meta.dirname, '../..');
let synth: ReturnType<typeof synthStack>;
let template: Template;
beforeAll(() => {
  synth = synthStack();
  template = synth.template();
});

const all = (type: string) => Object.entries(template.findResources(type)) as Array<[string, { Properties: any }]>;
const find = (type: string, idPart: string) => all(type).find(([id]) => id.includes(idPart))!;
const outdir = () => mkdtempSync(join(tmpdir(), 'cdk-'));

describe('the birthday check', () => {
  it('sends a run that still throws after Lambda\'s retries to an alarmed on-failure queue', () => {
    const [fnId] = find('AWS::Lambda::Function', 'BirthdaysHandlerFn');
    const [queueId] = find('AWS::SQS::Queue', 'BirthdaysOnFailure');
    const [, config] = all('AWS::Lambda::EventInvokeConfig').find(([, c]) => c.Properties.FunctionName.Ref === fnId)!;
    expect(config.Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }] });
    // The function may send there, and the schedule's own dead-letter queue is another queue.
    const [, policy] = find('AWS::IAM::Policy', 'BirthdaysHandlerRole');
    expect(JSON.stringify(policy.Properties.PolicyDocument.Statement)).toContain(queueId);
    const [, schedule] = find('AWS::Scheduler::Schedule', 'Birthdays');
    expect(schedule.Properties.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0]).not.toBe(queueId);
  });
});

describe('the API function\'s resource policy', () => {
  it('has exactly one statement for API Gateway, covering every route of the API', () => {
    const [fnId] = find('AWS::Lambda::Function', 'ApiHandlerFn');
    const [apiId] = find('AWS::ApiGatewayV2::Api', 'HttpApi');
    const permissions = all('AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties.FunctionName).includes(fnId));
    expect(permissions).toHaveLength(1);
    expect(permissions[0]![1].Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
      SourceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:execute-api:${DEFAULT_REGION}:`, { Ref: 'AWS::AccountId' }, ':', { Ref: apiId }, '/*/*']] },
    });
    // Still one integration behind all the routes.
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
  });
});

describe('the region', () => {
  const saved = process.env.CRM_REGION;
  afterEach(() => {
    if (saved === undefined) delete process.env.CRM_REGION;
    else process.env.CRM_REGION = saved;
  });

  it('must be chosen: no synth without context region or CRM_REGION, whatever CDK_DEFAULT_REGION says', () => {
    delete process.env.CRM_REGION;
    const before = process.env.CDK_DEFAULT_REGION;
    process.env.CDK_DEFAULT_REGION = 'us-east-1';
    try {
      expect(() => buildApp({ outdir: outdir(), context: { 'aws:cdk:bundling-stacks': [] } })).toThrow(/No region chosen: pass -c region=eu-central-1 \(or set CRM_REGION=eu-central-1\)/);
    } finally {
      if (before === undefined) delete process.env.CDK_DEFAULT_REGION;
      else process.env.CDK_DEFAULT_REGION = before;
    }
  });

  it('is taken from CRM_REGION or the context, and must look like a region', () => {
    process.env.CRM_REGION = 'eu-west-1';
    expect(buildApp({ outdir: outdir(), context: { 'aws:cdk:bundling-stacks': [] } }).stack.region).toBe('eu-west-1');
    expect(buildApp({ outdir: outdir(), context: { ...SYNTH_CONTEXT, region: 'eu-central-1' } }).stack.region).toBe('eu-central-1');
    expect(() => buildApp({ outdir: outdir(), context: { ...SYNTH_CONTEXT, region: 'frankfurt' } })).toThrow(/not an AWS region/);
  });

  it('is eu-central-1 in the tests, as documented', () => {
    expect(synth.stack.region).toBe('eu-central-1');
  });
});

describe('CORS', () => {
  it('refuses a wildcard origin', () => {
    expect(() => buildApp({ outdir: outdir(), context: { ...SYNTH_CONTEXT, corsOrigins: ['*'] } })).toThrow(/wildcard origin is refused/);
    expect(() => buildApp({ outdir: outdir(), context: { ...SYNTH_CONTEXT, corsOrigins: '["https://crm.example","*"]' } })).toThrow(/wildcard origin is refused/);
    const { stack } = buildApp({ outdir: outdir(), context: SYNTH_CONTEXT });
    expect(() => stack.api.allowOrigin('https://*.crm.example')).toThrow(/refused/);
  });

  it('reads the CLI\'s string context (JSON or comma-separated)', () => {
    const { stack } = buildApp({ outdir: outdir(), context: { ...SYNTH_CONTEXT, corsOrigins: 'https://a.example, https://b.example' } });
    const cors = stack.resolve((stack.api.httpApi.node.defaultChild as any).corsConfiguration) as { allowOrigins: unknown[] };
    expect(cors.allowOrigins.slice(0, 2)).toEqual(['https://a.example', 'https://b.example']);
  });

  it('never falls back to *', () => {
    const [, api] = find('AWS::ApiGatewayV2::Api', 'HttpApi');
    expect(JSON.stringify(api.Properties.CorsConfiguration.AllowOrigins)).not.toContain('"*"');
  });
});

describe('reserved concurrency of the sending functions', () => {
  it('is ceil(sesMaxSendRate × 0.5 s), between 2 and 100', () => {
    expect(sendConcurrency()).toBe(7);
    expect(sendConcurrency(SEND_CONCURRENCY.defaultSesMaxSendRate)).toBe(7);
    expect(sendConcurrency(1)).toBe(2);
    expect(sendConcurrency(50)).toBe(25);
    expect(sendConcurrency(10_000)).toBe(100);
    expect(() => sendConcurrency(0)).toThrow(/positive/);
    expect(() => sendConcurrency(Number.NaN)).toThrow(/positive/);
  });

  it('is set on every runner and on wake-run, from the default rate', () => {
    const senders = all('AWS::Lambda::Function').filter(([id]) => /RunnerFn|WakeRunFn/.test(id));
    expect(senders).toHaveLength(FAMILIES.length + 1);
    for (const [id, fn] of senders) expect(fn.Properties.ReservedConcurrentExecutions, id).toBe(7);
    const [, api] = find('AWS::Lambda::Function', 'ApiHandlerFn');
    expect(api.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('follows the sesMaxSendRate context', () => {
    const { stack } = buildApp({ outdir: outdir(), context: { ...SYNTH_CONTEXT, sesMaxSendRate: '40' } });
    const fn = stack.automations.runners.deals.fn.node.defaultChild as any;
    expect(fn.reservedConcurrentExecutions).toBe(20);
    expect(() => buildApp({ outdir: outdir(), context: { ...SYNTH_CONTEXT, sesMaxSendRate: 'fast' } })).toThrow(/sesMaxSendRate/);
  });
});

describe('Cognito\'s mail', () => {
  it('goes through SES from the sender the context names, on its verified domain; without one a warning says so', () => {
    const { stack } = buildApp({ outdir: outdir(), context: { ...SYNTH_CONTEXT, cognitoSenderAddress: 'no-reply@crm.example' } });
    const pool = stack.api.userPool.node.defaultChild as any;
    expect(pool.emailConfiguration).toMatchObject({ emailSendingAccount: 'DEVELOPER', from: 'CRM <no-reply@crm.example>' });
    expect(JSON.stringify(stack.resolve(pool.emailConfiguration.sourceArn))).toContain('identity/crm.example');
    expect(() => buildApp({ outdir: outdir(), context: { ...SYNTH_CONTEXT, cognitoSenderAddress: 'not an address' } })).toThrow(/cognitoSenderAddress/);
    const plain = buildApp({ outdir: outdir(), context: SYNTH_CONTEXT });
    const warnings = plain.stack.api.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings.some((w) => w.includes('cognitoSenderAddress'))).toBe(true);
  });
});

describe('bundles', () => {
  it('keep class names through minification (keepNames), in the construct as in the option', async () => {
    expect(BUNDLE_KEEP_NAMES).toBe(true);
    expect(readFileSync(join(ROOT, 'infra/constructs/crm-function.ts'), 'utf8')).toMatch(/keepNames: BUNDLE_KEEP_NAMES/);
    const dir = mkdtempSync(join(tmpdir(), 'crm-keep-names-'));
    await esbuild.build({
      // An error class as the engine's are, used across a module boundary so the minifier renames it.
      stdin: { contents: "class BirthdayPublishError extends Error {}\nexport const make = () => new BirthdayPublishError('x');\nconsole.log(make().constructor.name);\n", resolveDir: ROOT, loader: 'ts', sourcefile: 'keep-names.ts' },
      bundle: true, minify: true, keepNames: BUNDLE_KEEP_NAMES, platform: 'node', format: 'esm', target: 'node22', external: BUNDLE_EXTERNALS,
      banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
      outfile: join(dir, 'check.mjs'), logLevel: 'silent',
    });
    const run = spawnSync(process.execPath, [join(dir, 'check.mjs')], { cwd: dir, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('BirthdayPublishError');
  });
});

describe('tags', () => {
  it('are on every taggable resource', () => {
    const resources = Object.entries(template.toJSON().Resources as Record<string, { Type: string; Properties?: any }>);
    const tagged = resources.filter(([, r]) => r.Properties?.Tags);
    expect(tagged.length).toBeGreaterThan(40);
    for (const [id, resource] of tagged) {
      const tags = resource.Properties.Tags;
      const value = (key: string) => (Array.isArray(tags) ? tags.find((t: any) => t.Key === key)?.Value : tags[key]);
      for (const [key, expected] of Object.entries(APP_TAGS)) expect(value(key), `${id} ${key}`).toBe(expected);
    }
    for (const type of ['AWS::Lambda::Function', 'AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::Events::EventBus', 'AWS::IAM::Role', 'AWS::Logs::LogGroup', 'AWS::KMS::Key']) {
      for (const [id, resource] of resources.filter(([, r]) => r.Type === type)) expect(resource.Properties?.Tags, `${type} ${id}`).toBeDefined();
    }
  });
});

describe('API access logs', () => {
  it('are one JSON object per request, with the request id, in a log group with a retention', () => {
    const [logsId, group] = find('AWS::Logs::LogGroup', 'ApiAccessLogs');
    expect(group.Properties.RetentionInDays).toBe(90);
    const [, stage] = find('AWS::ApiGatewayV2::Stage', 'DefaultStage');
    expect(stage.Properties.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [logsId, 'Arn'] });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', routeKey: '$context.routeKey', responseLatency: '$context.responseLatency' });
  });
});

describe('cdk-nag', () => {
  it('stays clean with the monitoring and the edges', () => {
    const withAlarms = synthStack({ alarmEmails: ['ops@crm.example'], corsOrigins: ['https://crm.example'], sesMaxSendRate: 40 });
    expect(withAlarms.validationError).toBeUndefined();
    for (const s of [synth, withAlarms]) {
      const report = JSON.parse(readFileSync(join(s.outdir, 'validation-report.json'), 'utf8'));
      expect(report.pluginReports.flatMap((r: any) => r.violations)).toEqual([]);
    }
  });
});
