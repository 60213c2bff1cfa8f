import { describe, expect, it } from 'vitest';
import { Action, type Automation, type WaitAction } from '#shared/automations/model';
import type { RunContext } from '#shared/engine/context';
import { automationGuard, planWait, recordGuard, WAKE_PRECISION_MS } from '#shared/engine/wait-plan';
import { DEFAULT_SEND_WINDOW } from '#shared/time/wait-time';

/** When a wait ends, whether it has come, and whether a run that waited may go on. */

const wait = (input: Record<string, unknown>) => Action.parse({ type: 'wait', ...input }) as WaitAction;
const BERLIN = 'Europe/Berlin';
const now = new Date('2026-11-27T10:00:00Z');
const timing = { reachedAt: now, now, timeZone: BERLIN, sendWindow: DEFAULT_SEND_WINDOW };
const viewing = { activity: { startsAt: '2026-12-02T09:00:00Z', endsAt: '2026-12-02T10:00:00Z' } };

describe('planWait', () => {
  it('parks a delay from the moment the run reached the wait, in calendar days of the tenant', () => {
    expect(planWait(wait({ for: 'P3D' }), {}, timing)).toEqual({ kind: 'park', at: new Date('2026-11-30T10:00:00Z') });
    // Over the switch to winter time a day is 25 hours: 09:00 local stays 09:00 local.
    const october = new Date('2026-10-24T07:00:00Z');
    expect(planWait(wait({ for: 'P1D' }), {}, { ...timing, reachedAt: october, now: october })).toEqual({ kind: 'park', at: new Date('2026-10-25T08:00:00Z') });
  });

  it('follows a date of the records with its offset, and ends the same for a retried wake', () => {
    expect(planWait(wait({ until: { field: 'activity.startsAt', offset: '-P1D' } }), viewing, timing)).toEqual({ kind: 'park', at: new Date('2026-12-01T09:00:00Z') });
    expect(planWait(wait({ until: { field: 'activity.endsAt', offset: 'PT2H' } }), viewing, { ...timing, reachedAt: new Date('2026-11-29T00:00:00Z') })).toEqual({ kind: 'park', at: new Date('2026-12-02T12:00:00Z') });
  });

  it('is due when its moment comes within a minute; a moment long past is due too, unless the wait says to skip it', () => {
    const close = new Date(now.getTime() + WAKE_PRECISION_MS - 1);
    expect(planWait(wait({ until: { field: 'activity.startsAt' } }), { activity: { startsAt: close.toISOString() } }, timing)).toEqual({ kind: 'due', at: close });
    const past = { activity: { startsAt: '2026-11-27T18:00:00Z' } };
    expect(planWait(wait({ until: { field: 'activity.startsAt', offset: '-P1D' } }), past, timing).kind).toBe('due');
    expect(planWait(wait({ until: { field: 'activity.startsAt', offset: '-P1D' }, ifPast: 'skip' }), past, timing)).toEqual({ kind: 'skip', reason: 'The moment to wait for (2026-11-26T18:00:00.000Z) had already passed' });
  });

  it('never skips the moment its own schedule was set for, however late the wake-up comes', () => {
    const armedFor = new Date('2026-11-27T09:00:00Z');
    const late = planWait(wait({ until: { field: 'activity.startsAt', offset: '-P1D' }, ifPast: 'skip' }), { activity: { startsAt: '2026-11-28T09:00:00Z' } }, { ...timing, armedFor });
    expect(late).toEqual({ kind: 'due', at: armedFor });
  });

  it('never reminds of a date that has passed, however late the wake-up; never waits more than a year', () => {
    const armedFor = new Date('2026-11-26T09:00:00Z');
    const lateWake = planWait(wait({ until: { field: 'activity.startsAt', offset: '-P1D' } }), { activity: { startsAt: '2026-11-27T09:00:00Z' } }, { ...timing, armedFor });
    expect(lateWake).toEqual({ kind: 'skip', reason: 'activity.startsAt (2026-11-27T09:00:00.000Z) has passed; a wait for a moment before it does not go on' });
    // After a date (feedback after a viewing) a late wake-up still goes on.
    expect(planWait(wait({ until: { field: 'activity.endsAt', offset: 'PT2H' } }), { activity: { endsAt: '2026-11-26T09:00:00Z' } }, { ...timing, armedFor: new Date('2026-11-26T11:00:00Z') }).kind).toBe('due');
    expect(planWait(wait({ until: { field: 'activity.startsAt' } }), { activity: { startsAt: '2031-01-01T09:00:00Z' } }, timing)).toEqual({ kind: 'skip', reason: 'The moment to wait for (2031-01-01T09:00:00.000Z) is more than a year ahead' });
    expect(planWait(wait({ until: { field: 'activity.startsAt' } }), { activity: { startsAt: '9999-12-31T09:00:00Z' } }, timing).kind).toBe('skip');
  });

  it('ends only inside the send window when asked: Saturday moves to Monday 08:00 Berlin', () => {
    const saturday = { activity: { endsAt: '2026-11-28T10:00:00Z' } };
    expect(planWait(wait({ until: { field: 'activity.endsAt' }, withinSendWindow: true }), saturday, timing)).toEqual({ kind: 'park', at: new Date('2026-11-30T07:00:00Z') });
    expect(planWait(wait({ until: { field: 'activity.endsAt' } }), saturday, timing)).toEqual({ kind: 'park', at: new Date('2026-11-28T10:00:00Z') });
  });

  it('skips with the reason when the date it follows is empty, and reads a date-only value as the start of that day', () => {
    expect(planWait(wait({ until: { field: 'activity.endsAt' } }), { activity: {} }, timing)).toEqual({ kind: 'skip', reason: 'The wait follows activity.endsAt, which is empty' });
    expect(planWait(wait({ until: { field: 'task.dueAt' } }), { task: { dueAt: 'not a date' } }, timing).kind).toBe('skip');
    expect(planWait(wait({ until: { field: 'contact.birthday' } }), { contact: { birthday: '2026-12-24' } }, timing)).toEqual({ kind: 'park', at: new Date('2026-12-23T23:00:00Z') });
  });
});

const automation = (patch: Partial<Automation> = {}) =>
  ({ id: 'a1', enabled: true, enabledAt: '2026-11-01T00:00:00Z', trigger: { event: 'ContactCreated' }, actions: [wait({ for: 'P1D' }), Action.parse({ type: 'send_email', to: 'contact', subject: 's', body: 'b' })], ...patch }) as Automation;
const run = { startedAt: '2026-11-20T00:00:00Z', eventType: 'ContactCreated', steps: [{ type: 'wait' }, { type: 'send_email' }] } as never;

describe('automationGuard', () => {
  it('lets a run go on when its automation is as it was; stops it when deleted, disabled, switched off and on, or its steps changed', () => {
    expect(automationGuard(automation(), run)).toBeUndefined();
    expect(automationGuard(undefined, run)).toBe('The automation was deleted while the run waited');
    expect(automationGuard(automation({ enabled: false }), run)).toBe('The automation was disabled while the run waited');
    expect(automationGuard(automation({ enabledAt: '2026-11-21T00:00:00Z' }), run)).toBe('The automation was disabled (and enabled again) while the run waited');
    expect(automationGuard(automation({ actions: [wait({ for: 'P1D' })] }), run)).toBe("The automation's steps were changed while the run waited");
    // A run of the old trigger would fill the new templates with blanks.
    expect(automationGuard(automation({ trigger: { event: 'ActivityCreated' } } as never), run)).toBe("The automation's trigger was changed (to ActivityCreated) while the run waited");
  });
});

const ctx = (patch: Partial<RunContext> & { detail?: Record<string, any> } = {}) =>
  ({ ids: { contact: 'c1', activity: 'v1' }, contact: { id: 'c1', archived: false }, activity: { id: 'v1' }, detail: {}, templateData: {}, ...patch }) as unknown as RunContext;

describe('recordGuard', () => {
  const plain = wait({ for: 'P1D' });
  it('stops a run whose contact was archived or deleted, or whose appointment was cancelled or deleted, since the event', () => {
    expect(recordGuard(ctx(), plain)).toBeUndefined();
    expect(recordGuard(ctx({ contact: { id: 'c1', archived: true } as never }), plain)).toBe('The contact was archived while the run waited');
    expect(recordGuard(ctx({ contact: undefined }), plain)).toBe('The contact c1 was deleted while the run waited');
    expect(recordGuard(ctx({ activity: { id: 'v1', cancelled: true } as never }), plain)).toBe('The appointment was cancelled while the run waited');
    expect(recordGuard(ctx({ activity: undefined }), plain)).toBe('The activity v1 was deleted while the run waited');
  });

  it('lets a run started by the cancellation itself go on ("Termin abgesagt": wait a day, then offer a new one)', () => {
    expect(recordGuard(ctx({ activity: { id: 'v1', cancelled: true } as never, detail: { activity: { cancelled: true } } }), plain)).toBeUndefined();
  });

  it('checks the wait\'s `while` condition against the records as they are, naming what differs', () => {
    const still = wait({ for: 'P14D', while: { deal: { stage: ['Reserviert'] } } });
    expect(recordGuard(ctx({ templateData: { deal: { stage: 'Reserviert' } } as never }), still)).toBeUndefined();
    expect(recordGuard(ctx({ templateData: { deal: { stage: 'Notartermin' } } as never }), still)).toBe('The wait\'s condition no longer holds: deal.stage is "Notartermin"; the wait needs "Reserviert"');
  });
});
