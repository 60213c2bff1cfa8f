import type { CompiledPattern, Primitive } from './compile.ts';

/** An event as EventBridge sees it: every leaf under its dotted path; array elements share a path. */
export type FlatEvent = Map<string, Primitive[]>;

/**
 * Flattens an event once, so that any number of patterns can be tested against it. Keys that
 * contain dots join like nested keys (`{"a.b": 1}` and `{"a": {"b": 1}}` are the same field), and an
 * empty array contributes nothing (it does not "exist").
 */
export function flattenEvent(event: unknown): FlatEvent {
  const flat: FlatEvent = new Map();
  const visit = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, path);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) visit(child, path ? `${path}.${key}` : key);
    } else if (path) {
      const leaf = value === undefined ? null : (value as Primitive);
      const values = flat.get(path);
      if (values) values.push(leaf);
      else flat.set(path, [leaf]);
    }
  };
  visit(event, '');
  return flat;
}

export function matchesFlat(pattern: CompiledPattern, event: FlatEvent): boolean {
  return pattern.branches.some((branch) =>
    branch.every(({ path, conditions }) => {
      const values = event.get(path);
      return conditions.some((condition) =>
        condition.kind === 'exists' ? condition.exists === (values !== undefined) : values !== undefined && values.some(condition.test),
      );
    }),
  );
}

/** Whether `pattern` matches `event` (flattens the event; use `matchesFlat` for many patterns). */
export function matchesPattern(pattern: CompiledPattern, event: unknown): boolean {
  return matchesFlat(pattern, flattenEvent(event));
}
