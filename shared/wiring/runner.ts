import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createEngine, type Engine, type IncomingEvent } from '../engine/engine.ts';
import { SesMailer, type Mailer } from '../engine/mailer.ts';
import { EventBridgeWakeScheduler, parseWakeInput, type WakeScheduleConfig } from '../engine/wake-schedules.ts';
import { documentClient, runStores, type RunStores } from './clients.ts';
import type { Env } from './env.ts';
import type { Wiring } from './wiring.ts';

export interface RunnerOptions {
  clients?: { dynamo?: DynamoDBDocumentClient; scheduler?: SchedulerClient; ses?: SESv2Client };
  /** The stores to use instead of building them (the local stack shares one set). */
  stores?: RunStores;
  /** Wraps the mailer (the local stack's tests inject SES faults through it). */
  wrapMailer?: (mailer: Mailer) => Mailer;
}

/** The wake schedules' settings from a function's environment. */
export function wakeScheduleConfig(env: Env<'runner'> | Env<'api'>): WakeScheduleConfig {
  return {
    groupName: env.SCHEDULE_GROUP_NAME,
    roleArn: env.SCHEDULER_ROLE_ARN,
    targetArn: env.WAKE_FUNCTION_ARN,
    deadLetterArn: env.WAKE_DLQ_ARN,
    retryAttempts: env.WAKE_RETRY_ATTEMPTS,
    maxEventAgeSeconds: env.WAKE_MAX_EVENT_AGE_SECONDS,
  };
}

/**
 * The engine with its stores, mailer and wake scheduler: every runner is this, fed by its bus rule,
 * and so is wake-run, woken by a schedule instead of an event.
 */
export function composeEngine(env: Env<'runner'>, wiring: Wiring, options: RunnerOptions = {}) {
  const { clients = {} } = options;
  const parts = options.stores ?? runStores(env, documentClient(wiring, clients.dynamo), wiring.now);
  const mailer = new SesMailer(clients.ses, env.SES_CONFIGURATION_SET ? { configurationSet: env.SES_CONFIGURATION_SET } : {});
  const scheduler = new EventBridgeWakeScheduler(wakeScheduleConfig(env), clients.scheduler ?? wiring.trace(new SchedulerClient({})));
  const engine = createEngine({
    ...parts,
    mailer: options.wrapMailer ? options.wrapMailer(mailer) : mailer,
    scheduler,
    log: wiring.log,
    ...(wiring.now ? { now: wiring.now } : {}),
    ...(wiring.metrics ? { metrics: wiring.metrics } : {}),
  });
  return { ...parts, engine, scheduler };
}

/** A runner's handler: the bus rule's event -> the automations it triggers, run; its log lines carry the event's keys. */
export function runnerHandler(engine: Engine, wiring: Wiring) {
  return async (event: IncomingEvent) => {
    const detail = event.detail as { tenantId?: unknown; eventKey?: unknown };
    wiring.correlate({ detailType: event['detail-type'], tenantId: text(detail.tenantId), eventKey: text(detail.eventKey) });
    return engine.handle(event);
  };
}

/** wake-run's handler: the payload a schedule carries (`WakeInput`) -> the run resumed. */
export function wakeHandler(engine: Engine, wiring: Wiring) {
  return async (event: unknown) => {
    const input = parseWakeInput(event);
    // Not a wake-up: nothing to retry, nothing to do.
    if (!input) return void wiring.log({ level: 'ERROR', message: 'Not a wake-up; ignored', event: JSON.stringify(event).slice(0, 500) });
    wiring.correlate({ tenantId: input.tenantId, executionId: input.executionId });
    return engine.wake(input);
  };
}

export const composeRunner = (env: Env<'runner'>, wiring: Wiring, options: RunnerOptions = {}) => runnerHandler(composeEngine(env, wiring, options).engine, wiring);

export const composeWakeRun = (env: Env<'wake-run'>, wiring: Wiring, options: RunnerOptions = {}) => wakeHandler(composeEngine(env, wiring, options).engine, wiring);

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
