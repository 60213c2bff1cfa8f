import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Context } from 'aws-lambda';
import { AutomationFields } from '#shared/automations/model';
import type { IncomingEvent } from '#shared/engine/engine';
import { DynamoAutomationStore } from '#shared/stores/automation-store';
import { createCrmStores, type CrmStores } from '#shared/stores/crm-stores';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Execution } from '#shared/automations/execution';
import { lambdaHandler, METRICS_NAMESPACE, powertoolsRunMetrics } from '#shared/wiring/lambda';
import { composeRunner } from '#shared/wiring/runner';
import { AUTOMATIONS_TABLE, EXECUTIONS_TABLE } from '#infra/tables';
import { actionWorld, detailOf } from '../support/action-world.ts';
import { freshTables } from '../support/dynamo.ts';

/**
 * A runner as its Lambda entry builds it: the environment read by the kind's schema, the clients
 * from the SDK's defaults (the endpoint variable points them at DynamoDB Local, as nothing else
 * would), Powertools' Logger and Metrics writing to stdout, as in Lambda.
 */
let tables: Awaited<ReturnType<typeof freshTables>>;
let stores: CrmStores;
let environment: Record<string, string>;

beforeAll(async () => {
  tables = await freshTables();
  stores = createCrmStores(tables.doc, tables.crmTable);
  environment = {
    AWS_ENDPOINT_URL_DYNAMODB: tables.endpoint,
    CRM_TABLE_NAME: tables.crmTable,
    AUTOMATIONS_TABLE_NAME: tables.names[AUTOMATIONS_TABLE.envVar]!,
    EXECUTIONS_TABLE_NAME: tables.names[EXECUTIONS_TABLE.envVar]!,
    SCHEDULE_GROUP_NAME: 'test-waits',
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/test-scheduler',
    WAKE_FUNCTION_ARN: 'arn:aws:lambda:eu-central-1:000000000000:function:test-wake-run',
    WAKE_DLQ_ARN: 'arn:aws:sqs:eu-central-1:000000000000:test-wake-dead-letters',
    POWERTOOLS_SERVICE_NAME: 'deal-runner',
    // What Lambda sets for an on-demand container: Powertools counts its first invocation as a cold start.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  };
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** Every line the invocation wrote to stdout or stderr, parsed: Powertools' log lines and EMF blobs; a line that is not JSON as `{ notJson }`. */
function captureLines() {
  const lines: Array<Record<string, any>> = [];
  const keep = (chunk: unknown) => {
    for (const line of String(chunk).split('\n')) {
      if (line.trim() === '') continue;
      try {
        lines.push(JSON.parse(line));
      } catch {
        lines.push({ notJson: line });
      }
    }
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  return lines;
}

const context = (requestId: string) => ({ awsRequestId: requestId, functionName: 'deal-runner', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-central-1:000000000000:function:deal-runner', memoryLimitInMB: '512', getRemainingTimeInMillis: () => 60_000 }) as unknown as Context;

describe('a Lambda entry (runner) wired by lambdaHandler', () => {
  it('refuses to start without its environment, naming every missing variable', () => {
    for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, name === 'WAKE_DLQ_ARN' || name === 'CRM_TABLE_NAME' ? undefined : value);
    expect(() => lambdaHandler('runner', composeRunner)).toThrow(/runner function's environment is incomplete: CRM_TABLE_NAME is not set; WAKE_DLQ_ARN is not set$/);
  });

  it('refuses a malformed number rather than running with NaN', () => {
    for (const [name, value] of Object.entries({ ...environment, EXECUTION_RETENTION_DAYS: 'ninety' })) vi.stubEnv(name, value);
    expect(() => lambdaHandler('runner', composeRunner)).toThrow(/EXECUTION_RETENTION_DAYS is invalid \(A whole number\)/);
  });

  it('runs the automation, logs at the level each line claims with the event\'s correlation keys, and counts the run and its steps', async () => {
    for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
    const w = await actionWorld(stores);
    const automations = new DynamoAutomationStore(tables.doc, environment.AUTOMATIONS_TABLE_NAME!);
    const ok = await automations.create(w.t, AutomationFields.parse({ name: 'Aufgabe', trigger: { event: 'ContactCreated' }, enabled: true, actions: [{ type: 'create_task', assignee: 'contact_owner', title: 'Anrufen' }] }));
    // A second one whose task has no one to go to: its run is skipped (nothing went wrong: INFO, with the reason).
    const skipped = await automations.create(w.t, AutomationFields.parse({ name: 'Ohne Empfänger', trigger: { event: 'ContactCreated' }, enabled: true, actions: [{ type: 'create_task', assignee: 'property_contact_person', title: 'Objekt prüfen' }] }));
    const handler = lambdaHandler('runner', composeRunner);
    const event: IncomingEvent = { source: 'crm.contacts', 'detail-type': 'ContactCreated', detail: detailOf(w.t, { contact: w.contact, eventKey: 'wiring#1' }) };

    const lines = captureLines();
    const outcomes = await handler(event, context('req-1'));
    vi.restoreAllMocks();

    expect(outcomes.map((o) => [o.automationId, o.status]).sort()).toEqual([[ok.id, 'succeeded'], [skipped.id, 'skipped']].sort());
    expect(await stores.tasks.list(w.t, {})).toMatchObject({ items: [{ title: 'Anrufen', assigneeId: w.anna.id }] });

    // Structured lines only: no plain-text warning of Powertools' (an invocation that stored no metric of its own).
    expect(lines.filter((line) => 'notJson' in line)).toEqual([]);
    const runs = lines.filter((line) => line.message === 'Automation run');
    expect(runs).toHaveLength(2);
    for (const line of runs) {
      // Powertools' keys, the invocation's correlation keys, and the entry's own.
      expect(line).toMatchObject({ service: 'deal-runner', function_request_id: 'req-1', cold_start: true, tenantId: w.t, eventKey: 'wiring#1', detailType: 'ContactCreated' });
      expect(line.executionId).toMatch(/^x/);
    }
    expect(runs.find((line) => line.automationId === ok.id)).toMatchObject({ level: 'INFO', status: 'succeeded' });
    expect(runs.find((line) => line.automationId === skipped.id)).toMatchObject({ level: 'INFO', status: 'skipped', reason: expect.any(String) });

    // EMF: one blob per dimension set, in the stack's namespace.
    const metrics = lines.filter((line) => line._aws?.CloudWatchMetrics?.[0]?.Namespace === METRICS_NAMESPACE);
    const count = (metric: string, dimensions: Record<string, string>) =>
      metrics.filter((m) => metric in m && Object.entries(dimensions).every(([k, v]) => m[k] === v)).reduce((sum, m) => sum + m[metric], 0);
    expect(count('Runs', { status: 'succeeded' })).toBe(1);
    expect(count('Runs', { status: 'skipped' })).toBe(1);
    expect(count('Steps', { action: 'create_task', status: 'succeeded' })).toBe(1);
    expect(count('Steps', { action: 'create_task', status: 'skipped' })).toBe(1);
    expect(metrics.some((m) => m.ColdStart === 1)).toBe(true);
  });

  it('resets the correlation keys after each invocation, so the next event\'s lines do not carry the last one\'s', async () => {
    for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
    const handler = lambdaHandler('runner', composeRunner);
    const first = captureLines();
    await handler({ source: 'crm.contacts', 'detail-type': 'ContactCreated', detail: { tenantId: 'x', eventKey: 'first' } }, context('req-a'));
    vi.restoreAllMocks();
    const second = captureLines();
    await handler({ source: 'crm.contacts', 'detail-type': 'ContactCreated', detail: { nonsense: true } }, context('req-b'));
    vi.restoreAllMocks();
    // Both details fail the catalogue: each is dropped with a line at ERROR (not INFO), of its own invocation.
    expect(first.find((line) => line.message?.startsWith('Event detail'))).toMatchObject({ level: 'ERROR', eventKey: 'first', function_request_id: 'req-a' });
    expect([...first, ...second].filter((line) => 'notJson' in line)).toEqual([]);
    const dropped = second.find((line) => line.message?.startsWith('Event detail'));
    expect(dropped).toMatchObject({ level: 'ERROR', function_request_id: 'req-b' });
    expect(dropped).not.toHaveProperty('eventKey');
  });
});

describe('the run metrics', () => {
  const run = (fields: Partial<Execution>) => ({ status: 'running', eventType: 'ContactCreated', steps: [], ...fields }) as unknown as Execution;
  const step = (type: string, status: string) => ({ index: 0, type, status, attempts: 1 });

  it('count a run that failed twice for a transient cause and then succeeded once as succeeded, its retries apart', () => {
    const lines = captureLines();
    const metrics = powertoolsRunMetrics(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'deal-runner' }));
    const throttled = run({ status: 'failed', retryable: true, steps: [step('send_email', 'failed')] as never });
    metrics.recorded(throttled);
    metrics.recorded(throttled);
    metrics.recorded(run({ status: 'succeeded', durationMs: 840, steps: [step('send_email', 'succeeded')] as never }));
    vi.restoreAllMocks();
    const runs = lines.filter((l) => 'Runs' in l).map((l) => l.status);
    expect(runs).toEqual(['retrying', 'retrying', 'succeeded']);
    expect(lines.filter((l) => 'Steps' in l).map((l) => [l.action, l.status])).toEqual([['send_email', 'succeeded']]);
    expect(lines.find((l) => 'RunDuration' in l)).toMatchObject({ RunDuration: 840, trigger: 'ContactCreated' });
  });

  it('leave out the duration of a run that waited (days, not the seconds of the others)', () => {
    const lines = captureLines();
    powertoolsRunMetrics(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'wake-run' })).recorded(
      run({ status: 'succeeded', durationMs: 86_400_000, steps: [step('wait', 'succeeded'), step('create_task', 'succeeded')] as never }),
    );
    vi.restoreAllMocks();
    expect(lines.filter((l) => 'Runs' in l)).toHaveLength(1);
    expect(lines.some((l) => 'RunDuration' in l)).toBe(false);
  });
});
