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

/** "03.12.2026" in the agency's zone. */
export function dateOnly(iso: string | undefined, timeZone: string): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '–';
  return new Intl.DateTimeFormat('de-DE', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' }).format(date);
}

/** "14:00" in the agency's zone. */
export function timeOnly(iso: string | undefined, timeZone: string): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '–';
  return new Intl.DateTimeFormat('de-DE', { timeZone, hour: '2-digit', minute: '2-digit' }).format(date);
}

/** "Donnerstag, 03.12.2026, 14:00 Uhr (MEZ)" in the agency's zone: for titles and tooltips. */
export function dateTimeLong(iso: string | undefined, timeZone: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${new Intl.DateTimeFormat('de-DE', { timeZone, weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' }).format(date)}`;
}

/** "0,4 Sekunden", "3 Minuten 4 Sekunden", "2 Tage 3 Stunden": how long something took. */
export function elapsed(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1_000) return `${ms} ms`;
  if (ms < MINUTE) return `${new Intl.NumberFormat('de-DE', { maximumFractionDigits: 1 }).format(ms / 1_000)} Sekunden`;
  const parts: string[] = [];
  const units: Array<[number, string, string]> = [[DAY, 'Tag', 'Tage'], [HOUR, 'Stunde', 'Stunden'], [MINUTE, 'Minute', 'Minuten'], [1_000, 'Sekunde', 'Sekunden']];
  let rest = ms;
  for (const [size, one, many] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 && parts.length < 2) parts.push(`${n} ${n === 1 ? one : many}`);
  }
  return parts.join(' ');
}
