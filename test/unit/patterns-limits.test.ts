import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, parseIp } from '#shared/patterns/cidr';
import { compilePattern, InvalidPatternError } from '#shared/patterns/compile';
import { flattenEvent, matchesPattern } from '#shared/patterns/match';

/** Each limit of a pattern at its exact edge: the last value allowed, and the first refused with its reason. */

function reason(pattern: unknown): string | undefined {
  try {
    compilePattern(pattern);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPatternError);
    expect((error as Error).name).toBe('InvalidPatternError');
    return (error as InvalidPatternError).reason;
  }
}

/** A pattern whose compact JSON is `size` characters long. */
const sized = (size: number) => ({ a: ['x'.repeat(size - '{"a":[""]}'.length)] });
/** An `$or` of `n` alternatives on one field. */
const alternatives = (n: number) => ({ $or: Array.from({ length: n }, (_, i) => ({ [`f${i}`]: [i] })) });
/** Objects nested to `depth` levels, the pattern itself being level 1. */
const nested = (depth: number): Record<string, unknown> => (depth <= 2 ? { a: [1] } : { a: nested(depth - 1) });

describe('the limits of a pattern, at their edges', () => {
  it('takes 2,048 characters of compact JSON and refuses 2,049, naming both', () => {
    expect(JSON.stringify(sized(2048))).toHaveLength(2048);
    expect(reason(sized(2048))).toBeUndefined();
    expect(reason(sized(2049))).toBe('Event pattern is 2049 characters long; the limit is 2048');
  });

  it('measures a pattern given as text as written, and one given as a value as compact JSON', () => {
    const text = JSON.stringify(sized(2048));
    expect(reason(text)).toBeUndefined();
    expect(reason(`${text} `)).toBe('Event pattern is 2049 characters long; the limit is 2048');
    // 1e300 is 5 characters as written and 301 as compact JSON: the text as given is what counts.
    const numbers = `{"a":[${Array(300).fill('1e300').join(',')}]}`;
    expect(numbers.length).toBeLessThan(2048);
    expect(reason(numbers)).toBeUndefined();
    expect(reason(JSON.parse(numbers))).toMatch(/^Event pattern is \d+ characters long; the limit is 2048$/);
  });

  it('takes 16 levels of nesting and refuses 17', () => {
    expect(reason(nested(16))).toBeUndefined();
    expect(reason(nested(17))).toBe('Event pattern nests deeper than 16 levels');
  });

  it('takes 1,000 $or combinations and refuses 1,001, however they are spread', () => {
    const thousand = { a: alternatives(10), b: alternatives(10), c: alternatives(10) };
    expect(compilePattern(thousand).combinations).toBe(1000);
    expect(reason({ a: alternatives(7), b: alternatives(11), c: alternatives(13) })).toBe('Rule is too complex - its $or alternatives combine into more than 1000 patterns');
    // Sibling $ors multiply; nested ones add up within their alternative.
    expect(compilePattern({ x: alternatives(4), y: alternatives(5) }).combinations).toBe(20);
    expect(compilePattern({ $or: [{ a: [1] }, { $or: [{ b: [1] }, { c: [1] }, { d: [1] }] }] }).combinations).toBe(4);
    expect(compilePattern({ a: [1] }).combinations).toBe(1);
    // A first alternative at the limit, then one more: over it.
    expect(reason({ $or: [thousand, { z: [1] }] })).toMatch(/^Rule is too complex/);
    // A first field at the limit, then a second that doubles it: over it.
    expect(reason({ x: thousand, y: alternatives(2) })).toMatch(/^Rule is too complex/);
  });

  it('refuses values JSON has no room for', () => {
    for (const value of [10n, () => 1, Symbol('s')]) expect(reason({ a: [value] }), String(typeof value)).toBe('Filter is not JSON');
  });

  it('takes 5 stars in a wildcard and 10 on one field, and refuses one more', () => {
    expect(reason({ f: [{ wildcard: 'a*b*c*d*e*f' }] })).toBeUndefined();
    expect(reason({ f: [{ wildcard: 'a*b*c*d*e*f*g' }] })).toMatch(/^Rule is too complex/);
    expect(reason({ f: [{ wildcard: 'a*b*c*d*e*f' }, { wildcard: '*a*b*c*d*e' }] })).toBeUndefined();
    expect(reason({ f: [{ wildcard: 'a*b*c*d*e*f' }, { wildcard: '*a*b*c*d*e' }, { wildcard: 'x*' }] })).toMatch(/^Rule is too complex/);
    expect(reason({ f: [{ wildcard: 'a*b*c*d*e*f' }], g: [{ wildcard: '*a*b*c*d*e' }], h: [{ wildcard: '*a*b*c*d*e' }] })).toBeUndefined();
  });

  it('refuses a bound that is no finite number', () => {
    expect(reason({ a: [{ numeric: ['<', Number.POSITIVE_INFINITY] }] })).toBe('Value of < must be numeric');
    expect(reason({ a: [{ numeric: ['>', Number.NaN] }] })).toBe('Value of > must be numeric');
  });
});

describe('case-insensitive prefixes and suffixes', () => {
  it('compare the start for a prefix and the end for a suffix', () => {
    const prefix = { f: [{ prefix: { 'equals-ignore-case': 'AB' } }] };
    const suffix = { f: [{ suffix: { 'equals-ignore-case': 'AB' } }] };
    expect(['abX', 'Xab', 'ab'].map((f) => matchesPattern(compilePattern(prefix), { f }))).toEqual([true, false, true]);
    expect(['abX', 'Xab', 'aB'].map((f) => matchesPattern(compilePattern(suffix), { f }))).toEqual([false, true, true]);
  });
});

describe('matching arrays and missing fields', () => {
  it('tests each value of an array, and a missing field as no value at all', () => {
    expect(matchesPattern(compilePattern({ tags: ['b'] }), { tags: ['a', 'b'] })).toBe(true);
    expect(matchesPattern(compilePattern({ tags: ['c'] }), { tags: ['a', 'b'] })).toBe(false);
    expect(matchesPattern(compilePattern({ a: [null] }), {})).toBe(false);
    expect(matchesPattern(compilePattern({ a: [null] }), { a: null })).toBe(true);
    expect(matchesPattern(compilePattern({ a: { b: [null] } }), { a: {} })).toBe(false);
  });

  it('takes an undefined value as null, and a bare value as no field', () => {
    expect(matchesPattern(compilePattern({ a: [null] }), { a: undefined })).toBe(true);
    expect(flattenEvent({ a: undefined })).toEqual(new Map([['a', [null]]]));
    expect(flattenEvent('x')).toEqual(new Map());
    expect(flattenEvent(null)).toEqual(new Map());
  });
});

describe('CIDR edges', () => {
  it('takes /0 as every address of its version, and reads an IPv4 tail only after the last colon', () => {
    expect(parseCidr('10.1.2.3/0')).toEqual({ version: 4, network: 0n, mask: 0n });
    expect(cidrContains(parseCidr('0.0.0.0/0')!, '8.8.8.8')).toBe(true);
    expect(parseIp('10.0.0.1x')).toBeUndefined();
    expect(parseIp('1.2.3.4:5::')).toBeUndefined();
    expect(parseIp('1:2:3:4:5:6:7::')).toEqual({ version: 6, value: 0x00010002000300040005000600070000n });
    expect(parseIp('1:2:3:4:5:6:7:8::')).toBeUndefined();
    expect(parseIp('1:2:3:4:5:6:7:1.2.3.4')).toBeUndefined();
  });
});
