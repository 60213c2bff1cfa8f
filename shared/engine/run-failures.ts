import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { isFinal, type Execution, type StepRecord } from '../automations/execution.ts';
import { ConflictError } from '../errors.ts';
import type { AutomationStore } from '../stores/automation-store.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import type { ExecutionStore } from '../stores/execution-store.ts';
import type { IncomingEvent } from './engine.ts';
import { executionIdOf } from './execution-id.ts';
import { parseWakeInput, scheduleNameOf, type WakeInput } from './wake-input.ts';
import { madeAChange, mayHaveWritten, settleInterruptedSend, stoppedOutcome } from './outcome.ts';
import { log as defaultLog, type Log } from '../log.ts';
import type { RunMetrics } from './metrics.ts';

export interface RunFailuresDeps {
  automations: Pick<AutomationStore, 'every'>;
  executions: Pick<ExecutionStore, 'get' | 'finish'>;
  /** With it, a send found started is looked up: its e-mail activity proves it went out. */
  stores?: Pick<CrmStores, 'activities'>;
  now?: () => Date;
  log?: Log;
  /** Counts each run closed here (the runs AWS gave up on: their final status). */
  metrics?: RunMetrics;
}

/** An event whose runner gave up (its retries exhausted), with why. */
export interface FailedDelivery {
  event: IncomingEvent;
  reason: string;
}

/** A wake-up of a waiting run that could not be delivered or whose run failed on every attempt. */
export interface FailedWake {
  wake: WakeInput;
  reason: string;
}

export interface ClosedRun {
  automationId: string;
  executionId: string;
  status: Execution['status'];
}

/**
 * What happens once the runner has given up on an event (in AWS: Lambda's async retries are
 * exhausted and the invocation lands on the `FailedRuns` queue; locally: the bus dead-letters the
 * delivery). The runs of that event that are still open (`running`, or failed with `retryable`)
 * would otherwise stay so for ever: each is closed for good, `retryable: false`, with the reason,
 * and the automation's last-run fields and counters are updated with it (`finish`).
 *
 * The runs are found by their derived ids (`executionIdOf` of tenant, automation and eventKey)
 * over the tenant's automations for the event type, disabled ones included. A run ends `failed`
 * (`error`: "Given up after the retries: …"), or, as the engine would have ended it, `partial` when
 * a step changed something, `uncertain` when a send was interrupted (never sent again; an e-mail
 * activity proves a send, then the step succeeded), `succeeded` when every step had in fact
 * finished. Closed and unknown runs are left alone, so a repeated failure record changes nothing.
 */
export function createRunFailures(deps: RunFailuresDeps) {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? defaultLog;

  const automationsFor = (tenantId: string, type: string) => deps.automations.every(tenantId, (a) => a.trigger.event === type);

  async function closeOne(tenantId: string, executionId: string, reason: string, still: (execution: Execution) => boolean = () => true): Promise<ClosedRun | undefined> {
    for (let attempt = 1; ; attempt++) {
      const execution = await deps.executions.get(tenantId, executionId);
      if (!execution || isFinal(execution) || !still(execution)) return undefined;
      try {
        const closed = await deps.executions.finish(await closedExecution(execution, reason), { final: true });
        log({ level: 'WARN', message: 'Run closed after the retries were exhausted', automationId: closed.automationId, executionId, status: closed.status, reason });
        deps.metrics?.recorded(closed);
        return { automationId: closed.automationId, executionId, status: closed.status };
      } catch (error) {
        // Another attempt wrote the run meanwhile: look again.
        if (!(error instanceof ConflictError) || attempt >= 3) throw error;
      }
    }
  }

  async function closedExecution(execution: Execution, reason: string): Promise<Execution> {
    const at = now().toISOString();
    const steps: StepRecord[] = [];
    let changed = execution.steps.some((s) => s.status === 'succeeded' && madeAChange(s));
    for (const step of execution.steps) {
      if (mayHaveWritten(execution, step)) changed = true;
      if (step.status === 'waiting') {
        steps.push({ ...step, status: 'failed', finishedAt: at, error: reason });
      } else if (step.status !== 'started') {
        steps.push(step);
      } else if (step.type === 'send_email') {
        const settled = await settleInterruptedSend(deps.stores, execution, step, at);
        if (settled.sent) changed = true;
        steps.push(settled.step);
      } else {
        steps.push({ ...step, status: 'failed', finishedAt: at, error: reason });
      }
    }
    const text = `Given up after the retries: ${reason}`.slice(0, 1_000);
    const { resumeAt: _r, wait: _w, ...open } = execution;
    const base = { ...open, steps, retryable: false, finishedAt: at, durationMs: Math.max(0, Date.parse(at) - Date.parse(execution.startedAt)) };
    // Every step had in fact finished (the last one's result was never recorded): the run did its work.
    if (steps.every((s) => s.status === 'succeeded')) return { ...base, status: 'succeeded', error: undefined, reason: undefined };
    return { ...base, ...stoppedOutcome('failed', text, steps, changed) };
  }

  /** Closes the open runs of the event; returns the ones it closed. */
  async function close({ event, reason }: FailedDelivery): Promise<ClosedRun[]> {
    const detail = event.detail ?? {};
    const tenantId = detail.tenantId;
    const eventKey = detail.eventKey;
    const type = event['detail-type'];
    if (typeof tenantId !== 'string' || typeof eventKey !== 'string' || typeof type !== 'string') {
      log({ level: 'WARN', message: 'Failed event without tenantId, eventKey or detail-type; no run to close', type });
      return [];
    }
    const closed: ClosedRun[] = [];
    for (const automation of await automationsFor(tenantId, type)) {
      const run = await closeOne(tenantId, executionIdOf(tenantId, automation.id, eventKey), reason);
      if (run) closed.push(run);
    }
    return closed;
  }

  /**
   * Closes the run a wake-up was for: one that woke and then failed on every attempt (`running`),
   * or one still waiting on that very schedule (a newer revision has a schedule of its own).
   */
  function closeWake({ wake, reason }: FailedWake): Promise<ClosedRun | undefined> {
    const same = (e: Execution) => e.status !== 'waiting' || e.wait?.schedule === scheduleNameOf(wake);
    return closeOne(wake.tenantId, wake.executionId, reason, same);
  }

  return { close, closeWake };
}

export type RunFailures = ReturnType<typeof createRunFailures>;

/**
 * Reads one message of the `FailedRuns` queue: Lambda's record of an asynchronous invocation that
 * failed (`requestContext.condition` RetriesExhausted or EventAgeExceeded, `requestPayload` the
 * event EventBridge delivered, `responsePayload` the last error). Anything else is undefined.
 */
export function parseFailureRecord(body: string, attributes: SQSRecord['messageAttributes'] = {}): FailedDelivery | FailedWake | undefined {
  let record: any;
  try {
    record = JSON.parse(body);
  } catch {
    return undefined;
  }
  // Scheduler's dead-letter message: the schedule's input, the error in the message attributes.
  const direct = parseWakeInput(record);
  if (direct) {
    const error = attributes.ERROR_MESSAGE?.stringValue ?? attributes.ERROR_CODE?.stringValue ?? 'the wake-up could not be delivered';
    return { wake: direct, reason: `The schedule could not wake the run: ${error}` };
  }
  const wake = parseWakeInput(record?.requestPayload);
  const event = record?.requestPayload;
  if (!wake && (typeof event !== 'object' || event === null || typeof event['detail-type'] !== 'string' || typeof event.detail !== 'object' || event.detail === null)) return undefined;
  const condition = typeof record.requestContext?.condition === 'string' ? record.requestContext.condition : 'RetriesExhausted';
  const attempts = record.requestContext?.approximateInvokeCount;
  const payload = record.responsePayload;
  const error = typeof payload?.errorMessage === 'string' ? `${typeof payload.errorType === 'string' && payload.errorType !== 'Error' ? `${payload.errorType}: ` : ''}${payload.errorMessage}` : 'the runner failed';
  if (wake) return { wake, reason: `${condition}${typeof attempts === 'number' ? ` after ${attempts} attempts` : ''} of the wake-up: ${error}` };
  return { event, reason: `${condition}${typeof attempts === 'number' ? ` after ${attempts} attempts` : ''}: ${error}` };
}

/**
 * The run-failures function: an SQS event source on the `FailedRuns` queue with batch item
 * failures. A message that cannot be read, or whose runs cannot be closed now (DynamoDB
 * unavailable), is reported as failed: SQS delivers it again, and after the queue's receive
 * limit moves it to its own dead-letter queue, whose alarm fires.
 */
export function createRunFailuresHandler(deps: RunFailuresDeps) {
  const runFailures = createRunFailures(deps);
  const log = deps.log ?? defaultLog;
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records) {
      const failure = parseFailureRecord(message.body, message.messageAttributes);
      if (!failure) {
        log({ level: 'ERROR', message: 'Not a failed-invocation record of a runner', messageId: message.messageId });
        batchItemFailures.push({ itemIdentifier: message.messageId });
        continue;
      }
      try {
        if ('wake' in failure) await runFailures.closeWake(failure);
        else await runFailures.close(failure);
      } catch (error) {
        log({ level: 'ERROR', message: 'Could not close the runs of a failed event', messageId: message.messageId, error: String(error) });
        batchItemFailures.push({ itemIdentifier: message.messageId });
      }
    }
    return { batchItemFailures };
  };
}
