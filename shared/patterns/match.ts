import type { AllOf, CompiledPattern, Leaf, Primitive } from './compile.ts';

/** An event as EventBridge sees it: every leaf under its dotted path; array elements share a path. */
export type FlatEvent = Map<string, Primitive[]>;

/**
 * Flattens an event once, so that any number of patterns can be tested against it. Keys that
 * contain dots join like nested keys (`{"a.b": 1}` and `{"a": {"b": 1}}` are the same field), and an
 * empty array contributes nothing (it does not "exist"). Iterative, in document order: an event
 * nested however deep cannot exhaust the stack.
 */
export function flattenEvent(event: unknown): FlatEvent {
  const flat: FlatEvent = new Map();
  const stack: Array<[unknown, string]> = [[event, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], path]);
    } else if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        stack.push([child, path ? `${path}.${key}` : key]);
      }
    } else if (path) {
      const leaf = value === undefined ? null : (value as Primitive);
      const values = flat.get(path);
      if (values) values.push(leaf);
      else flat.set(path, [leaf]);
    }
  }
  return flat;
}

function leafHolds({ path, conditions }: Leaf, event: FlatEvent): boolean {
  const values = event.get(path);
  for (const condition of conditions) {
    if (condition.kind === 'exists') {
      if (condition.exists === (values !== undefined)) return true;
    } else if (values !== undefined) {
      for (const value of values) if (condition.test(value)) return true;
    }
  }
  return false;
}

/** Every leaf holds, and of each `$or` group one alternative (the tree's depth is bounded by the compiler). */
function allHold(node: AllOf, event: FlatEvent): boolean {
  for (const leaf of node.leaves) if (!leafHolds(leaf, event)) return false;
  for (const group of node.anyOf) if (!group.some((alternative) => allHold(alternative, event))) return false;
  return true;
}

export function matchesFlat(pattern: CompiledPattern, event: FlatEvent): boolean {
  return allHold(pattern.root, event);
}

/** Whether `pattern` matches `event` (flattens the event; use `matchesFlat` for many patterns). */
export function matchesPattern(pattern: CompiledPattern, event: unknown): boolean {
  return matchesFlat(pattern, flattenEvent(event));
}
