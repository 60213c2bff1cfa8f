import type { Execution, StepRecord, StepWarning, WaitState } from '../automations/execution.ts';
import type { Action, WaitAction } from '../automations/model.ts';
import { actsOnce, madeAChange, mayHaveWritten, settledSend, stoppedOutcome } from './outcome.ts';

/**
 * A run as a state machine, without any I/O: which step comes next, and what each thing that
 * happens to a step does to the execution. The engine around it (run.ts, wake.ts) loads records,
 * performs side effects and saves what `transition` says to save; every rule of an honest outcome
 * lives here, with a unit test per transition.
 */

export interface RunState {
  execution: Execution;
  /** Whether a step changed something: a later skip or failure then makes the run `partial`. */
  changed: boolean;
}

/** What the engine does next. */
export type Move =
  /** A send an earlier attempt left `started`: find out whether it went out; it is never sent again. */
  | { kind: 'settle_send'; index: number }
  | { kind: 'run_step'; index: number; action: Exclude<Action, WaitAction> }
  /** Work out the wait's moment: park the run, or go on at once when it has come. */
  | { kind: 'wait'; index: number; action: WaitAction }
  | { kind: 'finish' };

/** How the engine saves after a transition: a step boundary (version-checked), or with the automation's last-run fields. */
export type Save = 'checkpoint' | 'record' | 'record_final';

export type RunEvent =
  /**
   * The event was delivered again while the run was open (AWS retries a transient failure, or an
   * attempt died). Recorded before the retry acts, so that a retry that dies is seen as one too.
   */
  | { type: 'retried'; at: string }
  | { type: 'started'; index: number; at: string; warnings?: StepWarning[] }
  | { type: 'succeeded'; index: number; at: string; result: Record<string, unknown> }
  /** The step cannot apply (no address, no consent): the run ends with the reason. */
  | { type: 'skipped'; index: number; at: string; reason: string }
  | { type: 'failed'; index: number; at: string; error: string; permanent: boolean }
  /** A send broke off after the request went out: it may have been delivered; never repeated. */
  | { type: 'send_uncertain'; index: number; at: string; error: string }
  /** A send found `started`: `sent` when its e-mail activity proves it went out. */
  | { type: 'send_settled'; index: number; at: string; sent: boolean }
  | { type: 'waiting'; index: number; at: string; resumeAt: string; wait: WaitState }
  /** The wait's moment moved (the viewing was moved, or an admin resumes it now): a new schedule. */
  | { type: 'rearmed'; at: string; resumeAt: string; wait: WaitState }
  /** The wait is over (its moment came, or it had come when the run reached it). */
  | { type: 'woke'; index: number; at: string; resumeAt?: string }
  /** The run ends before its steps are done: a guard, an admin's cancel, a broken pattern. */
  | { type: 'stopped'; at: string; kind: 'skipped' | 'failed'; reason: string }
  | { type: 'finished'; at: string };

export interface Transition {
  state: RunState;
  save?: Save;
  /** A transient failure: the engine saves, then throws so that AWS retries. */
  retry?: boolean;
}

const DONE = new Set<StepRecord['status']>(['succeeded', 'skipped', 'uncertain']);

/** The next thing to do, from the step records alone. */
export function nextMove(execution: Execution, actions: readonly Action[]): Move {
  for (const step of execution.steps) {
    if (DONE.has(step.status)) continue;
    const action = actions[step.index];
    if (!action) continue;
    if (action.type === 'wait') return { kind: 'wait', index: step.index, action };
    if (step.status === 'started' && action.type === 'send_email') return { kind: 'settle_send', index: step.index };
    return { kind: 'run_step', index: step.index, action };
  }
  return { kind: 'finish' };
}

/** The state a run starts or resumes from: what its finished steps changed. */
export function stateOf(execution: Execution): RunState {
  return { execution, changed: execution.steps.some((s) => s.status === 'succeeded' && madeAChange(s)) };
}

const stepAt = (execution: Execution, index: number): StepRecord => {
  const step = execution.steps.find((s) => s.index === index);
  if (!step) throw new Error(`Execution ${execution.id} has no step ${index}`);
  return step;
};

const withStep = (execution: Execution, index: number, patch: Partial<StepRecord>): Execution => ({
  ...execution,
  steps: execution.steps.map((s) => (s.index === index ? { ...s, ...patch } : s)),
});

/** Leaves the waiting state behind: no resumeAt, no schedule. */
const awake = (execution: Execution): Execution => {
  const { resumeAt: _r, wait: _w, ...rest } = execution;
  return rest as Execution;
};

export function transition({ execution, changed }: RunState, event: RunEvent): Transition {
  switch (event.type) {
    case 'retried': {
      // A run found `running` was left by an attempt that died (or runs still): its unfinished writes may have happened.
      const interrupted = execution.steps.some((s) => mayHaveWritten(execution, s));
      return { state: { execution: { ...execution, status: 'running', attempts: execution.attempts + 1, retryable: undefined }, changed: changed || interrupted }, save: 'checkpoint' };
    }

    case 'started': {
      const step = stepAt(execution, event.index);
      // A write found started may have written before the attempt broke off: the run has changed something.
      const maybeWrote = step.status === 'started';
      const next = withStep(execution, event.index, {
        status: 'started',
        attempts: step.attempts + 1,
        startedAt: event.at,
        error: undefined,
        ...(event.warnings?.length ? { warnings: event.warnings } : {}),
      });
      // Only a step that must not be repeated is recorded before it acts; a write is recorded with what follows.
      return { state: { execution: next, changed: changed || maybeWrote }, save: actsOnce(step) ? 'checkpoint' : undefined };
    }

    case 'succeeded':
      return {
        state: {
          execution: withStep(execution, event.index, { status: 'succeeded', result: event.result, finishedAt: event.at }),
          changed: changed || madeAChange({ result: event.result }),
        },
      };

    case 'skipped': {
      const next = withStep(execution, event.index, { status: 'skipped', error: event.reason, finishedAt: event.at });
      return stop({ execution: next, changed }, 'skipped', event.reason);
    }

    case 'failed': {
      const next = withStep(execution, event.index, { status: 'failed', error: event.error, finishedAt: event.at });
      if (event.permanent) return stop({ execution: next, changed }, 'failed', event.error);
      // Shown as the last run, not counted: AWS delivers the event again and the retry resumes here.
      return { state: { execution: { ...next, status: changed ? 'partial' : 'failed', error: event.error, retryable: true }, changed }, save: 'record', retry: true };
    }

    case 'send_uncertain':
      return {
        state: {
          execution: withStep(execution, event.index, { status: 'uncertain', error: `${event.error}: the e-mail may have gone out; it is not sent again`, finishedAt: event.at }),
          changed,
        },
      };

    case 'send_settled': {
      const step = settledSend(stepAt(execution, event.index), event.sent, event.at);
      return { state: { execution: withStep(execution, step.index, step), changed: changed || event.sent } };
    }

    case 'waiting': {
      const step = stepAt(execution, event.index);
      const next = withStep(execution, event.index, {
        status: 'waiting',
        attempts: step.status === 'waiting' ? step.attempts : step.attempts + 1,
        startedAt: step.startedAt ?? event.at,
        result: { resumeAt: event.resumeAt },
        error: undefined,
      });
      return { state: { execution: { ...next, status: 'waiting', resumeAt: event.resumeAt, wait: event.wait, retryable: undefined, error: undefined }, changed }, save: 'record' };
    }

    case 'rearmed': {
      const next = withStep(execution, event.wait.step, { result: { resumeAt: event.resumeAt } });
      return { state: { execution: { ...next, resumeAt: event.resumeAt, wait: event.wait }, changed }, save: 'checkpoint' };
    }

    case 'woke': {
      const step = stepAt(execution, event.index);
      const next = withStep(awake(execution), event.index, {
        status: 'succeeded',
        attempts: Math.max(step.attempts, 1),
        startedAt: step.startedAt ?? event.at,
        finishedAt: event.at,
        // A wait changes nothing: it never makes a later skip `partial`.
        result: { changed: [], ...(event.resumeAt ? { waitedUntil: event.resumeAt } : { waited: false }) },
      });
      return { state: { execution: { ...next, status: 'running' }, changed }, save: execution.status === 'waiting' ? 'checkpoint' : undefined };
    }

    case 'stopped': {
      // A run stopped while it waits: its wait step is what did not go on.
      const waiting = execution.steps.find((s) => s.status === 'waiting');
      const next = waiting ? withStep(awake(execution), waiting.index, { status: 'skipped', error: event.reason, finishedAt: event.at }) : execution;
      return stop({ execution: next, changed }, event.kind, event.reason);
    }

    case 'finished': {
      const uncertain = execution.steps.some((s) => s.status === 'uncertain');
      const outcome = uncertain
        ? { status: 'uncertain' as const, error: undefined, reason: 'A send was interrupted; whether that e-mail went out is unknown' }
        : { status: 'succeeded' as const, error: undefined, reason: undefined };
      return { state: { execution: { ...awake(execution), ...outcome, retryable: undefined }, changed }, save: 'record_final' };
    }
  }
}

/** Ends the run early: a skip or failure after a change is `partial`, after a lost send `uncertain`. */
function stop({ execution, changed }: RunState, kind: 'skipped' | 'failed', text: string): Transition {
  const outcome = stoppedOutcome(kind, text, execution.steps, changed);
  return { state: { execution: { ...awake(execution), reason: undefined, error: undefined, ...outcome, retryable: false }, changed }, save: 'record_final' };
}
