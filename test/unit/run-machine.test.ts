import { describe, expect, it } from 'vitest';
import type { Execution, StepRecord } from '#shared/automations/execution';
import { Action, type Action as ActionType } from '#shared/automations/model';
import { nextMove, stateOf, transition, type RunState } from '#shared/engine/run-machine';

/** Every transition of a run, without I/O: what it does to the execution and what it asks to save. */

const AT = '2026-11-27T10:00:00.000Z';
const LATER = '2026-11-27T10:05:00.000Z';

const actions: ActionType[] = [
  Action.parse({ type: 'update_contact', set: { status: 'Kunde' } }),
  Action.parse({ type: 'wait', for: 'P1D' }),
  Action.parse({ type: 'send_email', to: 'contact', subject: 'S', body: 'B' }),
];

function execution(steps: Array<Partial<StepRecord>> = [], patch: Partial<Execution> = {}): Execution {
  return {
    id: 'x1',
    tenantId: 't1',
    version: 3,
    createdAt: AT,
    updatedAt: AT,
    automationId: 'a1',
    automationName: 'A',
    automationVersion: 1,
    eventKey: 'k',
    eventType: 'ContactCreated',
    event: {},
    status: 'running',
    attempts: 1,
    depth: 0,
    startedAt: AT,
    steps: actions.map((a, index) => ({ index, type: a.type, status: 'pending', attempts: 0, ...steps[index] })),
    ...patch,
  };
}

const state = (e: Execution, changed = false): RunState => ({ execution: e, changed });
const WAIT = { step: 1, revision: 0, schedule: 'x1-1-0', anchor: { entity: 'contact', id: 'c1' } };
const waitingRun = () =>
  execution([{ status: 'succeeded', result: { changed: ['status'] } }, { status: 'waiting', attempts: 1, startedAt: AT }], { status: 'waiting', resumeAt: LATER, wait: WAIT });

describe('nextMove', () => {
  it('runs the first step not done; skips done ones; a wait is a wait whatever its state', () => {
    expect(nextMove(execution(), actions)).toMatchObject({ kind: 'run_step', index: 0 });
    expect(nextMove(execution([{ status: 'succeeded' }]), actions)).toMatchObject({ kind: 'wait', index: 1 });
    expect(nextMove(execution([{ status: 'succeeded' }, { status: 'waiting' }]), actions)).toMatchObject({ kind: 'wait', index: 1 });
    expect(nextMove(execution([{ status: 'skipped' }, { status: 'succeeded' }]), actions)).toMatchObject({ kind: 'run_step', index: 2 });
  });

  it('settles a send found started instead of sending again; repeats a write found started or failed', () => {
    expect(nextMove(execution([{ status: 'succeeded' }, { status: 'succeeded' }, { status: 'started' }]), actions)).toEqual({ kind: 'settle_send', index: 2 });
    expect(nextMove(execution([{ status: 'started' }]), actions)).toMatchObject({ kind: 'run_step', index: 0 });
    expect(nextMove(execution([{ status: 'failed' }]), actions)).toMatchObject({ kind: 'run_step', index: 0 });
  });

  it('finishes when every step is succeeded, skipped or uncertain', () => {
    expect(nextMove(execution([{ status: 'succeeded' }, { status: 'succeeded' }, { status: 'uncertain' }]), actions)).toEqual({ kind: 'finish' });
  });
});

describe('transition', () => {
  it('retried: running again, one more attempt, no longer retryable; checkpointed before the retry acts', () => {
    const { state: next, save } = transition(state(execution([], { status: 'failed', retryable: true, attempts: 2 })), { type: 'retried', at: AT });
    expect(next.execution).toMatchObject({ status: 'running', attempts: 3 });
    expect(next.execution.retryable).toBeUndefined();
    expect(next.changed).toBe(false);
    expect(save).toBe('checkpoint');
  });

  it('retried: a run left running by an attempt that died may have made its unfinished writes, not its unstarted sends', () => {
    expect(transition(state(execution()), { type: 'retried', at: AT }).state.changed).toBe(true);
    const sendOnly = execution([{ status: 'succeeded', result: { changed: [] } }, { status: 'succeeded' }]);
    expect(transition(state(sendOnly), { type: 'retried', at: AT }).state.changed).toBe(false);
  });

  it('started: only a send is checkpointed before its side effect; a write goes ahead and is recorded with what follows', () => {
    const write = transition(state(execution()), { type: 'started', index: 0, at: AT, warnings: [{ code: 'empty_variable', message: 'm' }] });
    expect(write.save).toBeUndefined();
    expect(write.state.execution.steps[0]).toMatchObject({ status: 'started', attempts: 1, startedAt: AT, warnings: [{ code: 'empty_variable' }] });
    expect(write.state.changed).toBe(false);
    const send = transition(state(execution([{ status: 'succeeded' }, { status: 'succeeded' }])), { type: 'started', index: 2, at: AT });
    expect(send.save).toBe('checkpoint');
    expect(send.state.execution.steps[2]).toMatchObject({ status: 'started', attempts: 1 });
  });

  it('started: a write found started counts as a change', () => {
    const first = transition(state(execution()), { type: 'started', index: 0, at: AT });
    const again = transition(first.state, { type: 'started', index: 0, at: LATER });
    expect(again.state.changed).toBe(true);
    expect(again.state.execution.steps[0]).toMatchObject({ attempts: 2, startedAt: LATER });
  });

  it('succeeded: the result is kept; it counts as a change unless it says it changed nothing', () => {
    const wrote = transition(state(execution()), { type: 'succeeded', index: 0, at: AT, result: { changed: ['status'] } });
    expect(wrote.state.changed).toBe(true);
    expect(wrote.state.execution.steps[0]).toMatchObject({ status: 'succeeded', result: { changed: ['status'] }, finishedAt: AT });
    expect(transition(state(execution()), { type: 'succeeded', index: 0, at: AT, result: { changed: [] } }).state.changed).toBe(false);
  });

  it('skipped: ends skipped when nothing changed, partial after a change, uncertain after a lost send; recorded for good', () => {
    const plain = transition(state(execution()), { type: 'skipped', index: 0, at: AT, reason: 'No address' });
    expect(plain).toMatchObject({ save: 'record_final', state: { execution: { status: 'skipped', reason: 'No address', retryable: false } } });
    expect(plain.state.execution.steps[0]).toMatchObject({ status: 'skipped', error: 'No address' });
    expect(transition(state(execution(), true), { type: 'skipped', index: 2, at: AT, reason: 'r' }).state.execution.status).toBe('partial');
    const lost = execution([{ status: 'uncertain' }]);
    expect(transition(state(lost), { type: 'skipped', index: 2, at: AT, reason: 'r' }).state.execution).toMatchObject({ status: 'uncertain', reason: 'A send was interrupted (not repeated); then: r' });
  });

  it('failed: a permanent failure ends the run; a transient one is recorded, not counted, and retried', () => {
    const permanent = transition(state(execution()), { type: 'failed', index: 0, at: AT, error: 'Gone', permanent: true });
    expect(permanent).toMatchObject({ save: 'record_final', state: { execution: { status: 'failed', error: 'Gone', retryable: false } } });
    expect(permanent.retry).toBeUndefined();
    const transient = transition(state(execution(), true), { type: 'failed', index: 2, at: AT, error: 'Throttled', permanent: false });
    expect(transient).toMatchObject({ save: 'record', retry: true, state: { execution: { status: 'partial', error: 'Throttled', retryable: true } } });
    expect(transition(state(execution()), { type: 'failed', index: 0, at: AT, error: 'T', permanent: false }).state.execution.status).toBe('failed');
  });

  it('send_uncertain: the step is uncertain, never sent again, and the run goes on', () => {
    const { state: next, save } = transition(state(execution()), { type: 'send_uncertain', index: 2, at: AT, error: 'Timeout' });
    expect(save).toBeUndefined();
    expect(next.execution.steps[2]).toMatchObject({ status: 'uncertain', error: 'Timeout: the e-mail may have gone out; it is not sent again' });
    expect(transition(next, { type: 'finished', at: AT }).state.execution).toMatchObject({ status: 'uncertain' });
  });

  it('send_settled: a recorded e-mail activity makes the send a success (and a change); without it the send is uncertain', () => {
    const sent = transition(state(execution([{}, {}, { status: 'started' }])), { type: 'send_settled', index: 2, at: AT, sent: true });
    expect(sent.state.changed).toBe(true);
    expect(sent.state.execution.steps[2]).toMatchObject({ status: 'succeeded' });
    const unknown = transition(state(execution([{}, {}, { status: 'started' }])), { type: 'send_settled', index: 2, at: AT, sent: false });
    expect(unknown.state.changed).toBe(false);
    expect(unknown.state.execution.steps[2]).toMatchObject({ status: 'uncertain' });
  });

  it('waiting: the run waits with resumeAt and its schedule, shown as the last run but not counted', () => {
    const { state: next, save } = transition(state(execution([{ status: 'succeeded' }], { retryable: true, error: 'old' })), { type: 'waiting', index: 1, at: AT, resumeAt: LATER, wait: WAIT });
    expect(save).toBe('record');
    expect(next.execution).toMatchObject({ status: 'waiting', resumeAt: LATER, wait: WAIT });
    expect(next.execution.retryable).toBeUndefined();
    expect(next.execution.error).toBeUndefined();
    expect(next.execution.steps[1]).toMatchObject({ status: 'waiting', attempts: 1, startedAt: AT, result: { resumeAt: LATER } });
    // Reaching the wait again (a retried event before the save) keeps its first start: a `for` counts from it.
    const again = transition(state(execution([{ status: 'succeeded' }, { status: 'waiting', attempts: 1, startedAt: AT }])), { type: 'waiting', index: 1, at: LATER, resumeAt: LATER, wait: WAIT });
    expect(again.state.execution.steps[1]).toMatchObject({ attempts: 1, startedAt: AT });
  });

  it('rearmed: the wait moved; its new moment and schedule are checkpointed', () => {
    const moved = { ...WAIT, revision: 1, schedule: 'x1-1-1' };
    const { state: next, save } = transition(state(waitingRun()), { type: 'rearmed', at: AT, resumeAt: '2026-12-01T09:00:00.000Z', wait: moved });
    expect(save).toBe('checkpoint');
    expect(next.execution).toMatchObject({ status: 'waiting', resumeAt: '2026-12-01T09:00:00.000Z', wait: moved });
    expect(next.execution.steps[1]!.result).toEqual({ resumeAt: '2026-12-01T09:00:00.000Z' });
  });

  it('woke: the wait succeeds (changing nothing), the run runs again without resumeAt; a wait that never parked needs no save', () => {
    const woke = transition(state(waitingRun(), true), { type: 'woke', index: 1, at: LATER, resumeAt: LATER });
    expect(woke.save).toBe('checkpoint');
    expect(woke.state.changed).toBe(true);
    expect(woke.state.execution).toMatchObject({ status: 'running' });
    expect(woke.state.execution.resumeAt).toBeUndefined();
    expect(woke.state.execution.wait).toBeUndefined();
    expect(woke.state.execution.steps[1]).toMatchObject({ status: 'succeeded', startedAt: AT, finishedAt: LATER, result: { changed: [], waitedUntil: LATER } });
    const due = transition(state(execution([{ status: 'succeeded' }])), { type: 'woke', index: 1, at: AT });
    expect(due.save).toBeUndefined();
    expect(due.state.execution.steps[1]).toMatchObject({ status: 'succeeded', result: { changed: [], waited: false } });
    expect(nextMove(due.state.execution, actions)).toMatchObject({ kind: 'run_step', index: 2 });
  });

  it('stopped while waiting: the wait step is skipped with the reason; partial when an earlier step changed something', () => {
    const { state: next, save } = transition(stateOf(waitingRun()), { type: 'stopped', at: LATER, kind: 'skipped', reason: 'The appointment was cancelled while the run waited' });
    expect(save).toBe('record_final');
    expect(next.execution).toMatchObject({ status: 'partial', reason: 'The appointment was cancelled while the run waited', retryable: false });
    expect(next.execution.steps[1]).toMatchObject({ status: 'skipped', error: 'The appointment was cancelled while the run waited', finishedAt: LATER });
    expect(next.execution.resumeAt).toBeUndefined();
    const untouched = execution([{ status: 'succeeded', result: { changed: [] } }, { status: 'waiting' }], { status: 'waiting', resumeAt: LATER, wait: WAIT });
    expect(transition(stateOf(untouched), { type: 'stopped', at: LATER, kind: 'skipped', reason: 'r' }).state.execution.status).toBe('skipped');
  });

  it('stopped before any step (a guard, a broken pattern): skipped or failed with the reason', () => {
    expect(transition(state(execution()), { type: 'stopped', at: AT, kind: 'failed', reason: 'Broken' }).state.execution).toMatchObject({ status: 'failed', error: 'Broken' });
    expect(transition(state(execution()), { type: 'stopped', at: AT, kind: 'skipped', reason: 'Self' }).state.execution).toMatchObject({ status: 'skipped', reason: 'Self' });
  });

  it('finished: succeeded, the reason and error of earlier attempts cleared', () => {
    const { state: next, save } = transition(state(execution([], { error: 'Throttled', retryable: true })), { type: 'finished', at: AT });
    expect(save).toBe('record_final');
    expect(next.execution.status).toBe('succeeded');
    expect(next.execution.error).toBeUndefined();
    expect(next.execution.retryable).toBeUndefined();
  });

  it('stateOf: a run resumes knowing whether a finished step changed something', () => {
    expect(stateOf(execution([{ status: 'succeeded', result: { changed: ['status'] } }])).changed).toBe(true);
    expect(stateOf(execution([{ status: 'succeeded', result: { changed: [] } }])).changed).toBe(false);
  });
});
