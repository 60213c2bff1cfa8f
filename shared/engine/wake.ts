import type { Execution } from '../automations/execution.ts';
import type { Automation, WaitAction } from '../automations/model.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { EngineDeps, RunOutcome } from './engine.ts';
import type { Mailer } from './mailer.ts';
import { log as defaultLog } from '../log.ts';
import { Run, type RunDeps } from './run.ts';
import { stateOf } from './run-machine.ts';
import { automationGuard, planWait, recordGuard, recordsOf, WAKE_PRECISION_MS } from './wait-plan.ts';
import { scheduleNameOf, wakeInputOf, type WakeInput } from './wake-input.ts';

/**
 * A waiting run comes back: its schedule fired (`scheduled`), or a record it waits on changed
 * (`reconsider`: the viewing moved, the deal moved on, the contact was archived). Either way it
 * re-reads its automation and records, checks its guards (see `wakeGuard`) and works out its
 * moment again: a moment that moved re-arms the schedule; a moment that has come goes on with the
 * next step. Only the schedule of the current revision wakes a run; an older one is stale and
 * ignored, and two wake-ups at once are settled by the execution's version (one goes on).
 */
export async function wakeRun(deps: RunDeps, input: WakeInput, mode: 'scheduled' | 'reconsider'): Promise<RunOutcome | undefined> {
  for (let attempt = 1; ; attempt++) {
    const execution = await deps.executions.get(input.tenantId, input.executionId);
    if (!execution) return undefined;
    try {
      // Woken, then a step failed transiently (or the attempt died): the retried wake-up goes on from there.
      if (mode === 'scheduled' && resumable(execution, input.step)) return await retry(deps, execution);
      if (execution.status !== 'waiting' || !execution.wait || execution.wait.step !== input.step) return undefined;
      if (mode === 'scheduled' && execution.wait.schedule !== scheduleNameOf(input)) return undefined;
      return await reconsider(deps, execution, mode);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // A wake-up that lost the race: the run is another's now. A change of a record must not be lost: read again.
      if (mode === 'scheduled' || attempt >= 3) return undefined;
    }
  }
}

/** Longer than a wake-run attempt may last (its timeout is 60 s): a run `running` this long was left by a dead attempt. */
const STALE_RUN_MS = 120_000;

/**
 * A run past this wait (woken) that is still open: failed and retryable, or left `running` by an
 * attempt that died. One that runs right now in another attempt is not touched.
 */
function resumable(execution: Execution, step: number): boolean {
  const wait = execution.steps.find((s) => s.index === step);
  if (wait?.type !== 'wait' || wait.status !== 'succeeded') return false;
  if (execution.status === 'failed' && execution.retryable) return true;
  // Written times are the stores' (real) time, so this is judged on real time too.
  return execution.status === 'running' && Date.now() - Date.parse(execution.updatedAt) > STALE_RUN_MS;
}

async function retry(deps: RunDeps, execution: Execution): Promise<RunOutcome | undefined> {
  const automation = await deps.automations.get(execution.tenantId, execution.automationId);
  const run = new Run(deps, automation ?? { id: execution.automationId, name: execution.automationName, actions: [] }, stateOf(execution));
  await run.apply({ type: 'retried', at: deps.now().toISOString() });
  const changed = automationGuard(automation, execution);
  if (changed) return run.stop('skipped', changed);
  return run.drive();
}

async function reconsider(deps: RunDeps, execution: Execution, mode: 'scheduled' | 'reconsider'): Promise<RunOutcome | undefined> {
  const wait = execution.wait!;
  const automation = await deps.automations.get(execution.tenantId, execution.automationId);
  const run = new Run(deps, automation ?? { id: execution.automationId, name: execution.automationName, actions: [] }, stateOf(execution));
  // The schedule that fired deletes itself; one that did not fire goes when the run ends early or goes on.
  const disarm = () => (mode === 'reconsider' ? deps.scheduler?.disarm(wait.schedule) : undefined);

  const changed = automationGuard(automation, execution);
  if (changed) return skip(run, changed, disarm);
  const action = automation!.actions[wait.step] as WaitAction;
  const ctx = await run.context();
  const guard = recordGuard(ctx, action);
  if (guard) return skip(run, guard, disarm);

  const now = deps.now();
  const step = execution.steps.find((s) => s.index === wait.step)!;
  const armedFor = new Date(execution.resumeAt ?? now);
  if (!wait.now) {
    const plan = planWait(action, recordsOf(ctx), { reachedAt: new Date(step.startedAt ?? execution.startedAt), now, timeZone: ctx.tenant.timeZone, sendWindow: ctx.sendWindow, armedFor });
    if (plan.kind === 'skip') return skip(run, plan.reason, disarm);
    if (plan.kind === 'park') {
      // Its moment is still ahead: where it was (nothing to do), or moved (a new schedule, the old one goes).
      if (Math.abs(plan.at.getTime() - armedFor.getTime()) < WAKE_PRECISION_MS && mode === 'reconsider') return undefined;
      return run.transient(wait.step, () => run.park(wait.step, plan.at, run.anchorOf(ctx)));
    }
    // A change moved its moment to now: the wake-run function goes on with it (within a minute), with its
    // retries and dead-letter queue, rather than the handler of the change.
    if (mode === 'reconsider') return run.transient(wait.step, () => run.park(wait.step, nextMinute(now), run.anchorOf(ctx), { now: true }));
  }
  await run.apply({ type: 'woke', index: wait.step, at: now.toISOString(), resumeAt: execution.resumeAt });
  await disarm();
  return run.drive();
}

/** The next whole minute: Scheduler fires within the minute after the time it is given, and a past time is not relied on. */
const nextMinute = (now: Date) => new Date(Math.ceil((now.getTime() + 1_000) / 60_000) * 60_000);

async function skip(run: Run, reason: string, disarm: () => Promise<void> | undefined): Promise<RunOutcome> {
  const outcome = await run.stop('skipped', reason);
  await disarm();
  return outcome;
}

/** The waiting run, or a 404 / 409 an admin can read. */
async function waitingRun(deps: Pick<RunDeps, 'executions'>, tenantId: string, executionId: string): Promise<Execution> {
  const execution = await deps.executions.get(tenantId, executionId);
  if (!execution) throw new NotFoundError(`No execution with id ${executionId}`);
  if (execution.status !== 'waiting' || !execution.wait) throw new ConflictError('not_waiting', `Execution ${executionId} is ${execution.status}, not waiting`);
  return execution;
}

/**
 * Ends a waiting run as skipped with the reason (an admin cancels it, or its automation is
 * disabled or deleted) and deletes its schedule. The run is saved first: a wake-up that comes
 * meanwhile finds it no longer waiting and does nothing.
 */
export async function cancelWaitingRun(deps: RunDeps, tenantId: string, executionId: string, reason: string): Promise<Execution> {
  const execution = await waitingRun(deps, tenantId, executionId);
  const run = new Run(deps, { id: execution.automationId, name: execution.automationName, actions: [] }, stateOf(execution));
  await run.stop('skipped', reason);
  await deps.scheduler?.disarm(execution.wait!.schedule);
  return run.execution;
}

/**
 * Wakes a waiting run within about a minute, whatever its moment (its guards still apply): a new
 * schedule at the next minute replaces the old one. Scheduler fires within the minute after the
 * time it is given, and a time in the past is not something to rely on.
 */
export async function resumeWaitingRunNow(deps: RunDeps, tenantId: string, executionId: string): Promise<Execution> {
  if (!deps.scheduler) throw new Error('Resuming a run needs a scheduler, and none is configured');
  const execution = await waitingRun(deps, tenantId, executionId);
  const run = new Run(deps, { id: execution.automationId, name: execution.automationName, actions: [] }, stateOf(execution));
  const at = nextMinute(deps.now());
  // No records to read: the wait keeps the record it follows.
  await run.park(execution.wait!.step, at, execution.wait!.anchor, { now: true });
  return run.execution;
}

/** The waiting runs of an automation, ended as skipped (at most `limit`; the rest end when they wake). */
export async function cancelWaitingRunsOf(deps: RunDeps, automation: Pick<Automation, 'id' | 'tenantId'>, reason: string, limit = 100): Promise<number> {
  const page = await deps.executions.listWaiting(automation.tenantId, { automationId: automation.id, limit });
  let cancelled = 0;
  for (const execution of page.items) {
    try {
      await cancelWaitingRun(deps, automation.tenantId, execution.id, reason);
      cancelled++;
    } catch (error) {
      // Woken or cancelled meanwhile: nothing left to do for it.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return cancelled;
}

/** The waiting runs of an automation, reconsidered (at most `limit`; the rest when they wake): its waits were edited. */
export async function reconsiderWaitingRunsOf(deps: RunDeps, automation: Pick<Automation, 'id' | 'tenantId'>, limit = 100): Promise<number> {
  const page = await deps.executions.listWaiting(automation.tenantId, { automationId: automation.id, limit });
  for (const execution of page.items) await wakeRun(deps, wakeInputOf(execution), 'reconsider');
  return page.items.length;
}

/** What the API does with waiting runs: an admin cancels one or resumes it now; disabling an automation cancels its waits. */
export interface WaitControl {
  cancel(tenantId: string, executionId: string, reason: string): Promise<Execution>;
  resumeNow(tenantId: string, executionId: string): Promise<Execution>;
  cancelAllOf(automation: Pick<Automation, 'id' | 'tenantId'>, reason: string): Promise<number>;
  /** After an edit: runs whose steps or trigger changed end as skipped, edited waits move to their new moment. */
  afterEdit(before: Pick<Automation, 'trigger' | 'actions'>, after: Automation): Promise<void>;
}

/** The API's wait control: it never sends or writes CRM records, so its runs get no mailer. */
export function createWaitControl(deps: Omit<EngineDeps, 'mailer'>): WaitControl {
  const now = deps.now ?? (() => new Date());
  const mailer: Mailer = { send: () => Promise.reject(new Error('The API never sends an automation\'s mail')) };
  const runDeps: RunDeps = { ...deps, mailer, now, log: deps.log ?? defaultLog, actionDeps: { stores: deps.stores, mailer, now } };
  return {
    cancel: (tenantId, executionId, reason) => cancelWaitingRun(runDeps, tenantId, executionId, reason),
    resumeNow: (tenantId, executionId) => resumeWaitingRunNow(runDeps, tenantId, executionId),
    cancelAllOf: (automation, reason) => cancelWaitingRunsOf(runDeps, automation, reason),
    async afterEdit(before, after) {
      if (!after.enabled) return void (await cancelWaitingRunsOf(runDeps, after, 'The automation was disabled'));
      if (before.trigger.event !== after.trigger.event) return void (await cancelWaitingRunsOf(runDeps, after, `The automation's trigger was changed (to ${after.trigger.event})`));
      const types = (actions: readonly { type: string }[]) => actions.map((a) => a.type).join(',');
      if (types(before.actions) !== types(after.actions)) return void (await cancelWaitingRunsOf(runDeps, after, "The automation's steps were changed"));
      const waits = (actions: readonly { type: string }[]) => JSON.stringify(actions.filter((a) => a.type === 'wait'));
      if (waits(before.actions) !== waits(after.actions)) await reconsiderWaitingRunsOf(runDeps, after);
    },
  };
}
