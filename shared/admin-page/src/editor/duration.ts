/**
 * The duration picker's arithmetic: a number and a unit (Minuten, Stunden, Tage, Wochen) to an ISO
 * 8601 duration and back. Durations the picker cannot show (`P1M`, `P1DT2H`) stay ISO text.
 */

export type DurationUnit = 'M' | 'H' | 'D' | 'W';

export const UNITS: Array<[DurationUnit, string]> = [
  ['M', 'Minuten'],
  ['H', 'Stunden'],
  ['D', 'Tage'],
  ['W', 'Wochen'],
];

export interface PickedDuration {
  amount: number;
  unit: DurationUnit;
  negative: boolean;
}

/** "P2D" → 2 Tage; "-PT3H" → 3 Stunden, negative; undefined for what the picker cannot show. */
export function parseDuration(iso: string | undefined): PickedDuration | undefined {
  if (!iso) return undefined;
  const m = /^(-)?P(?:(\d+)W|(\d+)D|T(\d+)H|T(\d+)M)$/.exec(iso.trim());
  if (!m) return undefined;
  const negative = m[1] === '-';
  if (m[2]) return { amount: Number(m[2]), unit: 'W', negative };
  if (m[3]) return { amount: Number(m[3]), unit: 'D', negative };
  if (m[4]) return { amount: Number(m[4]), unit: 'H', negative };
  return { amount: Number(m[5]), unit: 'M', negative };
}

/** 2 Tage → "P2D", 3 Stunden → "PT3H" (with `-` before it when negative). */
export function durationIso(amount: number, unit: DurationUnit, negative = false): string {
  const sign = negative ? '-' : '';
  return unit === 'W' || unit === 'D' ? `${sign}P${amount}${unit}` : `${sign}PT${amount}${unit}`;
}
