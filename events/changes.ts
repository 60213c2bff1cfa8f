import { isDeepStrictEqual } from 'node:util';

/** Fields every write changes; a change of only these is no domain change. */
export const BOOKKEEPING: ReadonlySet<string> = new Set(['version', 'updatedAt', 'createdAt', 'causedBy', 'id', 'tenantId']);

/** Domain fields whose value differs between the two images of an entity, sorted. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => !BOOKKEEPING.has(key) && !isDeepStrictEqual(before[key], after[key])).sort();
}
