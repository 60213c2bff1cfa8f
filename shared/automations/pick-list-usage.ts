import type { FieldError } from '../errors.ts';
import { allowedValues, canonicalValue, keysOf, notInPickList, type PickListName, type PickLists } from '../settings/pick-lists.ts';
import type { AutomationDefinition } from './model.ts';

export type { PickListName } from '../settings/pick-lists.ts';

/**
 * Which pick-list values an automation depends on: the exact values its trigger pattern compares
 * with, and the values its actions write. A value used here must stay in the tenant's lists while
 * the automation is enabled, or the automation silently stops firing (or writes a value no one can
 * pick).
 */

/** How a condition field maps to a pick-list: e.g. 'toStage' → { list: 'dealStages', keyPath: 'deal.pipelineId' }, 'activity.category' → { list: 'activityCategories', keyPath: 'activity.type' }. */
export interface PickListField {
  list: PickListName;
  /** The detail field that selects the sub-list of a keyed list (pipeline id, activity type). */
  keyPath?: string;
}

/** Maps an event type and a dotted detail path to the pick-list the field takes its values from. */
export type PickListResolver = (event: string, path: string) => PickListField | undefined;

export interface PickListUse {
  /** Where the value is written, e.g. 'trigger.where.activity.category' or 'actions.0.set.status'. */
  path: string;
  list: PickListName;
  /** The pipeline ids / activity types the pattern restricts to; absent: any. */
  keys?: string[];
  value: string;
}

/** Beyond this many `$or` combinations the pattern is read without pairing keys to values. */
const MAX_BRANCHES = 1_024;

interface Leaf {
  /** Path of the matcher array inside the pattern, `$or` indexes included. */
  location: string[];
  /** Path of the event field it matches, without `$or`. */
  field: string;
  matchers: unknown[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The pattern as alternatives (each one a conjunction of leaves): `$or` at any level splits the
 * branch it is in. Past `MAX_BRANCHES` all leaves form one branch, which pairs no keys with values.
 */
function branchesOf(pattern: Record<string, unknown>, location: string[], field: string[]): Leaf[][] | undefined {
  let branches: Leaf[][] = [[]];
  for (const [key, value] of Object.entries(pattern)) {
    let alternatives: Leaf[][];
    if (key === '$or' && Array.isArray(value)) {
      alternatives = [];
      for (const [i, sub] of value.entries()) {
        if (!isObject(sub)) continue;
        const inner = branchesOf(sub, [...location, '$or', String(i)], field);
        if (!inner) return undefined;
        alternatives.push(...inner);
      }
      if (!alternatives.length) continue;
    } else if (Array.isArray(value)) {
      alternatives = [[{ location: [...location, key], field: [...field, key].join('.'), matchers: value }]];
    } else if (isObject(value)) {
      const inner = branchesOf(value, [...location, key], [...field, key]);
      if (!inner) return undefined;
      alternatives = inner;
    } else continue;
    if (branches.length * alternatives.length > MAX_BRANCHES) return undefined;
    branches = branches.flatMap((branch) => alternatives.map((alternative) => [...branch, ...alternative]));
  }
  return branches;
}

/** Every leaf of the pattern, `$or` alternatives included. */
function leavesOf(pattern: Record<string, unknown>, location: string[], field: string[]): Leaf[] {
  return Object.entries(pattern).flatMap(([key, value]): Leaf[] => {
    if (key === '$or' && Array.isArray(value)) return value.flatMap((sub, i) => (isObject(sub) ? leavesOf(sub, [...location, '$or', String(i)], field) : []));
    if (Array.isArray(value)) return [{ location: [...location, key], field: [...field, key].join('.'), matchers: value }];
    if (isObject(value)) return leavesOf(value, [...location, key], [...field, key]);
    return [];
  });
}

/**
 * The exact values a matcher list compares with: plain strings and the strings of
 * `anything-but` (a removed value would make "anything but X" match everything). Prefix, suffix,
 * wildcard and equals-ignore-case matchers name no exact value.
 */
function exactValues(matchers: unknown[]): string[] {
  return matchers.flatMap((matcher) => {
    if (typeof matcher === 'string') return [matcher];
    if (isObject(matcher) && 'anything-but' in matcher) {
      const but = matcher['anything-but'];
      if (typeof but === 'string') return [but];
      if (Array.isArray(but)) return but.filter((v): v is string => typeof v === 'string');
    }
    return [];
  });
}

/** The keys a branch restricts `keyPath` to: the intersection of its leaves made only of plain strings. */
function keysIn(branch: Leaf[], keyPath: string): string[] | undefined {
  let keys: string[] | undefined;
  for (const leaf of branch) {
    if (leaf.field !== keyPath || !leaf.matchers.every((m) => typeof m === 'string')) continue;
    const values = leaf.matchers as string[];
    keys = keys ? keys.filter((k) => values.includes(k)) : [...new Set(values)];
  }
  return keys;
}

/** The keys every branch restricts `keyPath` to (their union), or undefined when some branch does not. */
function keysOfAll(branches: Leaf[][] | undefined, keyPath: string): string[] | undefined {
  if (!branches) return undefined;
  const all: string[] = [];
  for (const branch of branches) {
    const keys = keysIn(branch, keyPath);
    if (!keys) return undefined;
    all.push(...keys);
  }
  return [...new Set(all)];
}

/** The values the actions write into pick-list fields; a stage within the pipelines the trigger restricts the deal to. */
function actionUses(actions: AutomationDefinition['actions'], pipelines?: string[]): PickListUse[] {
  return actions.flatMap((action, i): PickListUse[] => {
    const at = `actions.${i}`;
    switch (action.type) {
      case 'move_deal':
        return [{ path: `${at}.stage`, list: 'dealStages', ...(pipelines ? { keys: pipelines } : {}), value: action.stage }];
      case 'update_contact':
        return action.set.status ? [{ path: `${at}.set.status`, list: 'contactStatuses', value: action.set.status }] : [];
      case 'create_contact':
        return action.defaults?.status ? [{ path: `${at}.defaults.status`, list: 'contactStatuses', value: action.defaults.status }] : [];
      case 'update_property':
        return action.set.status ? [{ path: `${at}.set.status`, list: 'propertyStatuses', value: action.set.status }] : [];
      default:
        return [];
    }
  });
}

/**
 * Every pick-list value an automation uses: exact and anything-but strings in `trigger.where` of
 * fields `resolve` maps (with the keys the same `$or` branch restricts the key field to), then the
 * values its actions write. A value used in several branches with the same keys is listed once.
 */
export function pickListValuesUsed(definition: AutomationDefinition, resolve: PickListResolver, resolveRecord?: PickListResolver): PickListUse[] {
  const uses: PickListUse[] = [];
  const seen = new Set<string>();
  const add = (use: PickListUse) => {
    const id = `${use.path}\u0000${use.list}\u0000${use.keys?.join('\u0001') ?? ''}\u0000${use.value}`;
    if (seen.has(id)) return;
    uses.push(use);
    seen.add(id);
  };
  // Each field is resolved once, however many branches name it.
  const resolved = new Map<string, PickListField | undefined>();
  const fieldOf = (path: string) => {
    if (!resolved.has(path)) resolved.set(path, resolve(definition.trigger.event, path));
    return resolved.get(path);
  };
  const where = definition.trigger.where;
  let expanded: Leaf[][] | undefined;
  if (isObject(where)) {
    const base = ['trigger', 'where'];
    const leaves = leavesOf(where, base, []).filter((leaf) => fieldOf(leaf.field));
    const keyed = leaves.some((leaf) => fieldOf(leaf.field)?.keyPath);
    const movesDeals = definition.actions.some((a) => a.type === 'move_deal');
    // Only keyed lists (stages per pipeline, categories per type) need the `$or` branches multiplied
    // out, to pair each value with the keys of its branch; every other value is used as it stands.
    expanded = keyed || movesDeals ? branchesOf(where, base, []) : undefined;
    const paired = expanded !== undefined;
    for (const branch of expanded ?? [leaves]) {
      for (const leaf of branch) {
        const field = fieldOf(leaf.field);
        if (!field) continue;
        const keys = field.keyPath && paired ? keysIn(branch, field.keyPath) : undefined;
        // A branch that asks for two different keys at once matches no event and uses nothing.
        if (keys?.length === 0) continue;
        for (const value of exactValues(leaf.matchers)) add({ path: leaf.location.join('.'), list: field.list, ...(keys ? { keys } : {}), value });
      }
    }
  }
  actionUses(definition.actions, keysOfAll(expanded, 'deal.pipelineId')).forEach(add);
  // A wait's `while` condition compares the run's records with list values too (`deal.stage`).
  if (resolveRecord) {
    definition.actions.forEach((action, i) => {
      if (action.type !== 'wait' || !isObject(action.while)) return;
      const asTrigger = { trigger: { event: definition.trigger.event, where: action.while }, actions: [] } as unknown as AutomationDefinition;
      for (const use of pickListValuesUsed(asTrigger, resolveRecord)) add({ ...use, path: use.path.replace(/^trigger\.where/, `actions.${i}.while`) });
    });
  }
  return uses;
}

/**
 * The uses whose value is not in the tenant's lists (for a keyed list: in none of the sub-lists of
 * its keys, or of any key when unrestricted), as `not_in_pick_list` errors. The comparison is
 * exact, as EventBridge's; a value that differs only in case gets `params.suggestion`.
 */
export function checkPickListUses(uses: PickListUse[], pickLists: PickLists): FieldError[] {
  return uses.flatMap((use) => {
    // Keys the tenant does not have (a mistyped pipeline) are reported on their own field.
    if (use.keys && !use.keys.some((key) => keysOf(pickLists, use.list)?.includes(key))) return [];
    const allowed = allowedValues(pickLists, use.list, use.keys);
    if (allowed.includes(use.value)) return [];
    const suggestion = canonicalValue(allowed, use.value);
    const ref = { path: use.path, list: use.list, ...(use.keys?.length === 1 ? { key: use.keys[0]! } : {}) };
    const error = notInPickList(ref, allowed, use.value, { ...(use.keys ? { keys: use.keys } : {}), ...(suggestion ? { suggestion } : {}) });
    return [suggestion ? { ...error, message: `${error.message}; write it as "${suggestion}"` } : error];
  });
}

/** An automation with the values it uses. */
export interface AutomationUses {
  id: string;
  name: string;
  uses: PickListUse[];
}

/**
 * The values a change of the lists removes (or renames, a change of case included) while an
 * automation uses them: one `pick_list_value_in_use` error per list (and key) and value, naming
 * the automations. A use counts only when its value was allowed before, so an automation that
 * already used a value outside the lists does not block unrelated changes.
 */
export function removedValuesInUse(automations: AutomationUses[], previous: PickLists, next: PickLists): FieldError[] {
  const found = new Map<string, FieldError & { params: { automations: Array<{ id: string; name: string }> } }>();
  for (const automation of automations) {
    for (const use of automation.uses) {
      if (!allowedValues(previous, use.list, use.keys).includes(use.value)) continue;
      if (allowedValues(next, use.list, use.keys).includes(use.value)) continue;
      const keys = (use.keys ?? keysOf(previous, use.list))?.filter((k) => allowedValues(previous, use.list, [k]).includes(use.value));
      for (const key of keys ?? [undefined]) {
        const path = `pickLists.${use.list}${key === undefined ? '' : `.${key}`}`;
        const id = JSON.stringify([path, use.value]);
        const entry =
          found.get(id) ??
          found
            .set(id, {
              path,
              code: 'pick_list_value_in_use',
              message: '',
              params: { list: use.list, ...(key === undefined ? {} : { key }), value: use.value, automations: [] },
            })
            .get(id)!;
        if (!entry.params.automations.some((a) => a.id === automation.id)) entry.params.automations.push({ id: automation.id, name: automation.name });
      }
    }
  }
  return [...found.values()].map((e) => ({
    ...e,
    message: `"${e.params.value}" is used by the enabled automation${e.params.automations.length > 1 ? 's' : ''} ${e.params.automations.map((a) => `"${a.name}"`).join(', ')}`,
  }));
}
