import * as z from 'zod';
import { offsetMinutes } from '../birthdays/dates.ts';

/**
 * The time arithmetic of an automation's `wait` step: ISO 8601 durations (`"for": "P1D"`, an
 * `until` offset of `"-P1D"`), adding them in the tenant's time zone, and the tenant's send window
 * (business hours). Pure functions: no I/O, no clock; the caller passes the instants.
 *
 * Wall-clock times are resolved to instants by one rule everywhere (the same as Temporal's
 * `disambiguation: 'compatible'`): a wall time that does not exist on its date (the spring-forward
 * gap) moves forward by the length of the gap (02:30 on Berlin's March switch is 03:30 CEST), and
 * one that happens twice (the fall-back overlap) is the earlier of the two instants.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The largest distance from 1970 a `Date` can hold (±100,000,000 days). */
const MAX_TIME = 8.64e15;

// ---------------------------------------------------------------------------------------------
// Durations

/** An ISO 8601 duration with an optional sign. Every part is a non-negative integer. */
export interface Duration {
  sign: 1 | -1;
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/**
 * Longer texts are refused before the pattern runs. The longest valid text, every part at six
 * digits and a sign, is 52 characters (`-P999999Y999999M999999W999999DT999999H999999M999999S`).
 */
const MAX_DURATION_TEXT = 52;
/** How much of a refused text a message quotes. */
const QUOTED_TEXT = 40;
/** Every part at most six digits (999999), so no part can overflow. */
const DURATION_PATTERN = /^([+-])?P(?:(\d{1,6})Y)?(?:(\d{1,6})M)?(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:(T)(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,6})S)?)?$/;

/**
 * Reads an ISO 8601 duration such as `P1D`, `PT2H`, `P1Y2M3W4DT5H6M7S`, `-P1D` or `+PT30M`: the
 * parts in that order, each a whole number of up to six digits (no fractions, no `,5`), at least
 * one part, and a `T` only before at least one time part (`P` and `PT` alone are not durations).
 * Upper case only, as ISO writes it. Weeks may be combined with the other parts (as ISO 8601-2 and
 * Temporal allow). Anything else, including texts over 52 characters, is `undefined`; never throws.
 */
export function parseDuration(text: string): Duration | undefined {
  if (typeof text !== 'string' || text.length > MAX_DURATION_TEXT) return undefined;
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  const [, sign, years, months, weeks, days, t, hours, minutes, seconds] = match;
  const timeParts = [hours, minutes, seconds];
  if (t !== undefined && timeParts.every((p) => p === undefined)) return undefined;
  if ([years, months, weeks, days, ...timeParts].every((p) => p === undefined)) return undefined;
  const n = (part: string | undefined) => (part === undefined ? 0 : Number(part));
  return {
    sign: sign === '-' ? -1 : 1,
    years: n(years),
    months: n(months),
    weeks: n(weeks),
    days: n(days),
    hours: n(hours),
    minutes: n(minutes),
    seconds: n(seconds),
  };
}

const DURATION_PARTS = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'] as const;

function assertDuration(d: Duration): void {
  if (d.sign !== 1 && d.sign !== -1) throw new RangeError(`A duration's sign is 1 or -1, not ${String(d.sign)}`);
  for (const part of DURATION_PARTS) {
    if (!Number.isSafeInteger(d[part]) || d[part] < 0) throw new RangeError(`A duration's ${part} are a whole number of at least 0, not ${String(d[part])}`);
  }
}

/**
 * The canonical text of a duration: parts that are 0 left out, `-` for a negative sign (never `+`),
 * and `PT0S` (or `-PT0S`) when every part is 0. `parseDuration(formatDuration(d))` gives back `d`
 * for every duration whose parts have at most six digits. Throws a RangeError for a part that is
 * not a non-negative whole number.
 */
export function formatDuration(d: Duration): string {
  assertDuration(d);
  const date = `${d.years ? `${d.years}Y` : ''}${d.months ? `${d.months}M` : ''}${d.weeks ? `${d.weeks}W` : ''}${d.days ? `${d.days}D` : ''}`;
  const time = `${d.hours ? `${d.hours}H` : ''}${d.minutes ? `${d.minutes}M` : ''}${d.seconds ? `${d.seconds}S` : ''}`;
  const body = date || time ? `${date}${time ? `T${time}` : ''}` : 'T0S';
  return `${d.sign < 0 ? '-' : ''}P${body}`;
}

/**
 * The approximate length of a duration in milliseconds, ignoring its sign: a year counts 365 days,
 * a month 30 days, a week 7 days and a day 24 hours. Only for bounds (at most a year, at least a
 * minute); the real length depends on the start and the time zone (see `addDuration`).
 */
export function approximateMs(d: Duration): number {
  return (d.years * 365 + d.months * 30 + d.weeks * 7 + d.days) * DAY + d.hours * HOUR + d.minutes * MINUTE + d.seconds * SECOND;
}

export interface DurationLimits {
  /** Whether a `-` duration is accepted (an `until` offset: "a day before"), or refused (a `for` wait). */
  allowNegative: boolean;
  /** The shortest length accepted, in milliseconds of the approximate length (`approximateMs`). */
  min?: number;
  /** The longest length accepted, likewise; a negative duration is measured without its sign. */
  max?: number;
}

// Largest unit first: a bound is described in the largest unit it is a whole number of.
const UNITS = [
  { ms: 365 * DAY, one: 'one year', many: 'years', iso: (n: number) => `P${n}Y` },
  { ms: 30 * DAY, one: 'one month', many: 'months', iso: (n: number) => `P${n}M` },
  { ms: 7 * DAY, one: 'one week', many: 'weeks', iso: (n: number) => `P${n}W` },
  { ms: DAY, one: 'one day', many: 'days', iso: (n: number) => `P${n}D` },
  { ms: HOUR, one: 'an hour', many: 'hours', iso: (n: number) => `PT${n}H` },
  { ms: MINUTE, one: 'a minute', many: 'minutes', iso: (n: number) => `PT${n}M` },
  { ms: SECOND, one: 'a second', many: 'seconds', iso: (n: number) => `PT${n}S` },
];

/** "one year (P1Y)", "a minute", "90 minutes (PT90M)", for the messages of `durationProblem`. */
function describeLength(ms: number, withIso: boolean): string {
  const unit = UNITS.find((u) => ms >= u.ms && ms % u.ms === 0);
  if (!unit) return `${ms} milliseconds`;
  const n = ms / unit.ms;
  const words = n === 1 ? unit.one : `${n} ${unit.many}`;
  return withIso ? `${words} (${unit.iso(n)})` : words;
}

/** A user's text, quoted for a message, cut so a long text cannot fill it. */
function quote(text: string): string {
  return JSON.stringify(text.length > QUOTED_TEXT ? `${text.slice(0, QUOTED_TEXT)}…` : text);
}

/**
 * Why `text` cannot be a wait's duration, as a sentence for the person writing the automation, or
 * `undefined` when it can. Checked on save: the text is an ISO 8601 duration (`parseDuration`),
 * negative only when `allowNegative`, and its approximate length (`approximateMs`: a year is 365
 * days, a month 30) within `min` and `max`. For example `"P1X" is not an ISO 8601 duration such as
 * "P1D" or "PT2H"`, `a wait lasts at most one year (P1Y)`, `a wait lasts at least a minute`.
 */
export function durationProblem(text: string, limits: DurationLimits): string | undefined {
  const d = parseDuration(text);
  if (!d) {
    const notIso = `${quote(String(text))} is not an ISO 8601 duration`;
    if (typeof text === 'string' && text.length <= MAX_DURATION_TEXT) {
      const upper = text.toUpperCase();
      if (upper !== text && parseDuration(upper)) return `${notIso}: write it in capitals, ${quote(upper)}`;
      const withT = upper.replace(/^([+-]?)P/, '$1PT');
      if (/[HS]/.test(upper) && parseDuration(withT)) return `${notIso}: hours, minutes and seconds follow a "T", as in ${quote(withT)}`;
    }
    return `${notIso} such as "P1D" or "PT2H"`;
  }
  const length = approximateMs(d);
  const negative = d.sign < 0 && length > 0;
  if (negative && !limits.allowNegative) return `a wait cannot be negative (${quote(text)}); it only goes forward`;
  if (limits.max !== undefined && length > limits.max) {
    const problem = negative ? `an offset goes back at most ${describeLength(limits.max, true)}` : `a wait lasts at most ${describeLength(limits.max, true)}`;
    // "P30M" is 30 months; the writer most likely meant 30 minutes.
    const onlyMonths = d.months > 0 && DURATION_PARTS.every((part) => part === 'months' || d[part] === 0);
    return onlyMonths ? `${problem}; "P${d.months}M" is ${d.months} months, "PT${d.months}M" ${d.months} minutes` : problem;
  }
  if (limits.min !== undefined && length < limits.min) {
    return negative ? `an offset goes back at least ${describeLength(limits.min, false)}` : `a wait lasts at least ${describeLength(limits.min, false)}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Wall-clock time in a zone. A "wall" is a local date and time written as milliseconds since
// 1970-01-01T00:00 of the zone's clock (so UTC arithmetic on it is calendar arithmetic).

function wallOf(time: number, timeZone: string): number {
  return time + offsetMinutes(new Date(time), timeZone) * MINUTE;
}

/**
 * The instant a wall time happens in `timeZone`: the earlier one if it happens twice, and for a
 * wall time in a gap, the wall time read with the offset before the gap, which is the instant the
 * same distance after the gap's end (forward by the gap). `zonedInstant` of dates.ts is meant for
 * times that exist and are unique, and resolves the other ones differently east and west of UTC.
 */
function instantOfWall(wall: number, timeZone: string): number {
  const before = offsetMinutes(new Date(wall - DAY), timeZone);
  const after = offsetMinutes(new Date(wall + DAY), timeZone);
  let found: number | undefined;
  for (const offset of before === after ? [before] : [before, after]) {
    const candidate = wall - offset * MINUTE;
    if (offsetMinutes(new Date(candidate), timeZone) === offset && (found === undefined || candidate < found)) found = candidate;
  }
  return found ?? wall - before * MINUTE;
}

/** The first instant of a local date (`2026-12-01`) in `timeZone`: midnight, or the end of a gap that swallows it. */
export function startOfDay(date: string, timeZone: string): Date {
  return new Date(instantOfWall(Date.parse(`${date}T00:00:00Z`), timeZone));
}

function validTime(instant: Date, what: string): number {
  const time = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (!Number.isFinite(time)) throw new RangeError(`${what} needs a valid instant`);
  return time;
}

/** The wall time `months` months on, the day clamped to the target month's length (31 Jan + 1 = 28/29 Feb). */
function addMonthsToWall(wall: number, months: number): number {
  if (months === 0) return wall;
  const start = new Date(wall);
  const timeOfDay = wall - Math.floor(wall / DAY) * DAY;
  const monthIndex = start.getUTCFullYear() * 12 + start.getUTCMonth() + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const target = new Date(0);
  target.setUTCFullYear(year, month + 1, 0); // the last day of the target month
  target.setUTCFullYear(year, month, Math.min(start.getUTCDate(), target.getUTCDate()));
  return target.getTime() + timeOfDay;
}

/**
 * `instant` moved by a duration in `timeZone`:
 *
 * - The calendar parts (years and months together, then weeks and days) move the local calendar
 *   date in `timeZone` and keep the local wall-clock time, so `P1D` is 23 or 25 hours across a DST
 *   switch, and `-P1D` from a viewing at 09:00 is 09:00 the day before. Months keep the day of the
 *   month, clamped to the target month's length: 31 Jan + `P1M` is 28 Feb (29 Feb in a leap year).
 * - Then the time parts (hours, minutes, seconds) are added as elapsed time: `PT24H` is always 24
 *   hours, and differs from `P1D` across a switch.
 * - A negative sign subtracts every part in the reverse order: the time parts first (elapsed), then
 *   weeks and days, then years and months. So `-d` undoes `+d` whenever no clamping and no gap or
 *   overlap is met on the way.
 * - When the calendar parts land on a wall time that does not exist on the target date (the
 *   spring-forward gap), it moves forward by the length of the gap (02:30 is 03:30 in Berlin); when
 *   they land on a wall time that happens twice (fall-back), it is the earlier instant.
 * - A duration without calendar parts never reads the wall clock: it is exact elapsed time.
 *
 * Throws a RangeError for an invalid instant, duration or time zone, and for a result beyond the
 * range of `Date`.
 */
export function addDuration(instant: Date, d: Duration, timeZone: string): Date {
  let time = validTime(instant, 'addDuration');
  assertDuration(d);
  const months = d.years * 12 + d.months;
  const days = d.weeks * 7 + d.days;
  const elapsed = d.hours * HOUR + d.minutes * MINUTE + d.seconds * SECOND;
  const moveCalendar = (from: number, sign: 1 | -1): number => {
    if (months === 0 && days === 0) return from;
    let wall = wallOf(from, timeZone);
    wall = sign > 0 ? addMonthsToWall(wall, months) + days * DAY : addMonthsToWall(wall - days * DAY, -months);
    if (!(Math.abs(wall) <= MAX_TIME - 2 * DAY)) throw new RangeError(`${formatDuration(d)} from ${instant.toISOString()} is beyond the range of dates`);
    return instantOfWall(wall, timeZone);
  };
  time = d.sign > 0 ? moveCalendar(time, 1) + elapsed : moveCalendar(time - elapsed, -1);
  if (!(Math.abs(time) <= MAX_TIME)) throw new RangeError(`${formatDuration(d)} from ${instant.toISOString()} is beyond the range of dates`);
  return new Date(time);
}

// ---------------------------------------------------------------------------------------------
// Send window

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const CLOCK = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const CLOCK_OR_MIDNIGHT = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;

/**
 * The tenant's send window: the weekdays and local wall-clock hours (in the tenant's time zone) in
 * which a wait held to business hours may end. `from` is included, `to` is not; `to` may be
 * `24:00` (the end of the day). Days are named once each, at least one.
 */
export const SendWindowSchema = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1, 'Name at least one day')
      .refine((days) => new Set(days).size === days.length, 'Name each day once'),
    from: z.string().regex(CLOCK, 'A time of day as HH:MM, 00:00 to 23:59'),
    to: z.string().regex(CLOCK_OR_MIDNIGHT, 'A time of day as HH:MM, 00:01 to 24:00'),
  })
  // Judged only when both are times of day (their own messages say what else is wrong).
  .refine((w) => !(CLOCK.test(String(w.from)) && CLOCK_OR_MIDNIGHT.test(String(w.to))) || w.from < w.to, { message: 'The window closes after it opens: "to" is later than "from"', path: ['to'] });
export type SendWindow = z.infer<typeof SendWindowSchema>;

/** Weekdays 08:00 to 20:00. Frozen: copy it to change it. */
export const DEFAULT_SEND_WINDOW: SendWindow = Object.freeze({
  days: Object.freeze(['mon', 'tue', 'wed', 'thu', 'fri']) as Weekday[],
  from: '08:00',
  to: '20:00',
});

interface WindowMinutes {
  days: Set<number>; // 0 = Monday … 6 = Sunday
  from: number;
  to: number;
}

/** The window in minutes of the day; a RangeError for a window the schema would refuse. */
function windowMinutes(window: SendWindow): WindowMinutes {
  const minutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3));
  const days = Array.isArray(window?.days) ? window.days.map((day) => WEEKDAYS.indexOf(day)) : [];
  const valid =
    days.length > 0 &&
    days.every((day) => day >= 0) &&
    typeof window.from === 'string' &&
    CLOCK.test(window.from) &&
    typeof window.to === 'string' &&
    CLOCK_OR_MIDNIGHT.test(window.to) &&
    window.from < window.to;
  if (!valid) throw new RangeError(`Not a send window: ${JSON.stringify(window)}`);
  return { days: new Set(days), from: minutes(window.from), to: minutes(window.to) };
}

/**
 * The earliest instant at or after `time` that is in the window. The window is a span of instants
 * on each allowed local date: from the instant of its `from` to the instant of its `to` (each
 * resolved as every wall time is: forward by the gap, earlier of an overlap), `to` excluded. A day
 * whose opening, moved forward by a gap, falls at or after its closing (02:30–03:15 on Berlin's
 * March switch: 03:30 to 03:15) has no window. The spans are in order and never overlap, so the
 * first one that closes after `time` holds the answer.
 */
function nextOpen(time: number, window: WindowMinutes, timeZone: string): number {
  const today = Math.floor(wallOf(time, timeZone) / DAY) * DAY;
  // From the day before (a span may run into the next date), to eight days on: every weekday once,
  // with a day to spare for a date a zone skipped.
  for (let i = -1; i <= 8; i++) {
    const day = today + i * DAY;
    const weekday = (new Date(day).getUTCDay() + 6) % 7;
    if (!window.days.has(weekday)) continue;
    const opens = instantOfWall(day + window.from * MINUTE, timeZone);
    const closes = instantOfWall(day + window.to * MINUTE, timeZone);
    if (closes > opens && time < closes) return Math.max(time, opens);
  }
  throw new RangeError(`The send window never opens in ${timeZone}: ${JSON.stringify(window)}`);
}

/**
 * Whether `instant` lies in the send window in `timeZone`: on an allowed weekday (of the local
 * date), at or after `from` and before `to` on the local wall clock. Around a DST switch, the window
 * is the span of instants between its opening and its closing (each resolved like every wall time:
 * forward by the gap, the earlier of an overlap). Throws a RangeError for an invalid window.
 */
export function inSendWindow(instant: Date, window: SendWindow, timeZone: string): boolean {
  const time = validTime(instant, 'inSendWindow');
  return nextOpen(time, windowMinutes(window), timeZone) === time;
}

/**
 * When a wait held to the send window ends: `instant` itself when it lies in the window
 * (`inSendWindow`), else the window's next opening: `from` on the next allowed day, which may be
 * later the same day (07:00 on a Monday gives 08:00 that Monday; 20:00 on a Friday gives Monday
 * 08:00). An opening at a wall time that does not exist that day (the spring-forward gap) moves
 * forward by the gap. Throws a RangeError for an invalid instant, window or time zone.
 */
export function nextInSendWindow(instant: Date, window: SendWindow, timeZone: string): Date {
  const time = validTime(instant, 'nextInSendWindow');
  return new Date(nextOpen(time, windowMinutes(window), timeZone));
}
