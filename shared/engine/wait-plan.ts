import { valueAt } from '#events/fields';
import type { Execution } from '../automations/execution.ts';
import type { Automation, WaitAction } from '../automations/model.ts';
import { compilePattern } from '../patterns/compile.ts';
import { explainMismatch } from '../patterns/explain.ts';
import { flattenEvent, matchesFlat } from '../patterns/match.ts';
import { addDuration, nextInSendWindow, parseDuration, startOfDay, type SendWindow } from '../time/wait-time.ts';
import type { RunContext } from './context.ts';

/**
 * The pure rules of a wait: when it ends, whether it has come, and whether a run that waited may
 * go on. The engine calls them when a run reaches a wait, when it wakes, and when a record it
 * waits on changes.
 */

/** Scheduler fires within a minute of the moment: a wait this close to its end is over. */
export const WAKE_PRECISION_MS = 60_000;

export type WaitPlan =
  /** The moment has come (or comes within a minute): go on now. */
  | { kind: 'due'; at: Date }
  | { kind: 'park'; at: Date }
  | { kind: 'skip'; reason: string };

export interface WaitTiming {
  /** When the run reached the wait (the step's first start): a `for` counts from it. */
  reachedAt: Date;
  now: Date;
  timeZone: string;
  sendWindow: SendWindow;
  /** The moment the run's schedule is set for, when it waits already. */
  armedFor?: Date;
}

/** A date-only value (`2026-12-01`) is the start of that day in the tenant's zone. */
function instantOf(value: string, timeZone: string): Date | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return startOfDay(value, timeZone);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** When the wait ends, the date it follows (for an `until`), or why it cannot be known (that date is empty). */
export function waitEnd(action: WaitAction, records: Record<string, unknown>, timing: Pick<WaitTiming, 'reachedAt' | 'timeZone' | 'sendWindow'>): { end: Date; date?: Date } | { missing: string } {
  let end: Date;
  let date: Date | undefined;
  if (action.until) {
    const raw = valueAt(records, action.until.field);
    date = typeof raw === 'string' ? instantOf(raw, timing.timeZone) : undefined;
    if (!date) return { missing: action.until.field };
    const offset = action.until.offset ? parseDuration(action.until.offset) : undefined;
    end = offset ? addDuration(date, offset, timing.timeZone) : date;
  } else {
    const delay = parseDuration(action.for ?? 'PT0S');
    end = delay ? addDuration(timing.reachedAt, delay, timing.timeZone) : timing.reachedAt;
  }
  return { end: action.withinSendWindow ? nextInSendWindow(end, timing.sendWindow, timing.timeZone) : end, ...(date ? { date } : {}) };
}

/** The furthest a wait may end ahead (a year, as the longest `for`; Scheduler's `at()` has four-digit years). */
export const MAX_WAIT_MS = 366 * 86_400_000;

/**
 * Whether to park the run, go on, or end it. A moment that has passed is `due`, unless the wait
 * says `ifPast: "skip"` and the moment is new (the run just reached the wait, or the date it
 * follows moved): a run woken a little late by its own schedule goes on. A wait for a moment
 * before a date (a negative offset: a reminder) never goes on once that date itself has passed,
 * however late its wake-up came; a moment more than a year ahead ends the run.
 */
export function planWait(action: WaitAction, records: Record<string, unknown>, timing: WaitTiming): WaitPlan {
  const found = waitEnd(action, records, timing);
  if ('missing' in found) return { kind: 'skip', reason: `The wait follows ${found.missing}, which is empty` };
  const { end, date } = found;
  const ahead = end.getTime() - timing.now.getTime();
  if (ahead > MAX_WAIT_MS) return { kind: 'skip', reason: `The moment to wait for (${end.toISOString()}) is more than a year ahead` };
  const before = action.until?.offset?.startsWith('-') === true;
  if (before && date && date.getTime() <= timing.now.getTime()) {
    return { kind: 'skip', reason: `${action.until!.field} (${date.toISOString()}) has passed; a wait for a moment before it does not go on` };
  }
  const sameMoment = timing.armedFor !== undefined && Math.abs(end.getTime() - timing.armedFor.getTime()) < WAKE_PRECISION_MS;
  if (ahead < -WAKE_PRECISION_MS && action.ifPast === 'skip' && !sameMoment) {
    return { kind: 'skip', reason: `The moment to wait for (${end.toISOString()}) had already passed` };
  }
  return ahead < WAKE_PRECISION_MS ? { kind: 'due', at: end } : { kind: 'park', at: end };
}

/**
 * Why a run that waited may not go on, checked when it wakes and when a record it waits on
 * changes: the automation deleted, disabled (also if enabled again since), its trigger or steps changed.
 */
export function automationGuard(automation: Automation | undefined, execution: Pick<Execution, 'startedAt' | 'steps' | 'eventType'>): string | undefined {
  if (!automation) return 'The automation was deleted while the run waited';
  if (!automation.enabled) return 'The automation was disabled while the run waited';
  if (automation.trigger.event !== execution.eventType) return `The automation's trigger was changed (to ${automation.trigger.event}) while the run waited`;
  if (automation.enabledAt && automation.enabledAt > execution.startedAt) return 'The automation was disabled (and enabled again) while the run waited';
  const shape = (types: readonly string[]) => types.join(',');
  if (shape(automation.actions.map((a) => a.type)) !== shape(execution.steps.map((s) => s.type))) return 'The automation\'s steps were changed while the run waited';
  return undefined;
}

/**
 * Why the run's records no longer let it go on: the contact or the appointment deleted, the
 * contact archived, the appointment cancelled; the wait's `while` condition not met by the
 * records as they are now.
 */
export function recordGuard(ctx: RunContext, action: WaitAction): string | undefined {
  if (ctx.ids.contact && !ctx.contact) return `The contact ${ctx.ids.contact} was deleted while the run waited`;
  // Archived or cancelled since the event: a run started by a cancellation ("Termin abgesagt") may still wait and go on.
  if (ctx.contact?.archived && !ctx.detail.contact?.archived) return 'The contact was archived while the run waited';
  if (ctx.ids.activity && !ctx.activity) return `The activity ${ctx.ids.activity} was deleted while the run waited`;
  if (ctx.activity?.cancelled && !ctx.detail.activity?.cancelled) return 'The appointment was cancelled while the run waited';
  if (action.while) {
    const flat = flattenEvent(recordsOf(ctx));
    if (!matchesFlat(compilePattern(action.while), flat)) {
      const why = explainMismatch(action.while, flat).map((m) => m.message.replace('the trigger needs', 'the wait needs')).join('; ');
      return `The wait's condition no longer holds: ${why}`;
    }
  }
  return undefined;
}

/** The run's records as a `while` condition and an `until` field see them. */
export function recordsOf(ctx: RunContext): Record<string, unknown> {
  const { tenant: _t, event: _e, ...records } = ctx.templateData as Record<string, unknown>;
  return records;
}
