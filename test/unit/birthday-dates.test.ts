import { describe, expect, it } from 'vitest';
import { ageOn, celebratedMonthDays, dateInZone, isValidDate, zonedInstant } from '#shared/birthdays/dates';
import { BIRTHDAY_SCHEDULE } from '#shared/birthdays/schedule';
import { nextRun, parseDailyCron } from '#infra/local/scheduler';

describe('birthday dates', () => {
  it('celebrates 29 February on 28 February in common years only', () => {
    expect(celebratedMonthDays('2027-02-28')).toEqual(['02-28', '02-29']);
    expect(celebratedMonthDays('2028-02-28')).toEqual(['02-28']);
    expect(celebratedMonthDays('2028-02-29')).toEqual(['02-29']);
    expect(celebratedMonthDays('2027-03-01')).toEqual(['03-01']);
    expect(celebratedMonthDays('2100-02-28')).toEqual(['02-28', '02-29']);
    expect(celebratedMonthDays('2000-02-28')).toEqual(['02-28']);
  });

  it('gives the age when the year is known, and none for year-less birthdays', () => {
    expect(ageOn('1980-11-27', '2026-11-27')).toBe(46);
    expect(ageOn('2024-02-29', '2027-02-28')).toBe(3);
    expect(ageOn('--11-27', '2026-11-27')).toBeUndefined();
  });

  it('takes the calendar date in Berlin around midnight', () => {
    expect(dateInZone(new Date('2026-11-26T23:30:00Z'), 'Europe/Berlin')).toBe('2026-11-27');
    expect(dateInZone(new Date('2026-11-26T22:59:59Z'), 'Europe/Berlin')).toBe('2026-11-26');
    expect(dateInZone(new Date('2026-06-30T22:00:00Z'), 'Europe/Berlin')).toBe('2026-07-01');
    expect(dateInZone(new Date('2026-06-30T21:59:59Z'), 'Europe/Berlin')).toBe('2026-06-30');
  });

  it('places 07:00 Berlin on the right instant on both DST days', () => {
    expect(zonedInstant('2026-03-29', 7, 0, 'Europe/Berlin').toISOString()).toBe('2026-03-29T05:00:00.000Z');
    expect(zonedInstant('2026-10-25', 7, 0, 'Europe/Berlin').toISOString()).toBe('2026-10-25T06:00:00.000Z');
    expect(zonedInstant('2026-11-27', 7, 0, 'Europe/Berlin').toISOString()).toBe('2026-11-27T06:00:00.000Z');
  });

  it('fires the local schedule once a day at 07:00 Berlin, across the DST switches', () => {
    const { cron, timeZone } = BIRTHDAY_SCHEDULE;
    expect(parseDailyCron(cron)).toEqual({ minute: 0, hour: 7 });
    expect(nextRun(cron, timeZone, new Date('2026-03-28T06:00:00Z')).toISOString()).toBe('2026-03-29T05:00:00.000Z');
    expect(nextRun(cron, timeZone, new Date('2026-10-25T05:59:00Z')).toISOString()).toBe('2026-10-25T06:00:00.000Z');
    expect(nextRun(cron, timeZone, new Date('2026-11-27T06:00:00Z')).toISOString()).toBe('2026-11-28T06:00:00.000Z');
    expect(() => parseDailyCron('rate(1 day)')).toThrow(/daily cron/);
  });

  it('validates calendar dates', () => {
    expect(isValidDate('2026-11-27')).toBe(true);
    expect(isValidDate('2027-02-29')).toBe(false);
    expect(isValidDate('27.11.2026')).toBe(false);
  });
});
