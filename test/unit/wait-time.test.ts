import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offsetMinutes, zonedInstant } from '#shared/birthdays/dates';
import {
  addDuration,
  approximateMs,
  DEFAULT_SEND_WINDOW,
  durationProblem,
  formatDuration,
  inSendWindow,
  nextInSendWindow,
  parseDuration,
  SendWindowSchema,
  WEEKDAYS,
  type Duration,
  type SendWindow,
} from '#shared/time/wait-time';
import { assertProperty } from '../support/properties.ts';
import { STALL_MS } from '../support/stall.ts';

/**
 * The time arithmetic of a wait step: ISO 8601 durations, adding them in a tenant's time zone
 * (calendar parts on the local calendar, time parts as elapsed time) and the send window. Examples
 * for every rule around the DST switches of 2026 (Berlin: 29 March and 25 October, New York: 8 March
 * and 1 November), then properties over zones with odd offsets and switches at odd hours.
 */

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const KOLKATA = 'Asia/Kolkata';
const LOS_ANGELES = 'America/Los_Angeles';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RUNS = { numRuns: 200 } as const;

function duration(text: string): Duration {
  const d = parseDuration(text);
  if (!d) throw new Error(`test setup: ${text} does not parse`);
  return d;
}

const add = (iso: string, text: string, timeZone: string) => addDuration(new Date(iso), duration(text), timeZone).toISOString();
const next = (iso: string, window: SendWindow, timeZone: string) => nextInSendWindow(new Date(iso), window, timeZone).toISOString();
const inside = (iso: string, window: SendWindow, timeZone: string) => inSendWindow(new Date(iso), window, timeZone);

/** The local wall clock of an instant, read by Intl alone (independent of the code under test). */
function wallClock(instant: Date | number, timeZone: string): { weekday: string; date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { weekday: get('weekday').toLowerCase(), date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}:${get('second')}` };
}

describe('parseDuration and formatDuration', () => {
  it('reads ISO 8601 durations with an optional sign', () => {
    expect(parseDuration('P1D')).toEqual({ sign: 1, years: 0, months: 0, weeks: 0, days: 1, hours: 0, minutes: 0, seconds: 0 });
    expect(parseDuration('PT2H')).toEqual({ sign: 1, years: 0, months: 0, weeks: 0, days: 0, hours: 2, minutes: 0, seconds: 0 });
    expect(parseDuration('-P1D')).toMatchObject({ sign: -1, days: 1 });
    expect(parseDuration('+PT30M')).toMatchObject({ sign: 1, minutes: 30, months: 0 });
    expect(parseDuration('P30M')).toMatchObject({ months: 30, minutes: 0 });
    expect(parseDuration('P1Y2M3W4DT5H6M7S')).toEqual({ sign: 1, years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7 });
    expect(parseDuration('P1W')).toMatchObject({ weeks: 1, days: 0 });
    expect(parseDuration('P0D')).toMatchObject({ days: 0 });
    expect(parseDuration('PT0S')).toMatchObject({ seconds: 0 });
    expect(parseDuration('P999999D')).toMatchObject({ days: 999_999 });
    expect(parseDuration('P007D')).toMatchObject({ days: 7 });
  });

  it('refuses everything else', () => {
    const refused = ['', 'P', 'PT', '-P', '+PT', 'P1DT', 'T1H', '1D', 'D', 'P1d', 'p1d', 'pt2h', 'P1.5D', 'P1,5D', 'PT0.5S', 'PT1H1D', 'P1M1Y', 'P1D1W', 'PT1S1M', 'P-1D', '--P1D', '+-P1D', 'P1000000D', ' P1D', 'P1D ', 'P1D\n', 'P1H', 'P1X', 'PT1W', 'P1DT1D', 'P1Y1Y', 'P١D', 'P1D,', 'PnD'];
    for (const text of refused) expect(parseDuration(text), text).toBeUndefined();
    expect(parseDuration('-P999999Y999999M999999W999999DT999999H999999M999999S')).toMatchObject({ sign: -1, years: 999_999, seconds: 999_999 });
    expect(parseDuration(`P${'0'.repeat(60)}1D`)).toBeUndefined();
    expect(parseDuration(undefined as unknown as string)).toBeUndefined();
  });

  it('writes the canonical text', () => {
    expect(formatDuration(duration('P1D'))).toBe('P1D');
    expect(formatDuration(duration('+P007D'))).toBe('P7D');
    expect(formatDuration(duration('-PT2H'))).toBe('-PT2H');
    expect(formatDuration(duration('P0Y0M1DT0H'))).toBe('P1D');
    expect(formatDuration(duration('P0D'))).toBe('PT0S');
    expect(formatDuration(duration('-P0D'))).toBe('-PT0S');
    expect(formatDuration(duration('P1Y2M3W4DT5H6M7S'))).toBe('P1Y2M3W4DT5H6M7S');
    expect(() => formatDuration({ ...duration('P1D'), days: 1.5 })).toThrow(RangeError);
    expect(() => formatDuration({ ...duration('P1D'), hours: -1 })).toThrow(RangeError);
  });

  it('measures approximately: a year is 365 days, a month 30', () => {
    expect(approximateMs(duration('P1Y'))).toBe(365 * DAY);
    expect(approximateMs(duration('P1M'))).toBe(30 * DAY);
    expect(approximateMs(duration('-P1W'))).toBe(7 * DAY);
    expect(approximateMs(duration('P1DT1H1M1S'))).toBe(DAY + HOUR + 61_000);
  });
});

describe('durationProblem', () => {
  const wait = { allowNegative: false, min: 60_000, max: 365 * DAY };
  const offset = { allowNegative: true, max: 365 * DAY };

  it('accepts what a wait may be', () => {
    for (const text of ['P1D', 'PT2H', 'PT1M', 'P1Y', 'P12M', 'P52W', 'P365D']) expect(durationProblem(text, wait), text).toBeUndefined();
    for (const text of ['-P1D', 'P0D', '-PT2H', '-P1Y']) expect(durationProblem(text, offset), text).toBeUndefined();
  });

  it('says what is wrong in a sentence', () => {
    expect(durationProblem('P1X', wait)).toBe('"P1X" is not an ISO 8601 duration such as "P1D" or "PT2H"');
    expect(durationProblem('p1d', wait)).toBe('"p1d" is not an ISO 8601 duration: write it in capitals, "P1D"');
    expect(durationProblem('P2H', wait)).toBe('"P2H" is not an ISO 8601 duration: hours, minutes and seconds follow a "T", as in "PT2H"');
    expect(durationProblem('P2Y', wait)).toBe('a wait lasts at most one year (P1Y)');
    expect(durationProblem('P366D', wait)).toBe('a wait lasts at most one year (P1Y)');
    expect(durationProblem('P13M', wait)).toBe('a wait lasts at most one year (P1Y); "P13M" is 13 months, "PT13M" 13 minutes');
    expect(durationProblem('PT30S', wait)).toBe('a wait lasts at least a minute');
    expect(durationProblem('P0D', wait)).toBe('a wait lasts at least a minute');
    expect(durationProblem('-P1D', wait)).toBe('a wait cannot be negative ("-P1D"); it only goes forward');
    expect(durationProblem('-P2Y', offset)).toBe('an offset goes back at most one year (P1Y)');
    expect(durationProblem('PT3H', { allowNegative: false, max: 90 * 60_000 })).toBe('a wait lasts at most 90 minutes (PT90M)');
  });

  it('quotes at most 40 characters of a long text', () => {
    const problem = durationProblem(`P${'9'.repeat(10_000)}D`, wait)!;
    expect(problem).toMatch(/^"P9{39}…" is not an ISO 8601 duration/);
    expect(problem.length).toBeLessThan(120);
  });
});

describe('addDuration', () => {
  it('moves the calendar date and keeps the wall clock across the March switch (P1D is 23 hours there, PT24H is not)', () => {
    // Saturday 28 March 2026, 10:00 CET, to Sunday 29 March, 10:00 CEST.
    expect(add('2026-03-28T09:00:00Z', 'P1D', BERLIN)).toBe('2026-03-29T08:00:00.000Z');
    expect(add('2026-03-28T09:00:00Z', 'PT24H', BERLIN)).toBe('2026-03-29T09:00:00.000Z');
    expect(wallClock(new Date('2026-03-29T09:00:00Z'), BERLIN).time).toBe('11:00:00');
  });

  it('and across the October switch (P1D is 25 hours there)', () => {
    expect(add('2026-10-24T08:00:00Z', 'P1D', BERLIN)).toBe('2026-10-25T09:00:00.000Z');
    expect(add('2026-10-24T08:00:00Z', 'PT24H', BERLIN)).toBe('2026-10-25T08:00:00.000Z');
    expect(add('2026-10-24T08:00:00Z', 'P1DT1H', BERLIN)).toBe('2026-10-25T10:00:00.000Z');
  });

  it('puts a reminder -P1D before a viewing at 09:00 at 09:00 the day before', () => {
    expect(add('2026-06-10T07:00:00Z', '-P1D', BERLIN)).toBe('2026-06-09T07:00:00.000Z');
    // Viewings on the switch days: the day before is 23 and 25 hours before.
    expect(add('2026-03-29T07:00:00Z', '-P1D', BERLIN)).toBe('2026-03-28T08:00:00.000Z');
    expect(add('2026-10-25T08:00:00Z', '-P1D', BERLIN)).toBe('2026-10-24T07:00:00.000Z');
    expect(add('2026-10-25T08:00:00Z', '-P1W', BERLIN)).toBe('2026-10-18T07:00:00.000Z');
  });

  it('clamps the day of the month: 31 January + P1M is the last day of February', () => {
    expect(add('2026-01-31T09:00:00Z', 'P1M', BERLIN)).toBe('2026-02-28T09:00:00.000Z');
    expect(add('2028-01-31T09:00:00Z', 'P1M', BERLIN)).toBe('2028-02-29T09:00:00.000Z');
    expect(add('2026-03-31T08:00:00Z', 'P1M', BERLIN)).toBe('2026-04-30T08:00:00.000Z');
    expect(add('2026-03-31T08:00:00Z', '-P1M', BERLIN)).toBe('2026-02-28T09:00:00.000Z');
    expect(add('2028-02-29T09:00:00Z', 'P1Y', BERLIN)).toBe('2029-02-28T09:00:00.000Z');
    expect(add('2028-02-29T09:00:00Z', 'P1Y1M', BERLIN)).toBe('2029-03-29T08:00:00.000Z'); // 13 months, clamped once
    // Months first, then days: 31 Jan → 28 Feb → 1 Mar.
    expect(add('2026-01-31T09:00:00Z', 'P1M1D', BERLIN)).toBe('2026-03-01T09:00:00.000Z');
  });

  it('adds a week as seven calendar days', () => {
    // Wednesday 25 March 10:00 CET to Wednesday 1 April 10:00 CEST.
    expect(add('2026-03-25T09:00:00Z', 'P1W', BERLIN)).toBe('2026-04-01T08:00:00.000Z');
    expect(add('2026-03-25T09:00:00Z', 'P2W', BERLIN)).toBe(add('2026-03-25T09:00:00Z', 'P14D', BERLIN));
  });

  it('moves a wall time in the spring-forward gap forward by the gap, and takes the earlier of a repeated one', () => {
    // 02:30 CET on 28 March; 02:30 does not exist on 29 March, so 03:30 CEST.
    expect(add('2026-03-28T01:30:00Z', 'P1D', BERLIN)).toBe('2026-03-29T01:30:00.000Z');
    expect(wallClock(new Date('2026-03-29T01:30:00Z'), BERLIN).time).toBe('03:30:00');
    // 02:30 CEST on 24 October; 02:30 happens twice on 25 October: the first, in CEST.
    expect(add('2026-10-24T00:30:00Z', 'P1D', BERLIN)).toBe('2026-10-25T00:30:00.000Z');
    expect(add('2026-10-26T01:30:00Z', '-P1D', BERLIN)).toBe('2026-10-25T00:30:00.000Z');
    // From the second 02:30 (CET) a day on is 02:30 CET on the 26th.
    expect(add('2026-10-25T01:30:00Z', 'P1D', BERLIN)).toBe('2026-10-26T01:30:00.000Z');
    // New York, west of UTC: 02:30 EST on 7 March to 03:30 EDT on 8 March; 01:30 on 1 November is EDT.
    expect(add('2026-03-07T07:30:00Z', 'P1D', NEW_YORK)).toBe('2026-03-08T07:30:00.000Z');
    expect(wallClock(new Date('2026-03-08T07:30:00Z'), NEW_YORK).time).toBe('03:30:00');
    expect(add('2026-10-31T05:30:00Z', 'P1D', NEW_YORK)).toBe('2026-11-01T05:30:00.000Z');
  });

  it('adds the calendar parts before the time parts, and subtracts in the reverse order', () => {
    // 01:00 CET on the 28th: a day on is 01:00 CET on the 29th (before the switch), then two hours.
    expect(add('2026-03-28T00:00:00Z', 'P1DT2H', BERLIN)).toBe('2026-03-29T02:00:00.000Z');
    // 03:00 CEST on the 29th: two hours back is 00:00 CET on the 29th, then a day back.
    expect(add('2026-03-29T01:00:00Z', '-P1DT2H', BERLIN)).toBe('2026-03-27T23:00:00.000Z');
    // Time parts alone are elapsed time, whatever the clock does.
    expect(add('2026-03-29T00:30:00Z', 'PT2H', BERLIN)).toBe('2026-03-29T02:30:00.000Z');
    expect(add('2026-10-25T00:30:00Z', 'PT90M', BERLIN)).toBe('2026-10-25T02:00:00.000Z');
    expect(add('2026-06-10T07:00:00.123Z', 'P0D', BERLIN)).toBe('2026-06-10T07:00:00.123Z');
  });

  it('works in New York, in Kolkata (+05:30) and west of UTC, where the local date is not the UTC date', () => {
    expect(add('2026-03-07T15:00:00Z', 'P1D', NEW_YORK)).toBe('2026-03-08T14:00:00.000Z');
    expect(add('2026-11-01T14:00:00Z', '-P1D', NEW_YORK)).toBe('2026-10-31T13:00:00.000Z');
    expect(add('2026-03-28T03:30:00Z', 'P1D', KOLKATA)).toBe('2026-03-29T03:30:00.000Z');
    // 31 January 01:30 in Kolkata is 30 January 20:00 UTC: a month on is 28 February 01:30 there.
    expect(add('2026-01-30T20:00:00Z', 'P1M', KOLKATA)).toBe('2026-02-27T20:00:00.000Z');
    // 05:00 UTC on 31 January is 21:00 on 30 January in Los Angeles: a month on is 28 February 21:00 there.
    expect(add('2026-01-31T05:00:00Z', 'P1M', LOS_ANGELES)).toBe('2026-03-01T05:00:00.000Z');
    expect(add('2026-06-15T05:00:00Z', 'P1D', LOS_ANGELES)).toBe('2026-06-16T05:00:00.000Z');
  });

  it('refuses an invalid instant, duration, zone or a result beyond the range of dates', () => {
    expect(() => addDuration(new Date(Number.NaN), duration('P1D'), BERLIN)).toThrow(RangeError);
    expect(() => addDuration(new Date(), { ...duration('P1D'), days: -1 }, BERLIN)).toThrow(RangeError);
    expect(() => addDuration(new Date('2026-01-01T00:00:00Z'), duration('P1D'), 'Mars/Olympus')).toThrow(RangeError);
    expect(() => addDuration(new Date('2026-01-01T00:00:00Z'), { ...duration('P1Y'), years: 300_000 }, BERLIN)).toThrow(RangeError);
    expect(add('2026-01-01T00:00:00Z', 'P999999D', 'UTC')).toBe('4763-11-28T00:00:00.000Z');
  });
});

describe('send window', () => {
  const saturday: SendWindow = { days: ['sat'], from: '10:00', to: '14:00' };

  it('moves a Saturday to Monday 08:00 in Berlin', () => {
    expect(inside('2026-06-13T08:00:00Z', DEFAULT_SEND_WINDOW, BERLIN)).toBe(false);
    expect(next('2026-06-13T08:00:00Z', DEFAULT_SEND_WINDOW, BERLIN)).toBe('2026-06-15T06:00:00.000Z');
  });

  it('keeps 19:59, moves 20:00 to 08:00 the next day, and 07:00 to 08:00 the same day', () => {
    expect(next('2026-06-15T17:59:00Z', DEFAULT_SEND_WINDOW, BERLIN)).toBe('2026-06-15T17:59:00.000Z');
    expect(next('2026-06-15T17:59:59.999Z', DEFAULT_SEND_WINDOW, BERLIN)).toBe('2026-06-15T17:59:59.999Z');
    expect(inside('2026-06-15T18:00:00Z', DEFAULT_SEND_WINDOW, BERLIN)).toBe(false);
    expect(next('2026-06-15T18:00:00Z', DEFAULT_SEND_WINDOW, BERLIN)).toBe('2026-06-16T06:00:00.000Z');
    expect(next('2026-06-19T18:00:00Z', DEFAULT_SEND_WINDOW, BERLIN)).toBe('2026-06-22T06:00:00.000Z'); // Friday to Monday
    expect(next('2026-06-15T05:00:00Z', DEFAULT_SEND_WINDOW, BERLIN)).toBe('2026-06-15T06:00:00.000Z');
    expect(inside('2026-06-15T06:00:00Z', DEFAULT_SEND_WINDOW, BERLIN)).toBe(true);
    expect(inside('2026-06-15T05:59:59.999Z', DEFAULT_SEND_WINDOW, BERLIN)).toBe(false);
  });

  it('knows windows on a Saturday only, and to midnight', () => {
    expect(next('2026-06-15T10:00:00Z', saturday, BERLIN)).toBe('2026-06-20T08:00:00.000Z');
    expect(next('2026-06-20T07:59:00Z', saturday, BERLIN)).toBe('2026-06-20T08:00:00.000Z');
    expect(next('2026-06-20T11:59:00Z', saturday, BERLIN)).toBe('2026-06-20T11:59:00.000Z');
    expect(next('2026-06-20T12:00:00Z', saturday, BERLIN)).toBe('2026-06-27T08:00:00.000Z');
    const sundayEvening: SendWindow = { days: ['sun'], from: '22:00', to: '24:00' };
    expect(inside('2026-06-14T21:59:59Z', sundayEvening, BERLIN)).toBe(true);
    expect(next('2026-06-14T22:00:00Z', sundayEvening, BERLIN)).toBe('2026-06-21T20:00:00.000Z');
  });

  it('opens a window at a wall time in the spring-forward gap late by the gap, and at the first of a repeated one', () => {
    const night: SendWindow = { days: ['sun'], from: '02:30', to: '06:00' };
    // Berlin, 29 March: 02:30 does not exist; the window opens at 03:30 CEST (01:30 UTC).
    expect(next('2026-03-29T00:00:00Z', night, BERLIN)).toBe('2026-03-29T01:30:00.000Z');
    expect(inside('2026-03-29T01:15:00Z', night, BERLIN)).toBe(false); // 03:15 CEST, before the opening
    expect(next('2026-03-29T01:15:00Z', night, BERLIN)).toBe('2026-03-29T01:30:00.000Z');
    expect(inside('2026-03-29T03:59:00Z', night, BERLIN)).toBe(true); // 05:59 CEST
    // Berlin, 25 October: 02:30 happens twice; the window opens at the first (CEST).
    expect(next('2026-10-25T00:00:00Z', night, BERLIN)).toBe('2026-10-25T00:30:00.000Z');
    // New York, 8 March: 02:30 does not exist; 03:30 EDT.
    expect(next('2026-03-08T06:00:00Z', night, NEW_YORK)).toBe('2026-03-08T07:30:00.000Z');
    // 02:30–03:15 on 29 March: opening at 03:30 CEST, after the closing, so no window that day.
    expect(next('2026-03-29T00:00:00Z', { days: ['sun'], from: '02:30', to: '03:15' }, BERLIN)).toBe('2026-04-05T00:30:00.000Z');
  });

  it('works in New York, in Kolkata (+05:30), and west of UTC, where the local date is not the UTC date', () => {
    expect(next('2026-06-13T14:00:00Z', DEFAULT_SEND_WINDOW, NEW_YORK)).toBe('2026-06-15T12:00:00.000Z');
    expect(next('2026-03-06T12:30:00Z', DEFAULT_SEND_WINDOW, NEW_YORK)).toBe('2026-03-06T13:00:00.000Z'); // Friday 07:30 EST
    expect(next('2026-03-09T11:30:00Z', DEFAULT_SEND_WINDOW, NEW_YORK)).toBe('2026-03-09T12:00:00.000Z'); // Monday 07:30 EDT
    expect(next('2026-06-15T02:00:00Z', DEFAULT_SEND_WINDOW, KOLKATA)).toBe('2026-06-15T02:30:00.000Z');
    expect(next('2026-06-19T14:29:00Z', DEFAULT_SEND_WINDOW, KOLKATA)).toBe('2026-06-19T14:29:00.000Z'); // Friday 19:59
    expect(next('2026-06-19T14:30:00Z', DEFAULT_SEND_WINDOW, KOLKATA)).toBe('2026-06-22T02:30:00.000Z'); // Friday 20:00
    // Saturday 02:00 UTC is Friday 19:00 in Los Angeles: inside.
    expect(inside('2026-06-13T02:00:00Z', DEFAULT_SEND_WINDOW, LOS_ANGELES)).toBe(true);
    // Saturday 03:30 UTC is Friday 20:30 there: Monday 08:00 PDT.
    expect(next('2026-06-13T03:30:00Z', DEFAULT_SEND_WINDOW, LOS_ANGELES)).toBe('2026-06-15T15:00:00.000Z');
    // Monday 05:00 UTC is Sunday 22:00 there: Monday 08:00 PDT, the same UTC date.
    expect(next('2026-06-15T05:00:00Z', DEFAULT_SEND_WINDOW, LOS_ANGELES)).toBe('2026-06-15T15:00:00.000Z');
    // Sunday 19:00 UTC is Monday 07:00 in Auckland (+12): 08:00 there, still Sunday in UTC.
    expect(next('2026-06-14T19:00:00Z', DEFAULT_SEND_WINDOW, 'Pacific/Auckland')).toBe('2026-06-14T20:00:00.000Z');
  });

  it('refuses a window the schema refuses', () => {
    const at = new Date('2026-06-15T10:00:00Z');
    for (const window of [
      { days: [], from: '08:00', to: '20:00' },
      { days: ['mon'], from: '20:00', to: '08:00' },
      { days: ['mon'], from: '8:00', to: '20:00' },
      { days: ['monday'], from: '08:00', to: '20:00' },
      null,
    ]) {
      expect(() => nextInSendWindow(at, window as SendWindow, BERLIN), JSON.stringify(window)).toThrow(RangeError);
      expect(() => inSendWindow(at, window as SendWindow, BERLIN), JSON.stringify(window)).toThrow(RangeError);
    }
  });

  it('has a schema for the tenant settings', () => {
    expect(SendWindowSchema.parse(DEFAULT_SEND_WINDOW)).toEqual({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '20:00' });
    expect(Object.isFrozen(DEFAULT_SEND_WINDOW) && Object.isFrozen(DEFAULT_SEND_WINDOW.days)).toBe(true);
    expect(SendWindowSchema.safeParse({ days: ['sat'], from: '00:00', to: '24:00' }).success).toBe(true);
    expect(SendWindowSchema.safeParse({ days: ['sun'], from: '23:58', to: '23:59' }).success).toBe(true);
    const refused: Array<[unknown, RegExp]> = [
      [{ days: [], from: '08:00', to: '20:00' }, /at least one day/],
      [{ days: ['mon', 'mon'], from: '08:00', to: '20:00' }, /each day once/],
      [{ days: ['Mon'], from: '08:00', to: '20:00' }, /./],
      [{ days: ['mon'], from: '24:00', to: '24:00' }, /HH:MM/],
      [{ days: ['mon'], from: '8:00', to: '20:00' }, /HH:MM/],
      [{ days: ['mon'], from: '08:00', to: '24:01' }, /HH:MM/],
      [{ days: ['mon'], from: '08:60', to: '20:00' }, /HH:MM/],
      [{ days: ['mon'], from: '08:00', to: '08:00' }, /closes after it opens/],
      [{ days: ['mon'], from: '20:00', to: '08:00' }, /closes after it opens/],
      [{ days: ['mon'], from: '08:00', to: '20:00', zone: 'UTC' }, /./],
    ];
    for (const [value, message] of refused) {
      const result = SendWindowSchema.safeParse(value);
      expect(result.success, JSON.stringify(value)).toBe(false);
      expect(result.error!.issues.map((i) => i.message).join('; '), JSON.stringify(value)).toMatch(message);
    }
    // An invalid time gets its own message only, not a second one about the order.
    expect(SendWindowSchema.safeParse({ days: ['mon'], from: 'x', to: '20:00' }).error!.issues).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

/** Zones with odd offsets (+05:30, +05:45, +12:45), a 30-minute DST (Lord Howe), switches at midnight (Santiago, Havana). */
const ZONES = [BERLIN, NEW_YORK, LOS_ANGELES, KOLKATA, 'Asia/Kathmandu', 'Australia/Sydney', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Santiago', 'America/Havana', 'UTC'];

/** The instants in [from, to) at which the zone's offset changes, to the second. */
function transitions(timeZone: string, from: string, to: string): number[] {
  const found: number[] = [];
  const offset = (t: number) => offsetMinutes(new Date(t), timeZone);
  for (let t = Date.parse(from); t < Date.parse(to); t += DAY) {
    if (offset(t) === offset(t + DAY)) continue;
    let [lo, hi] = [t, t + DAY];
    while (hi - lo > 1_000) {
      const mid = lo + Math.floor((hi - lo) / 2_000) * 1_000;
      if (offset(mid) === offset(lo)) lo = mid;
      else hi = mid;
    }
    found.push(hi);
  }
  return found;
}

const SWITCHES = new Map(ZONES.map((zone) => [zone, transitions(zone, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')]));

it('finds the switches the properties aim at', () => {
  expect(SWITCHES.get(BERLIN)).toEqual([Date.parse('2026-03-29T01:00:00Z'), Date.parse('2026-10-25T01:00:00Z')]);
  expect(SWITCHES.get('Australia/Lord_Howe')).toHaveLength(2);
  expect(SWITCHES.get(KOLKATA)).toEqual([]);
});

const zone = fc.constantFrom(...ZONES);
const uniformInstant = fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2030-01-01T00:00:00Z') });
/** An instant in a zone: anywhere in 2024–2029, or within two days of one of its 2026 switches. */
const instantIn = (timeZone: string) => {
  const switches = SWITCHES.get(timeZone)!;
  if (switches.length === 0) return uniformInstant;
  const nearSwitch = fc.tuple(fc.constantFrom(...switches), fc.integer({ min: -2 * DAY, max: 2 * DAY })).map(([at, delta]) => at + delta);
  const nearSwitchRound = fc.tuple(fc.constantFrom(...switches), fc.integer({ min: -48 * 4, max: 48 * 4 })).map(([at, quarters]) => at + quarters * 15 * 60_000);
  return fc.oneof(uniformInstant, nearSwitch, nearSwitchRound);
};
const zoneAndInstant = zone.chain((timeZone) => instantIn(timeZone).map((time) => ({ timeZone, time })));

const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
/** Minutes of the day, often at the hours zones switch (midnight, 01:00–04:00, 23:00). */
const minuteOfDay = fc.oneof(fc.integer({ min: 0, max: 1440 }), fc.constantFrom(0, 30, 60, 90, 120, 135, 150, 165, 180, 210, 225, 240, 480, 1200, 1380, 1410, 1439, 1440));
const sendWindow: fc.Arbitrary<SendWindow> = fc
  .record({ days: fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 7 }), a: minuteOfDay, b: minuteOfDay })
  .filter(({ a, b }) => a !== b)
  .map(({ days, a, b }) => ({ days, from: clock(Math.min(a, b)), to: clock(Math.max(a, b)) }));

const durationParts = fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 999_999 }));
const anyDuration: fc.Arbitrary<Duration> = fc.record({
  sign: fc.constantFrom(1 as const, -1 as const),
  years: durationParts,
  months: durationParts,
  weeks: durationParts,
  days: durationParts,
  hours: durationParts,
  minutes: durationParts,
  seconds: durationParts,
});
/** Texts near the grammar (parts out of order, too many digits, lower case, stray signs), and any text at all. */
const nearDuration = fc.stringMatching(/^[+-]{0,2}[Pp]?(\d{0,7}[YMWD]){0,3}([Tt](\d{0,7}[HMSD]){0,3})?[.,\s]?$/);
const anyText = fc.oneof(nearDuration, fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom(...'PTYMWDHS0123456789+-.,'), maxLength: 60 }));

describe('duration properties', () => {
  it('formats every duration to a text that parses back to it', () => {
    assertProperty(
      fc.property(anyDuration, (d) => {
        expect(parseDuration(formatDuration(d))).toEqual(d);
      }),
      RUNS,
    );
  });

  it('parses any text or refuses it, without throwing, and a parsed text formats to an equal duration', () => {
    assertProperty(
      fc.property(anyText, (text) => {
        const d = parseDuration(text);
        if (d) expect(parseDuration(formatDuration(d))).toEqual(d);
        const problem = durationProblem(text, { allowNegative: false, min: 60_000, max: 365 * DAY });
        expect(problem === undefined || typeof problem === 'string').toBe(true);
        if (!d) expect(problem).toMatch(/is not an ISO 8601 duration/);
      }),
      { numRuns: 1_000 },
    );
  });

  it('is fast on 10,000-character input', () => {
    const long = [`P${'1'.repeat(9_998)}D`, `-P${'1D'.repeat(4_999)}`, `PT${'1H'.repeat(4_999)}`, 'P'.repeat(10_000), `P1D${' '.repeat(9_997)}`];
    const started = performance.now();
    for (let i = 0; i < 2_000; i++) {
      for (const text of long) {
        expect(parseDuration(text)).toBeUndefined();
        durationProblem(text, { allowNegative: true });
      }
    }
    expect(performance.now() - started).toBeLessThan(STALL_MS);
    assertProperty(
      fc.property(fc.string({ unit: fc.constantFrom(...'PT1YMDHS-'), minLength: 10_000, maxLength: 10_000 }), (text) => {
        const before = performance.now();
        expect(parseDuration(text)).toBeUndefined();
        expect(durationProblem(text, { allowNegative: true })).toMatch(/is not an ISO 8601 duration/);
        expect(performance.now() - before).toBeLessThan(STALL_MS);
      }),
      { numRuns: 50 },
    );
  });
});

describe('addDuration properties', () => {
  /**
   * A start at a wall time that exists once on every date (04:00–22:59: every zone here switches
   * between 23:00 and 04:00), built with `zonedInstant`, which is exact for such times.
   */
  const calmStart = fc
    .record({
      timeZone: zone,
      date: fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2032-12-31') }).map((t) => new Date(t).toISOString().slice(0, 10)),
      hour: fc.integer({ min: 4, max: 22 }),
      minute: fc.integer({ min: 0, max: 59 }),
      ms: fc.integer({ min: 0, max: 59_999 }),
    })
    .map(({ timeZone, date, hour, minute, ms }) => ({ timeZone, start: new Date(zonedInstant(date, hour, minute, timeZone).getTime() + ms) }));

  it('undoes +d with -d (and -d with +d) for durations of days and weeks, away from DST gaps', () => {
    const dayDuration = fc.record({ weeks: fc.integer({ min: 0, max: 60 }), days: fc.integer({ min: 0, max: 800 }) });
    assertProperty(
      fc.property(calmStart, dayDuration, ({ timeZone, start }, { weeks, days }) => {
        const forward = { ...duration('P0D'), weeks, days };
        const backward = { ...forward, sign: -1 as const };
        const there = addDuration(start, forward, timeZone);
        expect(wallClock(there, timeZone).time).toBe(wallClock(start, timeZone).time);
        expect(addDuration(there, backward, timeZone).getTime()).toBe(start.getTime());
        expect(addDuration(addDuration(start, backward, timeZone), forward, timeZone).getTime()).toBe(start.getTime());
      }),
      RUNS,
    );
  });

  it('undoes +P{n}M with -P{n}M when the day of the month exists in every month', () => {
    assertProperty(
      fc.property(calmStart, fc.integer({ min: 0, max: 240 }), ({ timeZone, start }, months) => {
        fc.pre(Number(wallClock(start, timeZone).date.slice(8)) <= 28);
        const forward = { ...duration('P0D'), months };
        const there = addDuration(start, forward, timeZone);
        expect(wallClock(there, timeZone).date.slice(8)).toBe(wallClock(start, timeZone).date.slice(8));
        expect(addDuration(there, { ...forward, sign: -1 }, timeZone).getTime()).toBe(start.getTime());
      }),
      RUNS,
    );
  });

  it('adds time parts alone as elapsed time, in any zone, across any switch', () => {
    const timeDuration = fc.record({ hours: fc.integer({ min: 0, max: 999 }), minutes: fc.integer({ min: 0, max: 999 }), seconds: fc.integer({ min: 0, max: 999 }), sign: fc.constantFrom(1 as const, -1 as const) });
    assertProperty(
      fc.property(zoneAndInstant, timeDuration, ({ timeZone, time }, parts) => {
        const d = { ...duration('P0D'), ...parts };
        expect(addDuration(new Date(time), d, timeZone).getTime() - time).toBe(d.sign * approximateMs(d));
      }),
      RUNS,
    );
  });

  it('moves P1D by a day give or take a switch (22 to 26 hours) in every zone', () => {
    assertProperty(
      fc.property(zoneAndInstant, ({ timeZone, time }) => {
        const there = addDuration(new Date(time), duration('P1D'), timeZone).getTime();
        // Every switch here is at most an hour (Lord Howe: half an hour).
        expect(there - time).toBeGreaterThanOrEqual(22 * HOUR);
        expect(there - time).toBeLessThanOrEqual(26 * HOUR);
      }),
      RUNS,
    );
  });
});

describe('send window properties', () => {
  it('gives an instant at or after t, inside the window, idempotent, with no instant of the window in between', () => {
    const samples = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 });
    assertProperty(
      fc.property(zoneAndInstant, sendWindow, samples, ({ timeZone, time }, window, fractions) => {
        const started = performance.now();
        const t = new Date(time);
        const result = nextInSendWindow(t, window, timeZone);
        expect(result.getTime()).toBeGreaterThanOrEqual(time);
        expect(inSendWindow(result, window, timeZone)).toBe(true);
        expect(nextInSendWindow(result, window, timeZone).getTime()).toBe(result.getTime());
        expect(inSendWindow(t, window, timeZone)).toBe(result.getTime() === time);
        // At most a week and a bit (a zone's skipped date aside).
        expect(result.getTime() - time).toBeLessThanOrEqual(8 * DAY);
        if (result.getTime() > time) {
          expect(inSendWindow(new Date(result.getTime() - 1), window, timeZone)).toBe(false);
          for (const f of fractions) {
            const between = time + Math.floor(f * (result.getTime() - time));
            if (between > time && between < result.getTime()) expect(inSendWindow(new Date(between), window, timeZone), new Date(between).toISOString()).toBe(false);
          }
        }
        expect(performance.now() - started).toBeLessThan(STALL_MS);
      }),
      RUNS,
    );
  });

  it('agrees with a plain reading of the local wall clock away from DST switches', () => {
    assertProperty(
      fc.property(zoneAndInstant, sendWindow, ({ timeZone, time }, window) => {
        fc.pre(offsetMinutes(new Date(time - 4 * HOUR), timeZone) === offsetMinutes(new Date(time + 4 * HOUR), timeZone));
        const { weekday, time: wall } = wallClock(time, timeZone);
        const plain = (window.days as string[]).includes(weekday.slice(0, 3)) && `${window.from}:00` <= wall && wall < `${window.to}:00`;
        expect(inSendWindow(new Date(time), window, timeZone)).toBe(plain);
      }),
      { numRuns: 300 },
    );
  });

  it('opens at the window`s `from` on the local clock, or later by a gap', () => {
    assertProperty(
      fc.property(zoneAndInstant, sendWindow, ({ timeZone, time }, window) => {
        const result = nextInSendWindow(new Date(time), window, timeZone);
        if (result.getTime() === time) return;
        const { weekday, time: wall } = wallClock(result, timeZone);
        expect(result.getUTCMilliseconds()).toBe(0);
        const gap = offsetMinutes(result, timeZone) - offsetMinutes(new Date(result.getTime() - 3 * HOUR), timeZone);
        if (gap <= 0) {
          expect(wall).toBe(`${window.from}:00`);
          expect(window.days).toContain(weekday.slice(0, 3));
        } else {
          expect(wall >= `${window.from}:00`).toBe(true);
        }
      }),
      RUNS,
    );
  });
});
