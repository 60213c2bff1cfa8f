import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { offsetMinutes } from '#shared/birthdays/dates';
import type { LocalClock } from './clock.ts';
import { AtomicJsonFile } from './durable-file.ts';

/**
 * A local stand-in for Amazon EventBridge Scheduler's one-time schedules, spoken to by the real
 * `SchedulerClient` (restJson1) through its endpoint (`AWS_ENDPOINT_URL_SCHEDULER` or
 * `new SchedulerClient({ endpoint })`). It serves:
 *
 * - `CreateSchedule` (`POST /schedules/{Name}`), `UpdateSchedule` (`PUT`, a full replacement),
 *   `GetSchedule` (`GET /schedules/{Name}?groupName=`), `DeleteSchedule`
 *   (`DELETE /schedules/{Name}?groupName=&clientToken=`) and `ListSchedules`
 *   (`GET /schedules?ScheduleGroup=&NamePrefix=&State=&MaxResults=&NextToken=`);
 * - `CreateScheduleGroup` (`POST /schedule-groups/{Name}`) and `GetScheduleGroup`.
 *
 * Only `at(yyyy-mm-ddThh:mm:ss)` expressions are taken (rate() and cron() are refused), read as a
 * wall time in `ScheduleExpressionTimezone` (UTC when absent). Requests are validated as AWS does
 * and refused with AWS's error shapes: the status, the error name in `x-amzn-errortype` and
 * `{"Message": ...}` as the body, which the SDK turns into `error.name`, `error.message` and
 * `error.$metadata.httpStatusCode` (ValidationException 400, ResourceNotFoundException 404,
 * ConflictException 409, InternalServerException 500).
 *
 * Firing: an ENABLED schedule fires once `clock.now()` reaches its instant, by calling the handler
 * registered for its target ARN (`targets`/`addTarget`, standing in for the Lambda function) with
 * the parsed Input (context attributes such as `<aws.scheduler.scheduled-time>` substituted, `{}`
 * without Input). A FLEXIBLE time window fires at its start. A thrown error (or an ARN without a
 * handler) is retried per the target's RetryPolicy (attempts capped by `maxRetryAttempts`,
 * retries stopped once the event is older than MaximumEventAgeInSeconds on the clock; the first
 * attempt is always made, also for a schedule found long overdue), then handed to `onDeadLetter`
 * when the target has a DeadLetterConfig, else logged and dropped. Once done, ActionAfterCompletion
 * DELETE removes the schedule; NONE keeps it, marked fired, and it does not fire again (an
 * UpdateSchedule makes it a new schedule that fires at its new time). A schedule whose time is
 * already past when it is created, updated or found at start fires at once.
 *
 * Delivery is at least once, as in AWS: with `statePath`, every change is on disk (written
 * atomically) before the API answers, and a schedule is marked fired only after its fire is done,
 * so one being fired when the process died fires again after a restart. The target must therefore
 * be idempotent (the wake-run function is: it re-reads the run and checks it still waits).
 * One schedule is never fired twice at the same time.
 */

export interface ScheduleTarget {
  /** The function's ARN: the key of the handler that plays it. */
  Arn: string;
  RoleArn: string;
  /** JSON text, as given. */
  Input?: string;
  RetryPolicy: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
  DeadLetterConfig?: { Arn: string };
}

export interface ScheduleState {
  name: string;
  groupName: string;
  arn: string;
  /** The `at(...)` expression, as given. */
  expression: string;
  timezone: string;
  /** The instant `expression` names in `timezone` (ISO, UTC). */
  dueAt: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  flexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  target: ScheduleTarget;
  actionAfterCompletion: 'NONE' | 'DELETE';
  /** Taken and returned, not used: they do not apply to at() schedules. */
  startDate?: string;
  endDate?: string;
  kmsKeyArn?: string;
  /** The create's ClientToken: a retry of that create answers success instead of ConflictException. */
  clientToken?: string;
  /** On the clock. */
  createdAt: string;
  modifiedAt: string;
  /** Set while a fire is under way (on disk too: a restart finds it and fires it again). */
  firingSince?: string;
  /** Set once a fire is done (kept with ActionAfterCompletion NONE): it does not fire again. */
  fired?: { at: string; outcome: 'delivered' | 'dead-lettered' | 'dropped'; attempts: number; error?: string };
}

export type TargetHandler = (input: unknown) => Promise<unknown>;

export interface DeadLetterEntry {
  schedule: { name: string; groupName: string; arn: string; target: ScheduleTarget };
  /** The input of the last attempt. */
  input: unknown;
  /** The last attempt's error. */
  error: string;
  attempts: number;
}

export interface LocalSchedulerOptions {
  /** 0 for any free port. */
  port: number;
  region: string;
  /** The clock schedules fire on; the engine reads the same one. */
  clock: LocalClock;
  /** Where the schedules are kept across restarts; in memory only when absent. */
  statePath?: string;
  /** Schedule groups that exist besides `default`. */
  groups?: string[];
  /** Target (Lambda) ARN -> the handler that plays the function. More with `addTarget`. */
  targets?: Record<string, TargetHandler>;
  /** Plays the target's DeadLetterConfig: called after the last failed attempt. */
  onDeadLetter?: (entry: DeadLetterEntry) => Promise<void> | void;
  /** Real-time wait before retry `retry` (1 for the first). @default 200 ms * 2^(retry-1), at most 2 s */
  retryDelayMs?: (retry: number) => number;
  /** The most retries made locally, whatever RetryPolicy says (AWS's default is 185). @default 5 */
  maxRetryAttempts?: number;
  log?: (line: string) => void;
}

export interface LocalScheduler {
  /** The endpoint for `SchedulerClient`. */
  url: string;
  /** Copies of every schedule, by group and name. */
  schedules(): ScheduleState[];
  /** Resolves once nothing due at the clock's current time is firing or waiting to fire (retries included). */
  whenIdle(): Promise<void>;
  /** Registers (or replaces) the handler for a target ARN. */
  addTarget(arn: string, handler: TargetHandler): void;
  /** Stops the server and the timers, waits for attempts under way; a fire cut short stays pending on disk. */
  stop(): Promise<void>;
}

const LOCAL_ACCOUNT = '000000000000';
const MAX_BODY = 256 * 1024;
/** Past this, a request is cut off instead of read to its end to answer 413. */
const MAX_DRAIN = 16 * 1024 * 1024;
/** setTimeout's longest delay (~24.8 days); a later schedule re-arms on the way. */
const MAX_TIMEOUT = 2 ** 31 - 1;
const DAY = 86_400_000;
const NAME = /^[0-9a-zA-Z\-_.]+$/;
const CLIENT_TOKEN = /^[a-zA-Z0-9\-_]{1,64}$/;
const ROLE_ARN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const SQS_ARN = /^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9\-_]+$/;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const DEFAULT_RETRY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 };

/** An API error: its status, its name (`x-amzn-errortype`, the SDK's `error.name`) and message. */
class SchedulerError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new SchedulerError(400, 'ValidationException', message);
const notFound = (message: string) => new SchedulerError(404, 'ResourceNotFoundException', message);
/** A value quoted for a message, cut short: a hostile 3,000-character name is not echoed whole. */
const quote = (value: string) => JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
const key = (group: string, name: string) => `${group}/${name}`;
const epochSeconds = (iso: string) => Date.parse(iso) / 1000;

export async function startLocalScheduler(options: LocalSchedulerOptions): Promise<LocalScheduler> {
  const { clock } = options;
  const log = (line: string) => options.log?.(`[scheduler] ${line}`);
  const retryDelayMs = options.retryDelayMs ?? ((retry: number) => Math.min(2000, 200 * 2 ** (retry - 1)));
  const retryCap = options.maxRetryAttempts ?? 5;
  const arnPrefix = `arn:aws:scheduler:${options.region}:${LOCAL_ACCOUNT}`;
  const targets = new Map(Object.entries(options.targets ?? {}));

  const schedules = new Map<string, ScheduleState>();
  const groups = new Map<string, { createdAt: string }>();
  for (const name of ['default', ...(options.groups ?? [])]) groups.set(name, { createdAt: clock.now().toISOString() });
  load();
  const store = options.statePath ? new AtomicJsonFile(options.statePath, () => ({ version: 1, groups: Object.fromEntries(groups), schedules: [...schedules.values()] })) : undefined;
  const persist = () => store?.save() ?? Promise.resolve();

  /** Fires under way, by group/name: at most one per schedule. */
  const firing = new Map<string, Promise<void>>();
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;

  function load(): void {
    if (!options.statePath || !existsSync(options.statePath)) return;
    let saved: { groups?: Record<string, { createdAt: string }>; schedules?: ScheduleState[] };
    try {
      saved = JSON.parse(readFileSync(options.statePath, 'utf8'));
    } catch (error) {
      // Refuse to start rather than start empty and overwrite what the file holds.
      throw new Error(`The local scheduler's state ${options.statePath} cannot be read: ${String(error)}`);
    }
    for (const [name, group] of Object.entries(saved.groups ?? {})) groups.set(name, group);
    for (const schedule of saved.schedules ?? []) {
      if (schedule.firingSince) {
        log(`${schedule.groupName}/${schedule.name} was being fired when the scheduler stopped; it fires again (at least once)`);
        delete schedule.firingSince;
      }
      schedules.set(key(schedule.groupName, schedule.name), schedule);
    }
    log(`${schedules.size} schedule(s) loaded from ${options.statePath}`);
  }

  /** Starts the fires that are due and sets the timer to the next one; called on every change. */
  function arm(): void {
    clearTimeout(timer);
    timer = undefined;
    if (stopping.signal.aborted) return;
    const now = clock.now().getTime();
    let next = Infinity;
    for (const schedule of schedules.values()) {
      if (schedule.state !== 'ENABLED' || schedule.fired || firing.has(key(schedule.groupName, schedule.name))) continue;
      const due = Date.parse(schedule.dueAt);
      if (due <= now) startFire(schedule);
      else next = Math.min(next, due);
    }
    if (next < Infinity) {
      timer = setTimeout(arm, Math.min(next - now, MAX_TIMEOUT));
      timer.unref();
    }
  }

  function startFire(schedule: ScheduleState): void {
    const id = key(schedule.groupName, schedule.name);
    const run = fire(schedule)
      .catch((error: unknown) => log(`firing ${id} failed: ${(error as Error).stack ?? String(error)}`))
      .finally(() => {
        firing.delete(id);
        arm();
      });
    firing.set(id, run);
  }

  async function fire(schedule: ScheduleState): Promise<void> {
    const id = key(schedule.groupName, schedule.name);
    schedule.firingSince = clock.now().toISOString();
    await persist().catch((failure: unknown) => log(`could not record that ${id} is firing: ${String(failure)}`));
    const { target } = schedule;
    const retries = Math.min(target.RetryPolicy.MaximumRetryAttempts, retryCap);
    const maxAgeMs = target.RetryPolicy.MaximumEventAgeInSeconds * 1000;
    const executionId = randomUUID();
    let input: unknown;
    let error = '';
    let attempts = 0;
    for (;;) {
      attempts++;
      try {
        input = targetInput(schedule, attempts, executionId);
        const handler = targets.get(target.Arn);
        if (!handler) throw new Error(`No local handler for the target ${target.Arn}`);
        await handler(input);
        error = '';
        break;
      } catch (thrown) {
        error = thrown instanceof Error ? thrown.message : String(thrown);
      }
      const age = clock.now().getTime() - Date.parse(schedule.dueAt);
      if (attempts > retries || age >= maxAgeMs) break;
      log(`${id} attempt ${attempts} failed (${error}); retrying`);
      if (!(await pause(retryDelayMs(attempts)))) {
        log(`${id} stopped between retries; it stays pending and fires again after a restart`);
        return;
      }
    }

    let outcome: NonNullable<ScheduleState['fired']>['outcome'] = 'delivered';
    if (error) outcome = await deadLetter(schedule, input, error, attempts);
    else log(`${id} fired: ${target.Arn}${attempts > 1 ? ` (attempt ${attempts})` : ''}`);

    // Updated or deleted while it fired: the new version is not this fire's to complete.
    if (schedules.get(id) !== schedule) return;
    if (schedule.actionAfterCompletion === 'DELETE') schedules.delete(id);
    else {
      delete schedule.firingSince;
      schedule.fired = { at: clock.now().toISOString(), outcome, attempts, ...(error ? { error } : {}) };
    }
    await persist().catch((failure: unknown) => log(`could not record that ${id} fired (a restart fires it again): ${String(failure)}`));
  }

  async function deadLetter(schedule: ScheduleState, input: unknown, error: string, attempts: number): Promise<'dead-lettered' | 'dropped'> {
    const id = key(schedule.groupName, schedule.name);
    const queue = schedule.target.DeadLetterConfig?.Arn;
    if (!queue) {
      log(`${id} failed ${attempts} time(s), no DeadLetterConfig: dropped (${error})`);
      return 'dropped';
    }
    if (!options.onDeadLetter) {
      log(`${id} failed ${attempts} time(s); nothing plays its dead-letter queue ${queue}: dropped (${error})`);
      return 'dropped';
    }
    try {
      await options.onDeadLetter({ schedule: { name: schedule.name, groupName: schedule.groupName, arn: schedule.arn, target: schedule.target }, input, error, attempts });
      log(`${id} failed ${attempts} time(s), dead-lettered to ${queue}: ${error}`);
      return 'dead-lettered';
    } catch (thrown) {
      log(`${id} failed ${attempts} time(s) and its dead-letter handler failed too (${String(thrown)}): dropped (${error})`);
      return 'dropped';
    }
  }

  /** Waits `ms` of real time; false when the scheduler stops meanwhile. */
  function pause(ms: number): Promise<boolean> {
    if (stopping.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(wait);
        resolve(false);
      };
      const wait = setTimeout(() => {
        stopping.signal.removeEventListener('abort', done);
        resolve(true);
      }, ms);
      stopping.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** The schedule's Input as its target receives it: JSON, with the context attributes filled in. */
  function targetInput(schedule: ScheduleState, attempt: number, executionId: string): unknown {
    if (schedule.target.Input === undefined) return {};
    const text = schedule.target.Input.replaceAll('<aws.scheduler.schedule-arn>', schedule.arn)
      .replaceAll('<aws.scheduler.scheduled-time>', schedule.dueAt.replace(/\.\d{3}Z$/, 'Z'))
      .replaceAll('<aws.scheduler.execution-id>', executionId)
      .replaceAll('<aws.scheduler.attempt-number>', String(attempt));
    return JSON.parse(text) as unknown;
  }

  // --- the API ---

  /** Validates a Create/UpdateSchedule request as AWS does: 400 for what is malformed, then 404 for a missing group. */
  function readSchedule(name: string, body: Record<string, unknown>): Omit<ScheduleState, 'createdAt' | 'modifiedAt'> {
    checkName(name, 'Name');
    const groupName = checkName(optionalString(body.GroupName, 'GroupName', 64) ?? 'default', 'GroupName');
    const expression = requiredString(body.ScheduleExpression, 'ScheduleExpression', 256);
    const timezone = optionalString(body.ScheduleExpressionTimezone, 'ScheduleExpressionTimezone', 50) ?? 'UTC';
    if (!isTimeZone(timezone)) throw invalid(`ScheduleExpressionTimezone ${quote(timezone)} is not a valid IANA time zone.`);
    const dueAt = atInstant(expression, timezone);

    const window = object(body.FlexibleTimeWindow, 'FlexibleTimeWindow');
    if (!window) throw invalid('FlexibleTimeWindow is required (Mode OFF or FLEXIBLE).');
    const mode = oneOf(window.Mode, 'FlexibleTimeWindow.Mode', ['OFF', 'FLEXIBLE'] as const);
    const maxWindow = integer(window.MaximumWindowInMinutes, 'FlexibleTimeWindow.MaximumWindowInMinutes', 1, 1440);
    if (mode === 'FLEXIBLE' && maxWindow === undefined) throw invalid('FlexibleTimeWindow.MaximumWindowInMinutes is required when Mode is FLEXIBLE.');

    const target = object(body.Target, 'Target');
    if (!target) throw invalid('Target is required.');
    const targetArn = requiredString(target.Arn, 'Target.Arn', 1600);
    const roleArn = requiredString(target.RoleArn, 'Target.RoleArn', 1600);
    if (!ROLE_ARN.test(roleArn)) throw invalid(`Target.RoleArn ${quote(roleArn)} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).`);
    const input = optionalString(target.Input, 'Target.Input', MAX_BODY);
    if (input !== undefined) {
      try {
        JSON.parse(input);
      } catch {
        throw invalid('Target.Input is not valid JSON.');
      }
    }
    const retry = object(target.RetryPolicy, 'Target.RetryPolicy');
    const retryPolicy = {
      MaximumRetryAttempts: integer(retry?.MaximumRetryAttempts, 'Target.RetryPolicy.MaximumRetryAttempts', 0, 185) ?? DEFAULT_RETRY.MaximumRetryAttempts,
      MaximumEventAgeInSeconds: integer(retry?.MaximumEventAgeInSeconds, 'Target.RetryPolicy.MaximumEventAgeInSeconds', 60, 86_400) ?? DEFAULT_RETRY.MaximumEventAgeInSeconds,
    };
    const deadLetter = object(target.DeadLetterConfig, 'Target.DeadLetterConfig');
    const deadLetterArn = optionalString(deadLetter?.Arn, 'Target.DeadLetterConfig.Arn', 1600);
    if (deadLetterArn !== undefined && !SQS_ARN.test(deadLetterArn)) throw invalid(`Target.DeadLetterConfig.Arn ${quote(deadLetterArn)} is not an SQS queue ARN.`);

    const clientToken = optionalString(body.ClientToken, 'ClientToken', 64);
    if (clientToken !== undefined && !CLIENT_TOKEN.test(clientToken)) throw invalid('ClientToken may contain only letters, digits, - and _.');
    const description = optionalString(body.Description, 'Description', 512);
    const kmsKeyArn = optionalString(body.KmsKeyArn, 'KmsKeyArn', 2048);
    const startDate = timestamp(body.StartDate, 'StartDate');
    const endDate = timestamp(body.EndDate, 'EndDate');
    const state = oneOf(body.State, 'State', ['ENABLED', 'DISABLED'] as const, 'ENABLED');
    const actionAfterCompletion = oneOf(body.ActionAfterCompletion, 'ActionAfterCompletion', ['NONE', 'DELETE'] as const, 'NONE');

    if (!groups.has(groupName)) throw notFound(`Schedule group ${groupName} does not exist.`);
    return {
      name,
      groupName,
      arn: `${arnPrefix}:schedule/${groupName}/${name}`,
      expression,
      timezone,
      dueAt: dueAt.toISOString(),
      state,
      flexibleTimeWindow: { Mode: mode, ...(mode === 'FLEXIBLE' ? { MaximumWindowInMinutes: maxWindow } : {}) },
      target: {
        Arn: targetArn,
        RoleArn: roleArn,
        ...(input !== undefined ? { Input: input } : {}),
        RetryPolicy: retryPolicy,
        ...(deadLetterArn !== undefined ? { DeadLetterConfig: { Arn: deadLetterArn } } : {}),
      },
      actionAfterCompletion,
      ...(description !== undefined ? { description } : {}),
      ...(startDate !== undefined ? { startDate } : {}),
      ...(endDate !== undefined ? { endDate } : {}),
      ...(kmsKeyArn !== undefined ? { kmsKeyArn } : {}),
      ...(clientToken !== undefined ? { clientToken } : {}),
    };
  }

  /** The schedule a Get/Delete names (`?groupName=`, `default` when absent). */
  function existing(name: string, query: URLSearchParams): ScheduleState {
    checkName(name, 'Name');
    const groupName = checkName(query.get('groupName') ?? 'default', 'GroupName');
    if (!groups.has(groupName)) throw notFound(`Schedule group ${groupName} does not exist.`);
    const schedule = schedules.get(key(groupName, name));
    if (!schedule) throw notFound(`Schedule ${name} does not exist.`);
    return schedule;
  }

  async function createSchedule(name: string, body: Record<string, unknown>): Promise<unknown> {
    const spec = readSchedule(name, body);
    const id = key(spec.groupName, name);
    const found = schedules.get(id);
    if (found) {
      // The SDK resends a create with the same ClientToken when its answer was lost: that one made it.
      if (spec.clientToken && found.clientToken === spec.clientToken) return { ScheduleArn: found.arn };
      throw new SchedulerError(409, 'ConflictException', `Schedule ${name} already exists.`);
    }
    const now = clock.now().toISOString();
    schedules.set(id, { ...spec, createdAt: now, modifiedAt: now });
    await persist();
    log(`created ${id} ${spec.expression} ${spec.timezone} (${spec.dueAt}) -> ${spec.target.Arn}`);
    arm();
    return { ScheduleArn: spec.arn };
  }

  async function updateSchedule(name: string, body: Record<string, unknown>): Promise<unknown> {
    const spec = readSchedule(name, body);
    const id = key(spec.groupName, name);
    const found = schedules.get(id);
    if (!found) throw notFound(`Schedule ${name} does not exist.`);
    // A new object: a fire of the old version under way leaves it alone.
    const { clientToken: _, ...replacement } = spec;
    schedules.set(id, { ...replacement, ...(found.clientToken ? { clientToken: found.clientToken } : {}), createdAt: found.createdAt, modifiedAt: clock.now().toISOString() });
    await persist();
    log(`updated ${id} ${spec.expression} ${spec.timezone} (${spec.dueAt})`);
    arm();
    return { ScheduleArn: spec.arn };
  }

  async function deleteSchedule(name: string, query: URLSearchParams): Promise<unknown> {
    const schedule = existing(name, query);
    schedules.delete(key(schedule.groupName, name));
    await persist();
    log(`deleted ${key(schedule.groupName, name)}`);
    arm();
    return {};
  }

  function getSchedule(name: string, query: URLSearchParams): unknown {
    const s = existing(name, query);
    return {
      Arn: s.arn,
      GroupName: s.groupName,
      Name: s.name,
      ScheduleExpression: s.expression,
      ScheduleExpressionTimezone: s.timezone,
      State: s.state,
      ...(s.description !== undefined ? { Description: s.description } : {}),
      ...(s.startDate ? { StartDate: epochSeconds(s.startDate) } : {}),
      ...(s.endDate ? { EndDate: epochSeconds(s.endDate) } : {}),
      ...(s.kmsKeyArn ? { KmsKeyArn: s.kmsKeyArn } : {}),
      CreationDate: epochSeconds(s.createdAt),
      LastModificationDate: epochSeconds(s.modifiedAt),
      Target: s.target,
      FlexibleTimeWindow: s.flexibleTimeWindow,
      ActionAfterCompletion: s.actionAfterCompletion,
    };
  }

  /** ListSchedules: by group, then name; NextToken is the last key of the page, opaque to callers. */
  function listSchedules(query: URLSearchParams): unknown {
    const group = query.get('ScheduleGroup');
    if (group !== null) checkName(group, 'ScheduleGroup');
    const prefix = query.get('NamePrefix');
    if (prefix !== null && (prefix.length < 1 || prefix.length > 64 || !NAME.test(prefix))) throw invalid('NamePrefix must be 1 to 64 letters, digits, -, _ and .');
    const state = query.get('State');
    if (state !== null && state !== 'ENABLED' && state !== 'DISABLED') throw invalid('State must be ENABLED or DISABLED.');
    const maxText = query.get('MaxResults');
    const max = maxText === null ? 100 : Number(maxText);
    if (!Number.isInteger(max) || max < 1 || max > 100) throw invalid('MaxResults must be an integer from 1 to 100.');
    let after: [string, string] | undefined;
    const token = query.get('NextToken');
    if (token !== null) {
      try {
        const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
        if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((p) => typeof p === 'string')) throw new Error('shape');
        after = parsed as [string, string];
      } catch {
        throw invalid('NextToken is not valid.');
      }
    }
    const order = (a: [string, string], b: [string, string]) => (a[0] === b[0] ? compare(a[1], b[1]) : compare(a[0], b[0]));
    const matching = [...schedules.values()]
      .filter((s) => (group === null || s.groupName === group) && (prefix === null || s.name.startsWith(prefix)) && (state === null || s.state === state))
      .filter((s) => !after || order([s.groupName, s.name], after) > 0)
      .sort((a, b) => order([a.groupName, a.name], [b.groupName, b.name]));
    const page = matching.slice(0, max);
    const last = page.at(-1);
    return {
      Schedules: page.map((s) => ({ Arn: s.arn, Name: s.name, GroupName: s.groupName, State: s.state, CreationDate: epochSeconds(s.createdAt), LastModificationDate: epochSeconds(s.modifiedAt), Target: { Arn: s.target.Arn } })),
      ...(matching.length > max && last ? { NextToken: Buffer.from(JSON.stringify([last.groupName, last.name])).toString('base64url') } : {}),
    };
  }

  async function createGroup(name: string, body: Record<string, unknown>): Promise<unknown> {
    checkName(name, 'Name');
    optionalString(body.ClientToken, 'ClientToken', 64);
    if (groups.has(name)) throw new SchedulerError(409, 'ConflictException', `Schedule group ${name} already exists.`);
    groups.set(name, { createdAt: clock.now().toISOString() });
    await persist();
    return { ScheduleGroupArn: `${arnPrefix}:schedule-group/${name}` };
  }

  function getGroup(name: string): unknown {
    checkName(name, 'Name');
    const group = groups.get(name);
    if (!group) throw notFound(`Schedule group ${name} does not exist.`);
    const created = epochSeconds(group.createdAt);
    return { Arn: `${arnPrefix}:schedule-group/${name}`, Name: name, State: 'ACTIVE', CreationDate: created, LastModificationDate: created };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The raw path, not one URL-normalised: `/schedules/..` must not turn into `/`.
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const schedulePath = /^\/schedules\/([^/]+)$/.exec(path);
    const groupPath = /^\/schedule-groups\/([^/]+)$/.exec(path);

    if (schedulePath) {
      const name = label(schedulePath[1]!);
      if (method === 'POST') return sendJson(res, 200, await createSchedule(name, jsonObject(body)));
      if (method === 'PUT') return sendJson(res, 200, await updateSchedule(name, jsonObject(body)));
      if (method === 'GET') return sendJson(res, 200, getSchedule(name, query));
      if (method === 'DELETE') return sendJson(res, 200, await deleteSchedule(name, query));
    }
    if (path === '/schedules' && method === 'GET') return sendJson(res, 200, listSchedules(query));
    if (groupPath) {
      const name = label(groupPath[1]!);
      if (method === 'POST') return sendJson(res, 200, await createGroup(name, jsonObject(body)));
      if (method === 'GET') return sendJson(res, 200, getGroup(name));
    }
    throw new SchedulerError(404, 'UnknownOperationException', `The local scheduler stand-in does not serve ${method} ${quote(path)}.`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.end();
      if (error instanceof SchedulerError) return sendJson(res, error.status, { Message: error.message }, error.type);
      log(`${(error as Error).stack ?? String(error)}`);
      sendJson(res, 500, { Message: (error as Error).message }, 'InternalServerException');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const unsubscribe = clock.onChange(() => arm());
  arm();

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    schedules: () => [...schedules.values()].sort((a, b) => compare(key(a.groupName, a.name), key(b.groupName, b.name))).map((s) => structuredClone(s)),
    async whenIdle() {
      for (;;) {
        arm();
        if (firing.size === 0) return;
        await Promise.allSettled([...firing.values()]);
      }
    },
    addTarget(arn, handler) {
      targets.set(arn, handler);
    },
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      unsubscribe();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await Promise.allSettled([...firing.values()]);
      await persist().catch((error: unknown) => log(`could not save the schedules on stop: ${String(error)}`));
    },
  };
}

/**
 * The instant an `at(yyyy-mm-ddThh:mm:ss)` expression names in `timeZone`. A wall time the zone
 * skips (spring forward) moves on by the gap, as the clocks do (02:30 -> 03:30); one it has twice
 * (fall back) is the first of the two.
 */
export function atInstant(expression: string, timeZone: string): Date {
  if (/^(rate|cron)\(/.test(expression)) {
    throw invalid(`ScheduleExpression ${quote(expression)}: the local scheduler stand-in supports one-time schedules only, at(yyyy-mm-ddThh:mm:ss); rate() and cron() are not supported.`);
  }
  const match = AT.exec(expression);
  if (!match) throw invalid(`Invalid Schedule Expression ${quote(expression)}: expected at(yyyy-mm-ddThh:mm:ss).`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (year < 1970 || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw invalid(`Invalid Schedule Expression ${quote(expression)}: not a valid date and time.`);
  }
  // The zone's offsets a day either side of the wall time: the same away from a switch.
  const before = offsetMinutes(new Date(wall - DAY), timeZone);
  const after = offsetMinutes(new Date(wall + DAY), timeZone);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset * 60_000)
    .filter((instant) => offsetMinutes(new Date(instant), timeZone) * 60_000 === wall - instant)
    .sort((a, b) => a - b);
  return new Date(candidates[0] ?? wall - before * 60_000);
}

function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function checkName(value: string, member: string): string {
  if (value.length < 1 || value.length > 64) throw invalid(`${member} must be 1 to 64 characters long (it has ${value.length}).`);
  if (!NAME.test(value)) throw invalid(`${member} ${quote(value)} may contain only letters, digits, -, _ and .`);
  return value;
}

function optionalString(value: unknown, member: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${member} must be a string.`);
  if (value.length < 1 || value.length > max) throw invalid(`${member} must be 1 to ${max} characters long (it has ${value.length}).`);
  return value;
}

function requiredString(value: unknown, member: string, max: number): string {
  const text = optionalString(value, member, max);
  if (text === undefined) throw invalid(`${member} is required.`);
  return text;
}

function integer(value: unknown, member: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(`${member} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)?.slice(0, 40)}).`);
  return value;
}

/** One of `allowed`; `fallback` when absent (required without one). */
function oneOf<T extends string>(value: unknown, member: string, allowed: readonly T[], fallback?: T): T {
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw invalid(`${member} must be ${allowed.join(' or ')}.`);
  return value as T;
}

function object(value: unknown, member: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${member} must be an object.`);
  return value as Record<string, unknown>;
}

/** restJson1 sends timestamps as epoch seconds. */
function timestamp(value: unknown, member: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw invalid(`${member} is not a valid timestamp.`);
  return date.toISOString();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A path label as the SDK encodes it. */
function label(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw invalid('The request path is not validly percent-encoded.');
  }
}

/** Reads the body, keeping at most MAX_BODY bytes; a longer one is read to its end (or cut off past MAX_DRAIN) and refused. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => new SchedulerError(413, 'ValidationException', `The request body is over ${MAX_BODY} bytes.`);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
      else if (size > MAX_DRAIN) {
        reject(tooLarge());
        req.destroy();
      }
    });
    req.on('end', () => (size > MAX_BODY ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
    req.on('close', () => reject(new Error('The request was cut off')));
  });
}

function jsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* below */
  }
  throw invalid('The request body is not a JSON object.');
}

function sendJson(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
  res.end(JSON.stringify(body));
}
