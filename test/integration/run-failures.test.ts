import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTOMATIONS_TABLE, EXECUTIONS_TABLE } from '#infra/tables';
import type { Execution, StepRecord } from '#shared/automations/execution';
import { AutomationFields } from '#shared/automations/model';
import { emailActivityId } from '#shared/engine/actions/send-email';
import { executionIdOf } from '#shared/engine/execution-id';
import { scheduleNameOf } from '#shared/engine/wake-input';
import { createRunFailures, createRunFailuresHandler, parseFailureRecord } from '#shared/engine/run-failures';
import { DynamoAutomationStore } from '#shared/stores/automation-store';
import { createCrmStores, type CrmStores } from '#shared/stores/crm-stores';
import { DynamoExecutionStore } from '#shared/stores/execution-store';
import { freshTables, tenant } from '../support/dynamo.ts';

let automations: DynamoAutomationStore;
let executions: DynamoExecutionStore;
let stores: CrmStores;
const quiet = () => undefined;

beforeAll(async () => {
  const ctx = await freshTables();
  automations = new DynamoAutomationStore(ctx.doc, ctx.names[AUTOMATIONS_TABLE.envVar]!);
  executions = new DynamoExecutionStore(ctx.doc, ctx.names[EXECUTIONS_TABLE.envVar]!, ctx.names[AUTOMATIONS_TABLE.envVar]!);
  stores = createCrmStores(ctx.doc, ctx.crmTable);
});

const mailStep = { type: 'send_email', to: 'contact', subject: 'Hallo', body: 'Guten Tag' };
const taskStep = { type: 'create_task', assignee: 'contact_owner', title: 'Anrufen' };

async function automation(t: string, actions: unknown[], event = 'ContactCreated') {
  return automations.create(t, AutomationFields.parse({ name: `Auto ${actions.length}`, trigger: { event }, actions, enabled: true }));
}

/** The run of `automationId` for `eventKey`, begun as the engine begins it, then as `patch` leaves it. */
async function openRun(t: string, automationId: string, eventKey: string, steps: Array<Partial<StepRecord> & { type: string }>, patch: Partial<Execution> = {}) {
  const at = new Date(Date.now() - 60_000).toISOString();
  const begun: Execution = {
    id: executionIdOf(t, automationId, eventKey), tenantId: t, version: 1, createdAt: at, updatedAt: at, automationId, automationName: 'Auto', automationVersion: 1,
    eventKey, eventType: 'ContactCreated', event: { tenantId: t, eventKey }, status: 'running', attempts: 1, depth: 0, startedAt: at,
    steps: steps.map((s, index) => ({ index, status: 'pending', attempts: 0, ...s }) as StepRecord),
  };
  expect(await executions.begin(begun)).toEqual({ claimed: true });
  if (Object.keys(patch).length === 0) return begun;
  return executions.checkpoint({ ...begun, ...patch });
}

const failedEvent = (t: string, eventKey: string, type = 'ContactCreated') => ({ event: { source: 'crm.contacts', 'detail-type': type, detail: { tenantId: t, eventKey } }, reason: 'RetriesExhausted after 3 attempts: Throttling: Maximum sending rate exceeded.' });

describe('closing the runs a runner gave up on', () => {
  it('marks a run left failed and retryable as failed for good, with the reason and the automation\'s last run', async () => {
    const t = tenant();
    const auto = await automation(t, [mailStep]);
    await openRun(t, auto.id, 'k1', [{ type: 'send_email', status: 'failed', attempts: 3, error: 'Throttling' }], { status: 'failed', retryable: true, error: 'Throttling', attempts: 3 });

    const closed = await createRunFailures({ automations, executions, stores, log: quiet }).close(failedEvent(t, 'k1'));
    expect(closed).toEqual([{ automationId: auto.id, executionId: executionIdOf(t, auto.id, 'k1'), status: 'failed' }]);
    const run = await executions.require(t, executionIdOf(t, auto.id, 'k1'));
    expect(run).toMatchObject({ status: 'failed', retryable: false, error: expect.stringMatching(/^Given up after the retries: RetriesExhausted after 3 attempts: Throttling/), finishedAt: expect.any(String) });
    expect(await automations.require(t, auto.id)).toMatchObject({ lastRunStatus: 'failed', lastExecutionId: run.id, lastError: run.error, runCount: 1, failureCount: 1 });
    expect((await executions.list(t, { status: 'running' })).items).toEqual([]);
  });

  it('closes a run left running with an interrupted send as uncertain, never as sent', async () => {
    const t = tenant();
    const auto = await automation(t, [mailStep]);
    await openRun(t, auto.id, 'k2', [{ type: 'send_email', status: 'started', attempts: 1 }], {});
    await createRunFailures({ automations, executions, stores, log: quiet }).close(failedEvent(t, 'k2'));
    const run = await executions.require(t, executionIdOf(t, auto.id, 'k2'));
    expect(run).toMatchObject({ status: 'uncertain', retryable: false, steps: [{ status: 'uncertain' }], reason: expect.stringMatching(/^A send was interrupted/) });
    expect(await automations.require(t, auto.id)).toMatchObject({ lastRunStatus: 'uncertain', uncertainCount: 1, runCount: 1 });
  });

  it('takes a recorded e-mail activity as proof of the send, and a run whose every step finished as succeeded', async () => {
    const t = tenant();
    const auto = await automation(t, [mailStep]);
    const begun = await openRun(t, auto.id, 'k3', [{ type: 'send_email', status: 'started', attempts: 1 }], {});
    await stores.activities.create(t, { type: 'email', contactIds: [], title: 'Hallo', recipient: 'erika@example.com', automationName: 'Auto' }, { id: emailActivityId(begun.id, 0) });
    await createRunFailures({ automations, executions, stores, log: quiet }).close(failedEvent(t, 'k3'));
    expect(await executions.require(t, begun.id)).toMatchObject({ status: 'succeeded', retryable: false, steps: [{ status: 'succeeded' }] });
  });

  it('says partial when a step changed something before the run stopped', async () => {
    const t = tenant();
    const auto = await automation(t, [taskStep, mailStep]);
    await openRun(t, auto.id, 'k4', [{ type: 'create_task', status: 'succeeded', attempts: 1, result: { taskId: 'x' } }, { type: 'send_email', status: 'failed', attempts: 1, error: 'Throttling' }], { status: 'partial', retryable: true });
    await createRunFailures({ automations, executions, stores, log: quiet }).close(failedEvent(t, 'k4'));
    expect(await executions.require(t, executionIdOf(t, auto.id, 'k4'))).toMatchObject({ status: 'partial', retryable: false, steps: [{ status: 'succeeded' }, { status: 'failed' }] });
  });

  it('leaves finished runs, other events\' runs and other types\' automations alone; a second record changes nothing', async () => {
    const t = tenant();
    const auto = await automation(t, [mailStep]);
    const other = await automation(t, [mailStep], 'DealCreated');
    const done = await openRun(t, auto.id, 'k5', [{ type: 'send_email', status: 'succeeded', attempts: 1 }]);
    const finished = await executions.finish({ ...done, status: 'succeeded', finishedAt: new Date().toISOString() });
    await openRun(t, auto.id, 'k6', [{ type: 'send_email' }]);
    await openRun(t, other.id, 'k5', [{ type: 'send_email' }]);
    const runFailures = createRunFailures({ automations, executions, stores, log: quiet });
    expect(await runFailures.close(failedEvent(t, 'k5'))).toEqual([]);
    expect(await executions.require(t, finished.id)).toEqual(finished);
    expect((await executions.require(t, executionIdOf(t, auto.id, 'k6'))).status).toBe('running');
    expect((await executions.require(t, executionIdOf(t, other.id, 'k5'))).status).toBe('running');
    expect(await runFailures.close(failedEvent(t, 'k6'))).toHaveLength(1);
    expect(await runFailures.close(failedEvent(t, 'k6'))).toEqual([]);
    expect((await automations.require(t, auto.id)).runCount).toBe(2);
  });

  it('closes the run of an automation disabled since', async () => {
    const t = tenant();
    const auto = await automation(t, [mailStep]);
    await openRun(t, auto.id, 'k7', [{ type: 'send_email' }]);
    await automations.setEnabled(t, auto.id, false);
    await createRunFailures({ automations, executions, stores, log: quiet }).close(failedEvent(t, 'k7'));
    expect((await executions.require(t, executionIdOf(t, auto.id, 'k7'))).status).toBe('failed');
  });
});

describe('the run-failures function', () => {
  /** Lambda's record of an asynchronous invocation that failed, as the on-failure destination receives it. */
  const record = (detail: Record<string, unknown>) => ({
    version: '1.0',
    timestamp: '2026-11-27T09:00:00.000Z',
    requestContext: { requestId: 'r1', functionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:contacts-runner:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload: { version: '0', id: 'e1', 'detail-type': 'ContactCreated', source: 'crm.contacts', account: '123456789012', time: '2026-11-27T09:00:00Z', region: 'eu-central-1', resources: [], detail },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Throttling', errorMessage: 'Maximum sending rate exceeded.', trace: [] },
  });
  const sqs = (...bodies: string[]): SQSEvent => ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body }) as SQSEvent['Records'][number]) });

  it('reads Lambda\'s failure record', () => {
    expect(parseFailureRecord(JSON.stringify(record({ tenantId: 't', eventKey: 'k' })))).toEqual({
      event: expect.objectContaining({ 'detail-type': 'ContactCreated', detail: { tenantId: 't', eventKey: 'k' } }),
      reason: 'RetriesExhausted after 3 attempts: Throttling: Maximum sending rate exceeded.',
    });
    expect(parseFailureRecord('{"requestPayload": 1}')).toBeUndefined();
    expect(parseFailureRecord('not json')).toBeUndefined();
  });

  it('closes the runs of each message and reports the messages it could not handle', async () => {
    const t = tenant();
    const auto = await automation(t, [mailStep]);
    await openRun(t, auto.id, 'q1', [{ type: 'send_email' }]);
    const handler = createRunFailuresHandler({ automations, executions, stores, log: quiet });
    const result = await handler(sqs(JSON.stringify(record({ tenantId: t, eventKey: 'q1' })), 'garbage'));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(await executions.require(t, executionIdOf(t, auto.id, 'q1'))).toMatchObject({ status: 'failed', error: 'Given up after the retries: RetriesExhausted after 3 attempts: Throttling: Maximum sending rate exceeded.' });

    const broken = createRunFailuresHandler({ automations, executions: { get: () => Promise.reject(new Error('ProvisionedThroughputExceeded')), finish: executions.finish.bind(executions) }, log: quiet });
    await openRun(t, auto.id, 'q2', [{ type: 'send_email' }]);
    expect(await broken(sqs(JSON.stringify(record({ tenantId: t, eventKey: 'q2' }))))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }] });
  });
});

describe('closing a run whose wake-up failed for good', () => {
  const AT = 1_796_000_000;
  const waitStep = { type: 'wait', for: 'P1D' };
  /** A run waiting at step 0 on the schedule of `revision`. */
  async function waitingRun(t: string, eventKey: string, revision: number) {
    const auto = await automation(t, [waitStep, mailStep]);
    const resumeAt = new Date(Date.now() + 86_400_000).toISOString();
    const run = await openRun(t, auto.id, eventKey, [{ type: 'wait', status: 'waiting', attempts: 1 }, { type: 'send_email' }], {
      status: 'waiting', resumeAt, wait: { step: 0, revision, schedule: scheduleNameOf({ executionId: executionIdOf(t, auto.id, eventKey), step: 0, revision, at: AT }) },
    });
    return { auto, run };
  }

  it('reads Scheduler\'s dead letter (the schedule\'s input, the error in the attributes) and Lambda\'s record of a failed wake-run', () => {
    const wake = { tenantId: 't', executionId: 'x1', step: 1, revision: 2, at: AT };
    expect(parseFailureRecord(JSON.stringify(wake), { ERROR_MESSAGE: { stringValue: 'Lambda function not found', dataType: 'String' } as never })).toEqual({ wake, reason: 'The schedule could not wake the run: Lambda function not found' });
    const lambdaRecord = { requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 }, requestPayload: wake, responsePayload: { errorType: 'Error', errorMessage: 'Timeout' } };
    expect(parseFailureRecord(JSON.stringify(lambdaRecord))).toEqual({ wake, reason: 'RetriesExhausted after 3 attempts of the wake-up: Timeout' });
    expect(parseFailureRecord(JSON.stringify({ ...wake, step: 'one' }))).toBeUndefined();
  });

  it('closes the run still waiting on that schedule as failed, with the wait step failed; a newer schedule\'s run is left waiting', async () => {
    const t = tenant();
    const { auto, run } = await waitingRun(t, 'w1', 1);
    const failures = createRunFailures({ automations, executions, stores, log: quiet });
    // A dead letter of the schedule before the wait moved: the run waits on revision 1 now.
    expect(await failures.closeWake({ wake: { tenantId: t, executionId: run.id, step: 0, revision: 0, at: AT }, reason: 'stale' })).toBeUndefined();
    expect((await executions.require(t, run.id)).status).toBe('waiting');

    const closed = await failures.closeWake({ wake: { tenantId: t, executionId: run.id, step: 0, revision: 1, at: AT }, reason: 'The schedule could not wake the run: AccessDenied' });
    expect(closed).toEqual({ automationId: auto.id, executionId: run.id, status: 'failed' });
    const after = await executions.require(t, run.id);
    expect(after).toMatchObject({ status: 'failed', retryable: false, error: 'Given up after the retries: The schedule could not wake the run: AccessDenied' });
    expect(after.resumeAt).toBeUndefined();
    expect(after.wait).toBeUndefined();
    expect(after.steps[0]).toMatchObject({ status: 'failed', error: 'The schedule could not wake the run: AccessDenied' });
    expect((await executions.listWaiting(t, { automationId: auto.id })).items).toEqual([]);
    expect(await automations.require(t, auto.id)).toMatchObject({ lastRunStatus: 'failed', failureCount: 1 });
  });

  it('takes the wake dead letters off the queue through the handler, like the runners\' records', async () => {
    const t = tenant();
    const { run } = await waitingRun(t, 'w2', 0);
    const handler = createRunFailuresHandler({ automations, executions, stores, log: quiet });
    const result = await handler({ Records: [{ messageId: 'm0', body: JSON.stringify({ tenantId: t, executionId: run.id, step: 0, revision: 0, at: AT }), messageAttributes: { ERROR_CODE: { stringValue: 'AWS.Scheduler.InternalServerError', dataType: 'String' } } } as never] });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await executions.require(t, run.id)).toMatchObject({ status: 'failed', error: 'Given up after the retries: The schedule could not wake the run: AWS.Scheduler.InternalServerError' });
  });
});
