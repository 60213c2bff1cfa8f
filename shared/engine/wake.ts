import { isFinal, type Execution } from '../automations/execution.ts';
import type { Automation, WaitAction } from '../automations/model.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { EngineDeps, RunOutcome } from './engine.ts';
import type { Mailer } from './mailer.ts';
import { log as defaultLog } from '../log.ts';
import { Run, type RunDeps } from './run.ts';
import { stateOf } from './run-machine.ts';
import { automationGuard, planWait, recordGuard, recordsOf, WAKE_PRECISION_MS } from './wait-plan.ts';
import type { WakeInput } from './wake-schedules.ts';

/**
 * A waiting run comes back: its schedule fired (`scheduled`), or a record it waits on changed
 * (`reconsider`: the viewing moved, the deal moved on, the contact was archived). Either way it
 * re-reads its automation and records, checks its guards (see `wakeGuard`) and works out its
 * moment again: a moment that moved re-arms the schedule; a moment that has come goes on with the
 * next step. Only the schedule of the current revision wakes a run; an older one is stale and
 * ignored, and two wake-ups at once are settled by the execution's version (one goes on).
 */
export async function wakeRun(deps: RunDeps, input: WakeInput, mode: 'scheduled' | 'reconsider'): Promise<RunOutcome | undefined> {
  const execution = await deps.executions.get(input.tenantId, input.executionId);
  if (!execution) return undefined;
  try {
    // Woken, then a step failed transiently: the wake-up is retried (Lambda's retries of wake-run) and the run goes on from there.
    if (mode === 'scheduled' && resumable(execution, input.step)) return await retry(deps, execution);
    if (execution.status !== 'waiting' || !execution.wait || execution.wait.step !== input.step) return undefined;
    if (mode === 'scheduled' && execution.wait.revision !== input.revision) return undefined;
    return await reconsider(deps, execution, mode);
  } catch (error) {
    // Another wake-up (or an admin) changed the run first: it is theirs now.
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}

/** A run past this wait (woken) that is still open: running, or failed and retryable. */
const resumable = (execution: Execution, step: number) =>
  !isFinal(execution) && execution.status !== 'waiting' && execution.steps.find((s) => s.index === step)?.status === 'succeeded' && execution.steps[step]?.type === 'wait';

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
  const current = { tenantId: execution.tenantId, executionId: execution.id, step: wait.step, revision: wait.revision };
  // The schedule that fired deletes itself; one that did not fire goes when the run ends early or goes on.
  const disarm = () => (mode === 'reconsider' ? deps.scheduler?.disarm(current) : undefined);

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
  }
  await run.apply({ type: 'woke', index: wait.step, at: now.toISOString(), resumeAt: execution.resumeAt });
  await disarm();
  return run.drive();
}

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
  const { step, revision } = execution.wait!;
  await deps.scheduler?.disarm({ tenantId, executionId, step, revision });
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
  const at = new Date(Math.ceil((deps.now().getTime() + 1_000) / 60_000) * 60_000);
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

/** What the API does with waiting runs: an admin cancels one or resumes it now; disabling an automation cancels its waits. */
export interface WaitControl {
  cancel(tenantId: string, executionId: string, reason: string): Promise<Execution>;
  resumeNow(tenantId: string, executionId: string): Promise<Execution>;
  cancelAllOf(automation: Pick<Automation, 'id' | 'tenantId'>, reason: string): Promise<number>;
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
  };
}
