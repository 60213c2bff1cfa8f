/** Calendar arithmetic for birthdays, in plain `YYYY-MM-DD` strings (no time-zone drift). */

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The calendar date of `instant` in `timeZone`, e.g. 23:30 UTC on 26 Nov is 27 Nov in Berlin. */
export function dateInZone(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The zone's offset from UTC at `instant`, in minutes (Berlin: 60 in winter, 120 in summer). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** The instant a wall-clock time on a date happens in a zone (for times that exist and are unique). */
export function zonedInstant(date: string, hour: number, minute: number, timeZone: string): Date {
  const guess = new Date(`${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`);
  const first = new Date(guess.getTime() - offsetMinutes(guess, timeZone) * 60_000);
  // Re-evaluate at the candidate, in case the guess fell on the other side of a DST switch.
  return new Date(guess.getTime() - offsetMinutes(first, timeZone) * 60_000);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The month-days whose birthdays are celebrated on `date`: its own, and on 28 February of a
 * year without a 29th, also 29 February's.
 */
export function celebratedMonthDays(date: string): string[] {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const own = date.slice(5);
  return month === 2 && day === 28 && !isLeapYear(year) ? [own, '02-29'] : [own];
}

/** The age reached on `date`, when the birthday has a year. */
export function ageOn(birthday: string, date: string): number | undefined {
  const match = /^(\d{4})-\d{2}-\d{2}$/.exec(birthday);
  if (!match) return undefined;
  const age = Number(date.slice(0, 4)) - Number(match[1]);
  return age >= 0 ? age : undefined;
}

export function isValidDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}
