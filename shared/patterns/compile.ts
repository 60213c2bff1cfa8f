import { parseCidr, cidrContains } from './cidr.ts';
import { parseJsonMergingDuplicates } from './json-with-duplicates.ts';

/**
 * EventBridge event patterns: validation and compilation into predicates. The rules follow AWS's
 * behaviour as the conformance suite in test/conformance/ pins it down (each case there was
 * checked against AWS's TestEventPattern).
 */

export type Primitive = string | number | boolean | null;

/** A test on one flattened field: either on its presence, or on each of its values. */
export type Condition = { kind: 'exists'; exists: boolean } | { kind: 'value'; test: (value: Primitive) => boolean };

/** One alternative of a pattern: every field's conditions must hold (any one condition per field). */
export type Branch = Array<{ path: string; conditions: Condition[] }>;

/** A compiled pattern: matches when any branch matches (more than one only with `$or`). */
export interface CompiledPattern {
  branches: Branch[];
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

/** The alternatives a pattern's `$or`s may combine into. */
const MAX_COMBINATIONS = 1_000;

/** Wildcard patterns with more stars than this are refused as too complex, as AWS does. */
const MAX_WILDCARDS = 5;

/** Parses (when given as text, keeping repeated keys) and compiles a pattern, or throws InvalidPatternError. */
export function compilePattern(pattern: string | unknown): CompiledPattern {
  let value = pattern;
  if (typeof pattern === 'string') {
    try {
      value = parseJsonMergingDuplicates(pattern);
    } catch (error) {
      fail(`Filter is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(value)) fail('Filter is not an object');
  if (Object.keys(value as object).length === 0) fail('Empty pattern');
  // Sibling `$or`s multiply: a pattern of under 2 KB can stand for millions of alternatives. Count
  // them before building any, and refuse what no matcher should hold.
  if (combinations(value as Record<string, unknown>) > MAX_COMBINATIONS) fail(`Rule is too complex - its $or alternatives combine into more than ${MAX_COMBINATIONS} patterns`);
  return { branches: compileObject(value as Record<string, unknown>, '', [[]]) };
}

/** How many alternatives a pattern stands for once its `$or`s are multiplied out (capped, never built). */
function combinations(object: Record<string, unknown>): number {
  let count = 1;
  for (const [key, value] of Object.entries(object)) {
    if (key === '$or' && Array.isArray(value)) count *= value.reduce((sum: number, alt) => sum + (isObject(alt) ? combinations(alt) : 1), 0);
    else if (isObject(value)) count *= combinations(value);
    if (count > MAX_COMBINATIONS) return count;
  }
  return count;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compileObject(object: Record<string, unknown>, prefix: string, branches: Branch[]): Branch[] {
  let result = branches;
  for (const [key, value] of Object.entries(object)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) fail('$or must be an array of at least two objects');
      const alternatives = (value as Record<string, unknown>[]).map((alt) => {
        if (Object.keys(alt).length === 0) fail('Empty objects are not allowed in $or');
        return alt;
      });
      result = alternatives.flatMap((alt) => compileObject(alt, prefix, result));
      continue;
    }
    const path = prefix ? `${prefix}.${key}` : key;
    if (isObject(value)) {
      if (Object.keys(value).length === 0) fail(`Empty objects are not allowed: "${path}"`);
      result = compileObject(value, path, result);
    } else if (Array.isArray(value)) {
      const conditions = compileConditions(value, path);
      result = result.map((branch) => [...branch, { path, conditions }]);
    } else {
      fail(`Match value must be String, number, true, false, or null, inside an array: "${path}"`);
    }
  }
  return result;
}

function compileConditions(values: unknown[], path: string): Condition[] {
  if (values.length === 0) fail(`Empty arrays are not allowed: "${path}"`);
  return values.map((value) => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return equals(value);
    if (typeof value === 'number') return equals(value);
    if (Array.isArray(value)) return fail(`Match value must be String, number, true, false, or null: "${path}"`);
    return compileOperator(value as Record<string, unknown>, path);
  });
}

function equals(expected: Primitive): Condition {
  return { kind: 'value', test: (actual) => actual === expected };
}

const onStrings = (test: (value: string) => boolean): Condition => ({
  kind: 'value',
  test: (value) => typeof value === 'string' && test(value),
});

function compileOperator(object: Record<string, unknown>, path: string): Condition {
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
      const at = operator === 'prefix' ? (v: string) => v.startsWith(needle) : (v: string) => v.endsWith(needle);
      return onStrings((value) => at(ignoreCase ? value.toLowerCase() : value));
    }
    case 'equals-ignore-case': {
      if (typeof operand !== 'string') fail('equals-ignore-case match pattern must be a string');
      const lower = (operand as string).toLowerCase();
      return onStrings((value) => value.toLowerCase() === lower);
    }
    case 'wildcard': {
      const regex = wildcard(operand);
      return onStrings((value) => regex.test(value));
    }
    case 'numeric':
      return numeric(operand);
    case 'cidr': {
      if (typeof operand !== 'string') fail('cidr match pattern must be a string');
      const cidr = parseCidr(operand as string) ?? fail(`Nonstandard IP address: ${operand as string}`);
      return onStrings((value) => cidrContains(cidr, value));
    }
    case 'anything-but':
      return anythingBut(operand);
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

function wildcard(operand: unknown): RegExp {
  if (typeof operand !== 'string') fail('wildcard match pattern must be a string');
  const text = operand as string;
  let source = '';
  let stars = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') fail(`Invalid escape in wildcard at pos ${i}`);
      source += `\\${next}`;
      i++;
    } else if (ch === '*') {
      if (text[i + 1] === '*') fail(`Consecutive wildcard characters at pos ${i + 1}`);
      stars++;
      source += '[\\s\\S]*';
    } else {
      source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  if (stars > MAX_WILDCARDS) fail('Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character');
  return new RegExp(`^${source}$`, 'u');
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

function anythingBut(operand: unknown): Condition {
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
        const lower = new Set(texts.map((t) => t.toLowerCase()));
        excluded = (v) => lower.has(v.toLowerCase());
        break;
      }
      case 'wildcard': {
        const regexes = texts.map(wildcard);
        excluded = (v) => regexes.some((r) => r.test(v));
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
