import { compilePattern, type Primitive } from './compile.ts';
import { matchesFlat, type FlatEvent } from './match.ts';

/** A condition of a pattern that an event does not meet, with what the event had there. */
export type Mismatch =
  | { path: string; condition: unknown[]; saw: Primitive[] | null; message: string }
  | { path: string; anyOf: Mismatch[][]; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const nest = (path: string, leaf: unknown[]): Record<string, unknown> =>
  path.split('.').reduceRight<Record<string, unknown> | unknown[]>((inner, key) => ({ [key]: inner }), leaf) as Record<string, unknown>;

const show = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(' or ');

/**
 * Why a pattern does not match an event: each field condition the event fails, tested one by one
 * with the same matcher the engine uses (so the explanation cannot disagree with the result), and
 * for an `$or` whose every alternative fails, the failures of each. Empty when the pattern matches.
 */
export function explainMismatch(pattern: Record<string, unknown>, flat: FlatEvent, prefix = ''): Mismatch[] {
  const mismatches: Mismatch[] = [];
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or' && Array.isArray(value)) {
      const alternatives = value.filter(isObject).map((branch) => explainMismatch(branch, flat, prefix));
      if (alternatives.every((a) => a.length > 0)) mismatches.push({ path: prefix || '(event)', anyOf: alternatives, message: 'None of the $or alternatives matches' });
      continue;
    }
    const path = prefix ? `${prefix}.${key}` : key;
    if (isObject(value)) {
      mismatches.push(...explainMismatch(value, flat, path));
    } else if (Array.isArray(value) && !matchesFlat(compilePattern(nest(path, value)), flat)) {
      const saw = flat.get(path) ?? null;
      mismatches.push({ path, condition: value, saw, message: saw ? `${path} is ${show(saw)}; the trigger needs ${show(value)}` : `The event has no ${path}; the trigger needs ${show(value)}` });
    }
  }
  return mismatches;
}
