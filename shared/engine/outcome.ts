import type { Execution, StepRecord } from '../automations/execution.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { sentEmailRecorded } from './actions/send-email.ts';

/**
 * The rules of an honest outcome, shared by a run that resumes and by the closing of a run whose
 * retries ran out, so both say the same thing about the same steps.
 */

/**
 * Whether a step's side effect cannot be repeated safely (an e-mail): such a step is recorded as
 * started before it acts, so that no attempt ever repeats it. Every other step is a write that a
 * retry may simply run again (ids derived from execution and step, set-to-value updates,
 * find-or-create), so it runs without that extra request.
 */
export const actsOnce = (step: Pick<StepRecord, 'type'>): boolean => step.type === 'send_email';

const UNFINISHED = new Set<StepRecord['status']>(['pending', 'started', 'failed']);

/**
 * Whether an unfinished write step may have written in an attempt that ended without recording
 * how far it got. Every attempt records the run as `running` before it acts (the claim, a retry's
 * checkpoint), and writes are not recorded as started: so in a run found `running`, any write step
 * not yet finished may have run.
 */
export function mayHaveWritten(execution: Pick<Execution, 'status'>, step: StepRecord): boolean {
  return execution.status === 'running' && step.type !== 'wait' && !actsOnce(step) && UNFINISHED.has(step.status);
}

/** A finished step changed something unless it says it changed nothing (`changed: []`). */
export function madeAChange(step: Pick<StepRecord, 'result'>): boolean {
  const listed = step.result?.changed;
  return !(Array.isArray(listed) && listed.length === 0);
}

/**
 * A send step an attempt left `started`: the e-mail activity is written right after a send, so its
 * presence proves the send (the step succeeded); without it the mail may or may not have gone out
 * (`uncertain`), and it is never sent again.
 */
export async function settleInterruptedSend(stores: Pick<CrmStores, 'activities'> | undefined, execution: Execution, step: StepRecord, at: string): Promise<{ step: StepRecord; sent: boolean }> {
  const sent = stores ? await sentEmailRecorded(stores, execution.tenantId, execution.id, step.index) : false;
  return { sent, step: settledSend(step, sent, at) };
}

/** The send step once it is known whether its e-mail went out. */
export function settledSend(step: StepRecord, sent: boolean, at: string): StepRecord {
  return sent
    ? { ...step, status: 'succeeded', finishedAt: at, result: { note: 'An attempt was interrupted after the send; the recorded e-mail activity confirms it' } }
    : { ...step, status: 'uncertain', finishedAt: at, error: 'An attempt was interrupted during the send; whether the e-mail went out is unknown, and it is not sent again' };
}

/**
 * How a run ends when a step is skipped or fails for good: `uncertain` when a send was lost (whatever
 * came after), `partial` when something changed before, otherwise `skipped` or `failed`.
 */
export function stoppedOutcome(kind: 'skipped' | 'failed', text: string, steps: readonly StepRecord[], changed: boolean): Pick<Execution, 'status' | 'reason' | 'error'> {
  if (steps.some((s) => s.status === 'uncertain')) return { status: 'uncertain', reason: `A send was interrupted (not repeated); then: ${text}` };
  const status = changed ? 'partial' : kind;
  return kind === 'failed' ? { status, error: text } : { status, reason: text };
}
