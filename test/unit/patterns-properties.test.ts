import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conditionProblems } from '#shared/automations/conditions';
import { TRIGGER_EVENTS } from '#shared/automations/model';
import { compilePattern, InvalidPatternError, PATTERN_LIMITS, type CompiledPattern } from '#shared/patterns/compile';
import { flattenEvent, matchesFlat } from '#shared/patterns/match';
import { assertProperty } from '../support/properties.ts';
import { STALL_MS } from '../support/stall.ts';

/**
 * Properties of the pattern compiler and matcher: whatever a client sends as a pattern compiles or
 * is refused with an InvalidPatternError (never another error, never slowly), and a compiled pattern
 * matches exactly as a naive reading of EventBridge's rules says, for the operators whose meaning
 * fits in a line.
 */

const RUNS = { numRuns: 200 } as const;
const TIME_BOUND_MS = STALL_MS;

/** Compiles or returns the InvalidPatternError; fails the property on any other error or on slowness. */
function compileOrRefuse(pattern: unknown): CompiledPattern | InvalidPatternError {
  const started = performance.now();
  try {
    return compilePattern(pattern);
  } catch (error) {
    if (!(error instanceof InvalidPatternError)) throw error;
    return error;
  } finally {
    expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
  }
}

// A small alphabet, so that generated patterns and events meet often; mistakes mixed in rarely, so
// that most patterns compile and the matcher is exercised as well as the refusals.
const rarely = <T,>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: usual, weight: 24 }, { arbitrary: odd as fc.Arbitrary<T>, weight: 1 });
const key = rarely(fc.constantFrom('a', 'b', 'c', 'a.b', 'detail'), fc.constantFrom('$or', '', '__proto__', 'constructor', 'toString'));
const text = rarely(fc.stringMatching(/^[ab]{0,3}(?:\*[ab]{1,2}){0,2}\*?$/), fc.stringMatching(/^[ab*\\]{0,6}$/));
const primitive = fc.oneof(text, fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(null), fc.double());
const operand = rarely(
  fc.oneof(
    primitive,
    fc.record({ prefix: fc.oneof(text, fc.record({ 'equals-ignore-case': text })) }),
    fc.record({ suffix: fc.oneof(text, fc.record({ 'equals-ignore-case': text })) }),
    fc.record({ 'equals-ignore-case': text }),
    fc.record({ wildcard: text }),
    fc.record({ exists: fc.boolean() }),
    fc.tuple(fc.constantFrom('<', '<=', '=', '>', '>='), fc.integer({ min: -5, max: 5 })).map((pair) => ({ numeric: pair })),
    fc.record({ numeric: fc.tuple(fc.constantFrom('>', '>='), fc.integer({ min: -5, max: 0 }), fc.constantFrom('<', '<='), fc.integer({ min: 1, max: 5 })) }),
    fc.record({ cidr: fc.constantFrom('10.0.0.0/8', '::/0', '192.168.1.0/24') }),
    fc.record({ 'anything-but': fc.oneof(text, fc.integer(), fc.array(text, { minLength: 1, maxLength: 3 }), fc.record({ prefix: text }), fc.record({ suffix: text }), fc.record({ 'equals-ignore-case': text }), fc.record({ wildcard: fc.array(text, { minLength: 1, maxLength: 3 }) })) }),
  ),
  fc.oneof(
    fc.record({ prefix: primitive }),
    fc.record({ wildcard: primitive }),
    fc.record({ exists: primitive }),
    fc.record({ numeric: fc.array(fc.oneof(fc.constantFrom('<', '<=', '=', '>', '>=', '=='), fc.integer({ min: -5, max: 5 })), { maxLength: 5 }) }),
    fc.record({ cidr: fc.oneof(fc.constantFrom('1.2.3.4/33', 'x', '::1::/64'), primitive) }),
    fc.record({ 'anything-but': fc.oneof(primitive, fc.array(primitive, { maxLength: 3 })) }),
    fc.dictionary(fc.string({ maxLength: 12 }), primitive, { maxKeys: 2 }),
    fc.array(primitive, { maxLength: 2 }),
  ),
);
/** Pattern-shaped values (objects of fields, leaves as operand arrays, `$or`s), with mistakes mixed in. */
const patternLike = fc.letrec<{ object: unknown; node: unknown }>((tie) => ({
  object: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'pattern', withCrossShrink: true },
    fc.dictionary(key, tie('node'), { minKeys: 1, maxKeys: 3 }),
    fc.tuple(fc.dictionary(key, tie('node'), { maxKeys: 2 }), fc.array(tie('object'), { minLength: 2, maxLength: 3 })).map(([rest, alternatives]) => ({ ...(rest as object), $or: alternatives })),
  ),
  node: rarely(
    fc.oneof({ maxDepth: 4, depthIdentifier: 'pattern', withCrossShrink: true }, fc.array(operand, { minLength: 1, maxLength: 3 }), tie('object')),
    fc.oneof(primitive, fc.constant([]), fc.constant({}), fc.record({ $or: fc.array(tie('node'), { maxLength: 2 }) })),
  ),
})).object;

describe('compiling any JSON value', () => {
  it('compiles it or refuses it with an InvalidPatternError, quickly', () => {
    assertProperty(
      fc.property(fc.oneof(fc.jsonValue(), patternLike), (pattern) => {
        compileOrRefuse(pattern);
      }),
      RUNS,
    );
  });

  it('says the same about a pattern given as text, and refuses any other text', () => {
    assertProperty(
      fc.property(fc.oneof(fc.jsonValue(), patternLike), (pattern) => {
        const asValue = compileOrRefuse(pattern);
        const asText = compileOrRefuse(JSON.stringify(pattern) ?? '');
        expect(asText instanceof InvalidPatternError).toBe(asValue instanceof InvalidPatternError);
      }),
      RUNS,
    );
    assertProperty(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        compileOrRefuse(text);
      }),
      RUNS,
    );
  });

  it('stays within the time bound on patterns at the limits (long texts, deep nesting, wide $or)', () => {
    const big = fc.oneof(
      fc.integer({ min: 1, max: 3_000 }).map((n) => ({ a: ['x'.repeat(n)] })),
      fc.integer({ min: 1, max: 50_000 }).map((n) => {
        let value: unknown = ['x'];
        for (let i = 0; i < n; i++) value = { a: value };
        return value;
      }),
      fc.integer({ min: 1, max: 400 }).map((n) => ({ $or: Array.from({ length: n }, (_, i) => ({ [`k${i}`]: [{ wildcard: '*a*' }] })) })),
      fc.integer({ min: 1, max: 60 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, { $or: [{ a: ['x'] }, { b: ['y'] }, { c: ['z'] }] }]))),
    );
    assertProperty(
      fc.property(big, (pattern) => {
        compileOrRefuse(pattern);
      }),
      { numRuns: 100 },
    );
  });

  it('never throws from the condition check of a pattern the compiler took, whatever the trigger', () => {
    assertProperty(
      fc.property(patternLike, fc.constantFrom(...TRIGGER_EVENTS), (pattern, trigger) => {
        if (compileOrRefuse(pattern) instanceof InvalidPatternError) return;
        expect(Array.isArray(conditionProblems(pattern as Record<string, unknown>, trigger))).toBe(true);
      }),
      RUNS,
    );
  });
});

// The reference: EventBridge's rules read literally, for exact values, prefix, suffix, exists,
// wildcard and anything-but (of values), on a naively flattened event.
type Flat = Map<string, unknown[]>;

function naiveFlatten(value: unknown, path = '', into: Flat = new Map()): Flat {
  if (Array.isArray(value)) value.forEach((item) => naiveFlatten(item, path, into));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) naiveFlatten(v, path ? `${path}.${k}` : k, into);
  else if (path) into.set(path, [...(into.get(path) ?? []), value]);
  return into;
}

/** Whether `value` is `wildcard` with each unescaped `*` replaced by some string (a plain dynamic program). */
function wildcardHolds(wildcard: string, value: string): boolean {
  const tokens: Array<string | null> = []; // null: a star
  for (let i = 0; i < wildcard.length; i++) {
    if (wildcard[i] === '\\') tokens.push(wildcard[++i]!);
    else tokens.push(wildcard[i] === '*' ? null : wildcard[i]!);
  }
  let row = Array.from({ length: value.length + 1 }, (_, j) => j === 0);
  for (const token of tokens) {
    const next = Array<boolean>(value.length + 1).fill(false);
    for (let j = 0; j <= value.length; j++) {
      if (token === null) next[j] = row[j]! || (j > 0 && next[j - 1]!);
      else next[j] = j > 0 && row[j - 1]! && value[j - 1] === token;
    }
    row = next;
  }
  return row[value.length]!;
}

function operandHolds(operand: unknown, values: unknown[] | undefined): boolean {
  if (typeof operand !== 'object' || operand === null) return values?.some((v) => v === operand) ?? false;
  const [[name, arg]] = Object.entries(operand) as [[string, unknown]];
  if (name === 'exists') return (values !== undefined) === arg;
  const strings = (values ?? []).filter((v): v is string => typeof v === 'string');
  if (name === 'prefix') return strings.some((v) => v.startsWith(arg as string));
  if (name === 'suffix') return strings.some((v) => v.endsWith(arg as string));
  if (name === 'wildcard') return strings.some((v) => wildcardHolds(arg as string, v));
  if (name === 'anything-but') return (values ?? []).some((v) => !(arg as unknown[]).includes(v));
  throw new Error(`no reference for ${name}`);
}

function naiveMatch(pattern: Record<string, unknown>, flat: Flat, prefix = ''): boolean {
  return Object.entries(pattern).every(([k, v]) => {
    if (k === '$or') return (v as Record<string, unknown>[]).some((alternative) => naiveMatch(alternative, flat, prefix));
    const path = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v)) return v.some((operand) => operandHolds(operand, flat.get(path)));
    return naiveMatch(v as Record<string, unknown>, flat, path);
  });
}

const field = fc.constantFrom('a', 'b', 'c');
const value = fc.oneof(fc.stringMatching(/^[ab]{0,4}$/), fc.integer({ min: 0, max: 2 }), fc.boolean(), fc.constant(null));
const word = fc.stringMatching(/^[ab]{0,3}$/);
/** The simple operators, always valid: exact values, prefix, suffix, exists, wildcard (no `**`), anything-but of strings. */
const simpleOperand = fc.oneof(
  value,
  fc.record({ prefix: word }),
  fc.record({ suffix: word }),
  fc.record({ exists: fc.boolean() }),
  fc.stringMatching(/^(?:[ab]|\\\*){0,3}(?:\*(?:[ab]|\\\*){1,2}){0,2}\*?$/).map((wildcard) => ({ wildcard })),
  fc.array(word, { minLength: 1, maxLength: 3 }).map((list) => ({ 'anything-but': list })),
);
const simplePattern = fc.letrec<{ object: Record<string, unknown> }>((tie) => ({
  object: fc.oneof(
    { depthSize: 'small' },
    fc.dictionary(field, fc.array(simpleOperand, { minLength: 1, maxLength: 3 }), { minKeys: 1, maxKeys: 3 }),
    fc.dictionary(field, tie('object'), { minKeys: 1, maxKeys: 2 }),
    fc.tuple(tie('object'), fc.array(tie('object'), { minLength: 2, maxLength: 3 })).map(([rest, alternatives]) => ({ ...rest, $or: alternatives })),
  ),
})).object;
const event = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, value, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(field, tie('node'), { maxKeys: 3 })),
})).node;

describe('matching', () => {
  it('agrees with the naive reading of the rules for the simple operators', () => {
    let matched = 0;
    assertProperty(
      fc.property(simplePattern, event, (pattern, detail) => {
        const compiled = compileOrRefuse(pattern);
        if (compiled instanceof InvalidPatternError) return; // e.g. more than 10 stars on one field
        const expected = naiveMatch(pattern, naiveFlatten(detail));
        if (expected) matched++;
        expect(matchesFlat(compiled, flattenEvent(detail))).toBe(expected);
      }),
      { numRuns: 500 },
    );
    expect(matched).toBeGreaterThan(10); // the property saw both answers
  });

  it('agrees with the reference wildcard on long values too', () => {
    assertProperty(
      fc.property(fc.stringMatching(/^(?:[ab]|\\\*){0,4}(?:\*(?:[ab]|\\\*){1,3}){0,4}\*?$/), fc.stringMatching(/^[ab*]{0,200}$/), (wildcard, value) => {
        const compiled = compileOrRefuse({ f: [{ wildcard }] });
        if (compiled instanceof InvalidPatternError) return;
        expect(matchesFlat(compiled, flattenEvent({ f: value }))).toBe(wildcardHolds(wildcard, value));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws and stays within the time bound, for any compiled pattern against any event', () => {
    const bigValue = fc.oneof(value, fc.integer({ min: 0, max: 100_000 }).map((n) => 'a'.repeat(n)), fc.string(), fc.double());
    const bigEvent = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, bigValue, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
    })).node;
    assertProperty(
      fc.property(fc.oneof(patternLike, simplePattern), bigEvent, (pattern, detail) => {
        const compiled = compileOrRefuse(pattern);
        if (compiled instanceof InvalidPatternError) return;
        const flat = flattenEvent(detail);
        const started = performance.now();
        expect(typeof matchesFlat(compiled, flat)).toBe('boolean');
        expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
      }),
      RUNS,
    );
  });

  it('keeps the limits it was built with', () => {
    expect(PATTERN_LIMITS).toEqual({ maxSize: 2_048, maxDepth: 16, maxCombinations: 1_000, maxWildcardStars: 5, maxFieldWildcardStars: 10 });
  });
});
