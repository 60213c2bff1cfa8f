import { isFinal, type Execution, type StepRecord, type StepWarning } from '../automations/execution.ts';
import type { Action, Automation } from '../automations/model.ts';
import { emptyVariables } from '../automations/templates.ts';
import { prepareAction } from './actions/index.ts';
import type { ActionDeps } from './actions/types.ts';
import { buildContext, type RunContext } from './context.ts';
import { describe, isPermanent, provenNotSent, SkipError } from './errors.ts';
import type { EngineDeps, RunOutcome } from './engine.ts';
import { executionIdOf } from './execution-id.ts';
import type { Log } from '../log.ts';
import { madeAChange, settleInterruptedSend, stoppedOutcome } from './outcome.ts';

/** Chains of automations (an action's write triggering the next automation) stop at this depth. */
export const MAX_CHAIN_DEPTH = 3;

export interface RunDeps extends EngineDeps {
  now: () => Date;
  log: Log;
  actionDeps: ActionDeps;
}

/**
 * One run of one automation for one event, exactly once: the run is claimed by writing its
 * execution (the id is derived from automation and eventKey), each step is recorded as started
 * before its side effect, and the outcome says honestly what happened: `partial` when something
 * changed before a skip or failure, `uncertain` when a send may or may not have gone out (it is
 * never sent again). A transient error is recorded, not counted, and thrown so that AWS retries;
 * the retry resumes after the last finished step. `broken` ends the run as failed with that reason.
 */
export async function runAutomation(deps: RunDeps, automation: Automation, type: string, detail: Record<string, any>, broken?: string): Promise<RunOutcome> {
  const { now, log } = deps;
  const started = now().toISOString();
  const depth: number = detail.causedBy?.depth ?? 0;
  let execution: Execution = {
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

  const claim = await deps.executions.begin(execution);
  if (!claim.claimed) {
    const previous = await deps.executions.get(detail.tenantId, claim.executionId);
    if (!previous || isFinal(previous)) return { automationId: automation.id, executionId: claim.executionId, status: 'duplicate' };
    execution = { ...previous, status: 'running', attempts: previous.attempts + 1, retryable: undefined };
  }

  let ctx: RunContext | undefined;
  let contactId = execution.contactId;
  const record = async (patch: Partial<Execution>, final: boolean): Promise<RunOutcome> => {
    const finishedAt = now().toISOString();
    contactId ??= contactActedOn(execution);
    execution = await deps.executions.finish(
      { ...execution, ...patch, ...(contactId ? { contactId } : {}), finishedAt, durationMs: Date.parse(finishedAt) - Date.parse(execution.startedAt) },
      { final },
    );
    const level = execution.status === 'succeeded' || execution.status === 'skipped' ? 'INFO' : 'WARN';
    log({ level, message: 'Automation run', automationId: automation.id, executionId: execution.id, status: execution.status, reason: execution.reason, error: execution.error, final });
    return { automationId: automation.id, executionId: execution.id, status: execution.status };
  };
  const setStep = (index: number, patch: Partial<StepRecord>) => {
    execution = { ...execution, steps: execution.steps.map((s) => (s.index === index ? { ...s, ...patch } : s)) };
  };

  /** Whether a step changed something: a later skip or failure then makes the run `partial`. */
  let changed = execution.steps.some((s) => s.status === 'succeeded' && madeAChange(s));
  const uncertain = () => execution.steps.some((s) => s.status === 'uncertain');
  /** Ends the run early; a skip or failure after a change is `partial`, after a lost send `uncertain`. */
  const stop = (kind: 'skipped' | 'failed', text: string) => record({ ...stoppedOutcome(kind, text, execution.steps, changed), retryable: false }, true);

  if (broken) return stop('failed', broken);
  if (detail.causedBy?.automationId === automation.id) return stop('skipped', 'The automation caused this event itself; an automation never triggers itself');
  if (depth >= MAX_CHAIN_DEPTH) return stop('skipped', `Chain of automations stopped at depth ${depth} (limit ${MAX_CHAIN_DEPTH})`);

  for (const step of execution.steps) {
    if (step.status === 'succeeded' || step.status === 'skipped' || step.status === 'uncertain') continue;
    const action = automation.actions[step.index];
    if (!action) continue;
    if (step.status === 'started' && action.type === 'send_email') {
      const settled = await settleInterruptedSend(deps.stores, execution, step, now().toISOString());
      setStep(step.index, settled.step);
      if (settled.sent) changed = true;
      continue;
    }
    // A write step found started may have written before the crash: the run counts as having changed something.
    if (step.status === 'started') changed = true;
    let executing = false;
    try {
      ctx ??= await buildContext(deps.stores, type, detail, { automationId: automation.id, automationName: automation.name, executionId: execution.id });
      contactId ??= ctx.contact?.id;
      const prepared = await prepareAction(action, ctx, { executionId: execution.id, index: step.index }, deps.actionDeps);
      const warnings = emptyVariableWarnings(action, ctx);
      setStep(step.index, { status: 'started', attempts: step.attempts + 1, startedAt: now().toISOString(), error: undefined, ...(warnings.length ? { warnings } : {}) });
      execution = await deps.executions.checkpoint(execution);
      executing = true;
      const result = await prepared.execute();
      setStep(step.index, { status: 'succeeded', result, finishedAt: now().toISOString() });
      if (madeAChange({ result })) changed = true;
      if (prepared.writes) ctx = undefined;
    } catch (error) {
      const reason = describe(error);
      if (error instanceof SkipError) {
        setStep(step.index, { status: 'skipped', error: reason, finishedAt: now().toISOString() });
        return stop('skipped', reason);
      }
      if (executing && action.type === 'send_email' && !isPermanent(error) && !provenNotSent(error)) {
        // A timeout or a broken connection after the request went out: SES may have taken the
        // mail. It is never sent again; the run goes on with its next steps.
        setStep(step.index, { status: 'uncertain', error: `${reason}: the e-mail may have gone out; it is not sent again`, finishedAt: now().toISOString() });
        continue;
      }
      setStep(step.index, { status: 'failed', error: reason, finishedAt: now().toISOString() });
      if (isPermanent(error)) return stop('failed', reason);
      await record({ status: changed ? 'partial' : 'failed', error: reason, retryable: true }, false);
      throw error;
    }
  }
  if (uncertain()) return record({ status: 'uncertain', error: undefined, reason: 'A send was interrupted; whether that e-mail went out is unknown' }, true);
  return record({ status: 'succeeded', error: undefined, reason: undefined }, true);
}


/** The template variables of an action that are empty for this run: the step records them as warnings. */
function emptyVariableWarnings(action: Action, ctx: RunContext): StepWarning[] {
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
