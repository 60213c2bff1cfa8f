import { parseCidr, cidrContains } from './cidr.ts';
import { parseJsonMergingDuplicates } from './json-with-duplicates.ts';

/**
 * EventBridge event patterns: validation and compilation into predicates. The rules follow AWS's
 * behaviour as the conformance suite in test/conformance/ pins it down (each case there was
 * checked against AWS's TestEventPattern), and the limits below bound what a pattern can cost:
 * compiling is linear in the pattern's size, matching linear in the pattern's and the event's
 * size. Nothing backtracks: no operator becomes a regular expression.
 */

export type Primitive = string | number | boolean | null;

/** A test on one flattened field: either on its presence, or on each of its values. */
export type Condition = { kind: 'exists'; exists: boolean } | { kind: 'value'; test: (value: Primitive) => boolean };

/** One field of a pattern and the conditions on it (any one of them must hold). */
export interface Leaf {
  path: string;
  conditions: Condition[];
}

/**
 * A conjunction: every leaf must hold, and of each `$or` group one alternative. The pattern stays a
 * tree (never multiplied out into its alternatives), so matching costs what the pattern's text does.
 */
export interface AllOf {
  leaves: Leaf[];
  anyOf: AllOf[][];
}

/** A compiled pattern. `combinations` counts the alternatives its `$or`s stand for (1 without any). */
export interface CompiledPattern {
  root: AllOf;
  combinations: number;
}

export class InvalidPatternError extends Error {
  constructor(readonly reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidPatternError';
  }
}

const fail = (reason: string): never => {
  throw new InvalidPatternError(reason);
};

/**
 * What a pattern may be. Each limit is checked before the work it bounds, so a pattern over any of
 * them is refused without being expanded, and every limit holds for saving and for running alike.
 */
export const PATTERN_LIMITS = {
  /** Characters of the pattern's JSON (compact JSON for a value, the text as given for a string). AWS: "Event pattern size", 2,048 by default. */
  maxSize: 2_048,
  /**
   * Nesting of objects and arrays, the pattern itself being level 1. Events of the CRM nest 3 levels;
   * an operator takes up to 4, an `$or` 2. DynamoDB stores 32 levels at most, and the pattern sits 2
   * levels down in an automation (trigger.where).
   */
  maxDepth: 16,
  /** The alternatives a pattern's `$or`s stand for once multiplied out. */
  maxCombinations: 1_000,
  /** `*` in one wildcard. AWS refuses `*:*:*:*:*:event-bus/*` (6) as too complex. */
  maxWildcardStars: 5,
  /** `*` in all the wildcards that test one field together (`$or` alternatives and anything-but included). */
  maxFieldWildcardStars: 10,
} as const;

/** AWS's words for a wildcard rule it refuses. */
export const WILDCARD_TOO_COMPLEX = 'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';

/** Parses (when given as text, keeping repeated keys) and compiles a pattern, or throws InvalidPatternError. */
export function compilePattern(pattern: string | unknown): CompiledPattern {
  let value = pattern;
  if (typeof pattern === 'string') {
    if (pattern.length > PATTERN_LIMITS.maxSize) fail(tooLong(pattern.length));
    try {
      value = parseJsonMergingDuplicates(pattern);
    } catch (error) {
      fail(`Filter is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(value)) fail('Filter is not an object');
  if (Object.keys(value as object).length === 0) fail('Empty pattern');
  // Depth first, without recursion: everything after it may recurse, as deep as the limit allows.
  checkShape(value);
  if (typeof pattern !== 'string') {
    const size = JSON.stringify(value).length;
    if (size > PATTERN_LIMITS.maxSize) fail(tooLong(size));
  }
  // Sibling `$or`s multiply: a pattern of under 2 KB can stand for millions of alternatives. Count
  // them before building anything, and refuse what AWS would call too complex.
  const combinations = combinationsOf(value as Record<string, unknown>);
  if (combinations > PATTERN_LIMITS.maxCombinations) fail(`Rule is too complex - its $or alternatives combine into more than ${PATTERN_LIMITS.maxCombinations} patterns`);
  const stars = new Map<string, number>();
  const root = compileObject(value as Record<string, unknown>, '', stars);
  return { root, combinations };
}

const tooLong = (size: number) => `Event pattern is ${size} characters long; the limit is ${PATTERN_LIMITS.maxSize}`;

/** Refuses nesting past the limit and values JSON has no room for, iteratively (a hostile depth cannot exhaust the stack). */
function checkShape(root: unknown): void {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node === 'object' && node !== null) {
      if (depth > PATTERN_LIMITS.maxDepth) fail(`Event pattern nests deeper than ${PATTERN_LIMITS.maxDepth} levels`);
      for (const child of Object.values(node)) stack.push([child, depth + 1]);
    } else if (typeof node === 'bigint' || typeof node === 'function' || typeof node === 'symbol') {
      fail('Filter is not JSON');
    }
  }
}

/** How many alternatives a pattern stands for once its `$or`s are multiplied out (capped, never built). */
function combinationsOf(object: Record<string, unknown>): number {
  let count = 1;
  for (const [key, value] of Object.entries(object)) {
    if (key === '$or' && Array.isArray(value)) {
      let sum = 0;
      for (const alt of value) {
        sum += isObject(alt) ? combinationsOf(alt) : 1;
        if (sum > PATTERN_LIMITS.maxCombinations) break;
      }
      count *= sum;
    } else if (isObject(value)) count *= combinationsOf(value);
    if (count > PATTERN_LIMITS.maxCombinations) return count;
  }
  return count;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The conjunction an object stands for; nested objects add their leaves (with longer paths) and their `$or` groups to it. */
function compileObject(object: Record<string, unknown>, prefix: string, stars: Map<string, number>, into: AllOf = { leaves: [], anyOf: [] }): AllOf {
  for (const [key, value] of Object.entries(object)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) fail('$or must be an array of at least two objects');
      const alternatives = (value as Record<string, unknown>[]).map((alt) => {
        if (Object.keys(alt).length === 0) fail('Empty objects are not allowed in $or');
        return compileObject(alt, prefix, stars);
      });
      into.anyOf.push(alternatives);
      continue;
    }
    const path = prefix ? `${prefix}.${key}` : key;
    if (isObject(value)) {
      if (Object.keys(value).length === 0) fail(`Empty objects are not allowed: "${path}"`);
      compileObject(value, path, stars, into);
    } else if (Array.isArray(value)) {
      into.leaves.push({ path, conditions: compileConditions(value, path, stars) });
    } else {
      fail(`Match value must be String, number, true, false, or null, inside an array: "${path}"`);
    }
  }
  return into;
}

function compileConditions(values: unknown[], path: string, stars: Map<string, number>): Condition[] {
  if (values.length === 0) fail(`Empty arrays are not allowed: "${path}"`);
  const exact = new Set<Primitive>();
  const conditions: Condition[] = [];
  for (const value of values) {
    if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') exact.add(value);
    else if (Array.isArray(value)) fail(`Match value must be String, number, true, false, or null: "${path}"`);
    else conditions.push(compileOperator(value as Record<string, unknown>, path, stars));
  }
  // Exact values are one set look-up, however many a field lists.
  if (exact.size === 1) {
    const [only] = exact;
    conditions.unshift({ kind: 'value', test: (actual) => actual === only });
  } else if (exact.size > 1) conditions.unshift({ kind: 'value', test: (actual) => exact.has(actual) });
  return conditions;
}

const onStrings = (test: (value: string) => boolean): Condition => ({
  kind: 'value',
  test: (value) => typeof value === 'string' && test(value),
});

/**
 * The lower-case form of the value last asked for: the case-insensitive operators on one field
 * lower-case each of its values once, not once per operator.
 */
let lastValue: string | undefined;
let lastLower = '';
function lower(value: string): string {
  if (value !== lastValue) {
    lastLower = value.toLowerCase();
    lastValue = value;
  }
  return lastLower;
}

function compileOperator(object: Record<string, unknown>, path: string, stars: Map<string, number>): Condition {
  const keys = Object.keys(object);
  if (keys.length !== 1) fail(`Only one operator is allowed per object: "${path}"`);
  const operator = keys[0]!;
  const operand = object[operator];
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') fail('exists match pattern must be either true or false.');
      return { kind: 'exists', exists: operand as boolean };
    case 'prefix':
    case 'suffix': {
      const { text, ignoreCase } = affix(operator, operand);
      const needle = ignoreCase ? text.toLowerCase() : text;
      if (operator === 'prefix') return onStrings(ignoreCase ? (v) => lower(v).startsWith(needle) : (v) => v.startsWith(needle));
      return onStrings(ignoreCase ? (v) => lower(v).endsWith(needle) : (v) => v.endsWith(needle));
    }
    case 'equals-ignore-case': {
      if (typeof operand !== 'string') fail('equals-ignore-case match pattern must be a string');
      const needle = (operand as string).toLowerCase();
      return onStrings((value) => lower(value) === needle);
    }
    case 'wildcard': {
      if (typeof operand !== 'string') fail('wildcard match pattern must be a string');
      return onStrings(wildcardMatcher(operand as string, path, stars));
    }
    case 'numeric':
      return numeric(operand);
    case 'cidr': {
      if (typeof operand !== 'string') fail('cidr match pattern must be a string');
      const cidr = parseCidr(operand as string) ?? fail(`Nonstandard IP address: ${operand as string}`);
      // No address is longer than an IPv6 one with an embedded IPv4 tail.
      return onStrings((value) => value.length <= 45 && cidrContains(cidr, value));
    }
    case 'anything-but':
      return anythingBut(operand, path, stars);
    default:
      return fail(`Unrecognized match type ${operator}`);
  }
}

function affix(operator: string, operand: unknown): { text: string; ignoreCase: boolean } {
  if (typeof operand === 'string') return { text: operand, ignoreCase: false };
  if (isObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string') {
    return { text: operand['equals-ignore-case'] as string, ignoreCase: true };
  }
  return fail(`${operator} match pattern must be a string`);
}

/** A wildcard's literal pieces between its unescaped `*`s (one piece: no `*`). */
export function wildcardSegments(text: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') fail(`Invalid escape in wildcard at pos ${i}`);
      current += next;
      i++;
    } else if (ch === '*') {
      if (text[i + 1] === '*') fail(`Consecutive wildcard characters at pos ${i + 1}`);
      segments.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  segments.push(current);
  return segments;
}

/**
 * Whether `value` has the form the segments describe (literal pieces with anything in between):
 * the first piece as prefix, the last as suffix, the ones between left to right, each at its first
 * occurrence after the previous one. The leftmost occurrence always leaves the most room for the
 * rest, so this finds a match whenever there is one, in one pass (indexOf is linear in V8), and never
 * backtracks.
 */
export function matchesWildcard(segments: readonly string[], value: string): boolean {
  const last = segments.length - 1;
  if (last === 0) return value === segments[0];
  const head = segments[0]!;
  const tail = segments[last]!;
  if (value.length < head.length + tail.length || !value.startsWith(head) || !value.endsWith(tail)) return false;
  const end = value.length - tail.length;
  let at = head.length;
  for (let i = 1; i < last; i++) {
    const piece = segments[i]!;
    const found = value.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/** Compiles one wildcard, counting its `*`s against the limits of the wildcard and of its field. */
function wildcardMatcher(text: string, path: string, stars: Map<string, number>): (value: string) => boolean {
  const segments = wildcardSegments(text);
  const count = segments.length - 1;
  const onField = (stars.get(path) ?? 0) + count;
  if (count > PATTERN_LIMITS.maxWildcardStars || onField > PATTERN_LIMITS.maxFieldWildcardStars) fail(WILDCARD_TOO_COMPLEX);
  stars.set(path, onField);
  return (value) => matchesWildcard(segments, value);
}

const LOWER = new Set(['>', '>=']);
const UPPER = new Set(['<', '<=']);

function numeric(operand: unknown): Condition {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) fail('Value of numeric must be an array of one or two operator/number pairs.');
  const pairs: Array<[string, number]> = [];
  const list = operand as unknown[];
  for (let i = 0; i < list.length; i += 2) {
    const [op, num] = [list[i], list[i + 1]];
    if (typeof op !== 'string' || !['=', '<', '<=', '>', '>='].includes(op)) fail(`Unrecognized numeric range operator: ${String(op)}`);
    if (typeof num !== 'number' || !Number.isFinite(num)) fail(`Value of ${op as string} must be numeric`);
    pairs.push([op as string, num as number]);
  }
  if (pairs.length === 2) {
    const [[op1, n1], [op2, n2]] = pairs as [[string, number], [string, number]];
    const lowerThenUpper = LOWER.has(op1) && UPPER.has(op2);
    const upperThenLower = UPPER.has(op1) && LOWER.has(op2);
    if (!lowerThenUpper && !upperThenLower) fail('Bad numeric range operator; need one lower and one upper bound');
    const [low, high] = lowerThenUpper ? [n1, n2] : [n2, n1];
    if (low >= high) fail('Bottom must be less than top');
  }
  const tests = pairs.map(([op, bound]): ((v: number) => boolean) => {
    switch (op) {
      case '=':
        return (v) => v === bound;
      case '<':
        return (v) => v < bound;
      case '<=':
        return (v) => v <= bound;
      case '>':
        return (v) => v > bound;
      default:
        return (v) => v >= bound;
    }
  });
  return { kind: 'value', test: (value) => typeof value === 'number' && tests.every((t) => t(value)) };
}

function anythingBut(operand: unknown, path: string, stars: Map<string, number>): Condition {
  if (typeof operand === 'string' || typeof operand === 'number') return { kind: 'value', test: (value) => value !== operand };
  if (Array.isArray(operand)) {
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number');
    if (operand.length === 0 || (!allStrings && !allNumbers)) fail('Inside anything but list, start|null|boolean is not supported.');
    const excluded = new Set<unknown>(operand);
    return { kind: 'value', test: (value) => !excluded.has(value) };
  }
  if (isObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1) fail('Inside anything-but there must be exactly one operator');
    const inner = keys[0]!;
    const raw = operand[inner];
    const texts = typeof raw === 'string' ? [raw] : Array.isArray(raw) && raw.length > 0 && raw.every((v) => typeof v === 'string') ? (raw as string[]) : undefined;
    if (!texts) return fail(`Value of ${inner} inside anything-but must be a string or an array of strings`);
    let excluded: (value: string) => boolean;
    switch (inner) {
      case 'prefix':
      case 'suffix':
        if (texts.some((t) => t === '')) fail(`Null ${inner} not allowed inside anything-but`);
        excluded = inner === 'prefix' ? (v) => texts.some((t) => v.startsWith(t)) : (v) => texts.some((t) => v.endsWith(t));
        break;
      case 'equals-ignore-case': {
        const lowered = new Set(texts.map((t) => t.toLowerCase()));
        excluded = (v) => lowered.has(lower(v));
        break;
      }
      case 'wildcard': {
        const matchers = texts.map((t) => wildcardMatcher(t, path, stars));
        excluded = (v) => matchers.some((m) => m(v));
        break;
      }
      default:
        return fail(`Unsupported anything-but pattern: ${inner}`);
    }
    // Values that are not strings never have the excluded form, so they pass.
    return { kind: 'value', test: (value) => typeof value !== 'string' || !excluded(value) };
  }
  return fail('Value of anything-but must be an array or single string/number value.');
}
