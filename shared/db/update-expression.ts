import { isDeepStrictEqual } from 'node:util';

/**
 * An UpdateItem expression that turns `before` into `after` by touching only the attributes that
 * differ: a field some other writer keeps up to date (an automation's run counters) and that this
 * change does not touch is left as it is, instead of being overwritten by a stale copy.
 */
export function updateExpressionFor(before: Record<string, unknown>, after: Record<string, unknown>, keyAttributes: readonly string[]) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  let n = 0;
  for (const [name, value] of Object.entries(after)) {
    if (keyAttributes.includes(name) || value === undefined || isDeepStrictEqual(before[name], value)) continue;
    names[`#a${n}`] = name;
    values[`:a${n}`] = value;
    sets.push(`#a${n} = :a${n}`);
    n++;
  }
  for (const name of Object.keys(before)) {
    if (keyAttributes.includes(name) || (name in after && after[name] !== undefined)) continue;
    names[`#a${n}`] = name;
    removes.push(`#a${n}`);
    n++;
  }
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
  return { expression, names, values };
}
