import { TRIGGERS, isDetailType } from '#events/registry';
import { isFinal, type Execution, type StepRecord, type StepWarning, type WaitState } from '../automations/execution.ts';
import type { Automation, WaitAction } from '../automations/model.ts';
import { emptyVariables } from '../automations/templates.ts';
import { prepareAction, type StepAction } from './actions/index.ts';
import { sentEmailRecorded } from './actions/send-email.ts';
import type { ActionDeps } from './actions/types.ts';
import { buildContext, type RunContext } from './context.ts';
import { describe, isPermanent, provenNotSent, SkipError } from './errors.ts';
import type { EngineDeps, RunOutcome } from './engine.ts';
import { executionIdOf } from './execution-id.ts';
import { ConflictError } from '../errors.ts';
import type { Log } from '../log.ts';
import { nextMove, stateOf, transition, type RunEvent, type RunState } from './run-machine.ts';
import { planWait, recordsOf } from './wait-plan.ts';

/** Chains of automations (an action's write triggering the next automation) stop at this depth. */
export const MAX_CHAIN_DEPTH = 3;

export interface RunDeps extends EngineDeps {
  now: () => Date;
  log: Log;
  actionDeps: ActionDeps;
}

/**
 * One run of one automation for one event, exactly once: the run is claimed by writing its
 * execution (the id is derived from automation and eventKey), a step that must not be repeated (a
 * send) is recorded as started before its side effect, and the outcome says honestly what happened
 * (see run-machine.ts). Writes are idempotent and not recorded before they act, so a run of writes
 * costs three requests: the candidates' query, the claim, the record. A transient error is
 * recorded, not counted, and thrown so that AWS retries; the retry resumes after the last finished
 * step. `broken` ends the run as failed with that reason.
 */
export async function runAutomation(deps: RunDeps, automation: Automation, type: string, detail: Record<string, any>, broken?: string): Promise<RunOutcome> {
  const started = deps.now().toISOString();
  const depth: number = detail.causedBy?.depth ?? 0;
  const fresh: Execution = {
    id: executionIdOf(detail.tenantId, automation.id, detail.eventKey),
    tenantId: detail.tenantId,
    version: 1,
    createdAt: started,
    updatedAt: started,
    automationId: automation.id,
    automationName: automation.name,
    automationVersion: automation.version,
    eventKey: detail.eventKey,
    eventType: type,
    event: detail,
    status: 'running',
    attempts: 1,
    depth,
    steps: automation.actions.map((action, index): StepRecord => ({ index, type: action.type, status: 'pending', attempts: 0 })),
    startedAt: started,
  };

  const claim = await deps.executions.begin(fresh);
  let run = new Run(deps, automation, stateOf(fresh));
  if (!claim.claimed) {
    const previous = await deps.executions.get(detail.tenantId, claim.executionId);
    // A waiting run is woken by its schedule, never by the event delivered again.
    if (!previous || isFinal(previous) || previous.status === 'waiting') return { automationId: automation.id, executionId: claim.executionId, status: 'duplicate' };
    run = new Run(deps, automation, stateOf(previous));
    await run.apply({ type: 'retried', at: started });
  }

  if (broken) return run.stop('failed', broken);
  if (detail.causedBy?.automationId === automation.id) return run.stop('skipped', 'The automation caused this event itself; an automation never triggers itself');
  if (depth >= MAX_CHAIN_DEPTH) return run.stop('skipped', `Chain of automations stopped at depth ${depth} (limit ${MAX_CHAIN_DEPTH})`);
  return run.drive();
}

/**
 * A run under way: applies the state machine's transitions, saves what they say to save, and
 * performs the side effects between them. Used for a new run, a retried one and a woken one.
 */
export class Run {
  private ctx: RunContext | undefined;

  constructor(
    private readonly deps: RunDeps,
    /** The automation as it is now; a woken run checks it still fits before this is used. */
    private readonly automation: Pick<Automation, 'id' | 'name' | 'actions'>,
    private state: RunState,
    ctx?: RunContext,
  ) {
    this.ctx = ctx;
  }

  get execution(): Execution {
    return this.state.execution;
  }

  private at = () => this.deps.now().toISOString();

  /** Applies one transition and saves as it says; returns the outcome once the run is recorded. */
  async apply(event: RunEvent): Promise<RunOutcome | undefined> {
    const { state, save } = transition(this.state, event);
    this.state = state;
    if (save === 'checkpoint') {
      this.state = { ...this.state, execution: await this.deps.executions.checkpoint(this.execution) };
      return undefined;
    }
    if (save === 'record' || save === 'record_final') return this.record(save === 'record_final');
    return undefined;
  }

  stop(kind: 'skipped' | 'failed', reason: string): Promise<RunOutcome> {
    return this.apply({ type: 'stopped', kind, reason, at: this.at() }) as Promise<RunOutcome>;
  }

  /** The run's records, loaded once and again after a step that wrote. */
  async context(): Promise<RunContext> {
    const { execution } = this;
    this.ctx ??= await buildContext(this.deps.stores, execution.eventType, execution.event, { automationId: execution.automationId, automationName: execution.automationName, executionId: execution.id });
    return this.ctx;
  }

  /** Goes through the steps until the run ends or parks at a wait. */
  async drive(): Promise<RunOutcome> {
    for (;;) {
      const move = nextMove(this.execution, this.automation.actions);
      let outcome: RunOutcome | undefined;
      if (move.kind === 'finish') return (await this.apply({ type: 'finished', at: this.at() }))!;
      if (move.kind === 'settle_send') {
        const sent = await sentEmailRecorded(this.deps.stores, this.execution.tenantId, this.execution.id, move.index);
        await this.apply({ type: 'send_settled', index: move.index, at: this.at(), sent });
      } else if (move.kind === 'wait') {
        outcome = await this.transient(move.index, () => this.reachWait(move.index, move.action));
      } else {
        outcome = await this.step(move.index, move.action);
      }
      if (outcome) return outcome;
    }
  }

  /** An action step: prepared (no side effect), started (recorded first if it acts once), executed, done. */
  private async step(index: number, action: StepAction): Promise<RunOutcome | undefined> {
    let executing = false;
    try {
      const ctx = await this.context();
      const prepared = await prepareAction(action, ctx, { executionId: this.execution.id, index }, this.deps.actionDeps);
      await this.apply({ type: 'started', index, at: this.at(), warnings: emptyVariableWarnings(action, ctx) });
      executing = true;
      const result = await prepared.execute();
      await this.apply({ type: 'succeeded', index, at: this.at(), result });
      if (prepared.writes) this.ctx = undefined;
      return undefined;
    } catch (error) {
      const reason = describe(error);
      if (error instanceof SkipError) return this.apply({ type: 'skipped', index, at: this.at(), reason });
      if (executing && action.type === 'send_email' && !isPermanent(error) && !provenNotSent(error)) {
        // A timeout or a broken connection after the request went out: SES may have taken the
        // mail. It is never sent again; the run goes on with its next steps.
        await this.apply({ type: 'send_uncertain', index, at: this.at(), error: reason });
        return undefined;
      }
      return this.fail(index, error);
    }
  }

  /** A failure: permanent ones end the run; transient ones are recorded and thrown, so that AWS retries. */
  private async fail(index: number, error: unknown): Promise<RunOutcome> {
    const permanent = isPermanent(error);
    const outcome = await this.apply({ type: 'failed', index, at: this.at(), error: describe(error), permanent });
    if (!permanent) throw error;
    return outcome!;
  }

  /** Runs `work`; a throttled or unreachable service fails the step as a transient failure would. */
  async transient(index: number, work: () => Promise<RunOutcome | undefined>): Promise<RunOutcome | undefined> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ConflictError) throw error;
      return this.fail(index, error);
    }
  }

  /** The run reaches a wait: goes on at once if its moment has come, else parks until a schedule wakes it. */
  private async reachWait(index: number, action: WaitAction): Promise<RunOutcome | undefined> {
    const ctx = await this.context();
    const step = this.execution.steps.find((s) => s.index === index)!;
    const now = this.deps.now();
    const plan = planWait(action, recordsOf(ctx), { reachedAt: step.startedAt ? new Date(step.startedAt) : now, now, timeZone: ctx.tenant.timeZone, sendWindow: ctx.sendWindow });
    if (plan.kind === 'skip') return this.apply({ type: 'skipped', index, at: now.toISOString(), reason: plan.reason });
    if (plan.kind === 'due') return this.apply({ type: 'woke', index, at: now.toISOString() });
    return this.park(index, plan.at, this.anchorOf(ctx));
  }

  /** The record a wait follows: the trigger's subject (its change reconsiders the wait at once). */
  anchorOf(ctx: RunContext): WaitState['anchor'] {
    const subject = isDetailType(this.execution.eventType) ? TRIGGERS[this.execution.eventType].subject : undefined;
    const id = subject ? ctx.ids[subject] : undefined;
    return subject && id ? { entity: subject, id } : undefined;
  }

  /**
   * Arms the schedule (named after execution, step, revision and moment), then records the run as
   * waiting. Two attempts that parked from the same revision (two changes of the record at once)
   * arm two schedules; the one whose save loses the version check deletes its own.
   */
  async park(index: number, at: Date, anchor: WaitState['anchor'], options: { now?: boolean } = {}): Promise<RunOutcome> {
    const { scheduler } = this.deps;
    if (!scheduler) return this.apply({ type: 'failed', index, at: this.at(), error: 'A wait needs a scheduler, and none is configured', permanent: true }) as Promise<RunOutcome>;
    const previous = this.execution.wait;
    const moment = new Date(Math.floor(at.getTime() / 1000) * 1000);
    const wake = { tenantId: this.execution.tenantId, executionId: this.execution.id, step: index, revision: previous ? previous.revision + 1 : 0, at: moment.getTime() / 1000 };
    const schedule = await scheduler.arm(wake);
    const wait = { step: index, revision: wake.revision, schedule, ...(options.now ? { now: true } : {}), ...(anchor ? { anchor } : {}) };
    let outcome: RunOutcome | undefined;
    try {
      outcome = previous
        ? await this.apply({ type: 'rearmed', at: this.at(), resumeAt: moment.toISOString(), wait })
        : await this.apply({ type: 'waiting', index, at: this.at(), resumeAt: moment.toISOString(), wait });
    } catch (error) {
      if (error instanceof ConflictError) {
        // Another attempt recorded its own schedule first: ours goes, unless it is the very same one.
        const winner = await this.deps.executions.get(this.execution.tenantId, this.execution.id);
        if (winner?.wait?.schedule !== schedule) await scheduler.disarm(schedule);
      }
      throw error;
    }
    // The older schedule goes once the newer one is recorded: a crash in between leaves a stale wake-up, which is ignored.
    if (previous && previous.schedule !== schedule) await scheduler.disarm(previous.schedule);
    return outcome ?? { automationId: this.execution.automationId, executionId: this.execution.id, status: 'waiting' };
  }

  private async record(final: boolean): Promise<RunOutcome> {
    const { deps } = this;
    const at = this.at();
    let execution = this.execution;
    const contactId = execution.contactId ?? contactActedOn(execution) ?? this.ctx?.contact?.id;
    const timing = execution.status === 'waiting' ? { finishedAt: undefined, durationMs: undefined } : { finishedAt: at, durationMs: Date.parse(at) - Date.parse(execution.startedAt) };
    execution = await deps.executions.finish({ ...execution, ...(contactId ? { contactId } : {}), ...timing }, { final });
    this.state = { ...this.state, execution };
    const level = execution.status === 'succeeded' || execution.status === 'skipped' || execution.status === 'waiting' ? 'INFO' : 'WARN';
    deps.log({ level, message: 'Automation run', automationId: execution.automationId, executionId: execution.id, status: execution.status, reason: execution.reason, error: execution.error, resumeAt: execution.resumeAt, final });
    deps.metrics?.recorded(execution);
    return { automationId: execution.automationId, executionId: execution.id, status: execution.status };
  }
}

/** The template variables of an action that are empty for this run: the step records them as warnings. */
function emptyVariableWarnings(action: StepAction, ctx: RunContext): StepWarning[] {
  const sources = action.type === 'send_email' ? [action.subject, action.body] : action.type === 'create_task' ? [action.title, action.body] : [];
  const empty = [...new Set(sources.flatMap((source) => (source ? emptyVariables(source, ctx.templateData) : [])))];
  return empty.map((variable) => ({ code: 'empty_variable', message: `{{${variable}}} was empty for this run`, params: { variable } }));
}

/** The contact a step created or found (create_contact), when the event named none. */
function contactActedOn(execution: Execution): string | undefined {
  for (const step of execution.steps) {
    const id = step.result?.contactId;
    if (typeof id === 'string') return id;
  }
  return undefined;
}
