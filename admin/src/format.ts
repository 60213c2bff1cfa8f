/** Dates and times as an agency reads them: German, in the agency's time zone, relative where that reads better. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const relative = new Intl.RelativeTimeFormat('de', { numeric: 'auto' });

/** "27.11.2026, 14:30" in the agency's zone. */
export function dateTime(iso: string | undefined, timeZone: string): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '–';
  return new Intl.DateTimeFormat('de-DE', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date);
}

/** "vor 3 Minuten", "in 2 Tagen"; past a week the date itself. */
export function ago(iso: string | undefined, timeZone: string, now: Date = new Date()): string {
  if (!iso) return '–';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '–';
  const diff = at - now.getTime();
  const size = Math.abs(diff);
  if (size < MINUTE) return diff <= 0 ? 'gerade eben' : 'in weniger als einer Minute';
  if (size < HOUR) return relative.format(Math.round(diff / MINUTE), 'minute');
  if (size < DAY) return relative.format(Math.round(diff / HOUR), 'hour');
  if (size < 7 * DAY) return relative.format(Math.round(diff / DAY), 'day');
  return dateTime(iso, timeZone);
}
