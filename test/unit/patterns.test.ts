import { describe, expect, it } from 'vitest';
import { parseCidr, cidrContains } from '#shared/patterns/cidr';
import { PRESETS } from '#shared/automations/presets';
import { compilePattern, InvalidPatternError, PATTERN_LIMITS, WILDCARD_TOO_COMPLEX } from '#shared/patterns/compile';
import { parseJsonMergingDuplicates } from '#shared/patterns/json-with-duplicates';
import { flattenEvent, matchesPattern } from '#shared/patterns/match';
import { worstPatternCost } from '../bench/matcher.ts';
import { STALL_MS } from '../support/stall.ts';

const matches = (pattern: unknown, event: unknown) => matchesPattern(compilePattern(pattern), event);

describe('pattern language beyond the suite', () => {
  it('matches an Absage reason the way an automation trigger uses it', () => {
    const where = { rejection: { reason: ['Kein Kontakt mehr gewünscht'] } };
    expect(matches(where, { rejection: { reason: 'Kein Kontakt mehr gewünscht', contactId: 'c1' } })).toBe(true);
    expect(matches(where, { rejection: { reason: 'Zu teuer' } })).toBe(false);
  });

  it('needs every field of a branch and any branch of an $or', () => {
    const pattern = { deal: { stage: ['Reserviert'] }, $or: [{ fromStage: ['Anfrage'] }, { fromStage: [{ prefix: 'Besicht' }] }] };
    expect(matches(pattern, { deal: { stage: 'Reserviert' }, fromStage: 'Besichtigung' })).toBe(true);
    expect(matches(pattern, { deal: { stage: 'Reserviert' }, fromStage: 'Verhandlung' })).toBe(false);
    expect(matches(pattern, { deal: { stage: 'Abgesagt' }, fromStage: 'Anfrage' })).toBe(false);
  });

  it('treats a null value as present for exists and absent fields as missing', () => {
    expect(matches({ a: [{ exists: true }] }, { a: null })).toBe(true);
    expect(matches({ a: [{ exists: false }] }, { a: null })).toBe(false);
    expect(matches({ a: [{ exists: false }] }, { b: 1 })).toBe(true);
  });

  it('matches wildcards over any run of characters, with escaped stars taken literally', () => {
    expect(matches({ f: [{ wildcard: 'dir/*.png' }] }, { f: 'dir/a/b.png' })).toBe(true);
    expect(matches({ f: [{ wildcard: 'dir/*.png' }] }, { f: 'dir/.png' })).toBe(true);
    expect(matches({ f: [{ wildcard: 'a\\*b' }] }, { f: 'a*b' })).toBe(true);
    expect(matches({ f: [{ wildcard: 'a\\*b' }] }, { f: 'axb' })).toBe(false);
  });

  it('matches IPv6 and IPv4 blocks, and never across versions', () => {
    expect(cidrContains(parseCidr('2001:db8:1234:1a00::/64')!, '2001:0db8:1234:1a00:0000:0000:0000:0001')).toBe(true);
    expect(cidrContains(parseCidr('::ffff:0:0/96')!, '::ffff:10.0.0.1')).toBe(true);
    expect(cidrContains(parseCidr('10.0.0.0/8')!, '2001:db8::1')).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('1:2:3:4:5:6:7:8:9/64')).toBeUndefined();
  });

  it('refuses invalid patterns with the reason, as AWS words it', () => {
    const refusal = (pattern: unknown) => {
      try {
        compilePattern(pattern);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidPatternError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal({ detail: { x: [{ NUMERIC: ['=', 1] }] } })).toBe('Event pattern is not valid. Reason: Unrecognized match type NUMERIC');
    expect(refusal({ $or: [{ a: ['x'] }] })).toMatch(/\$or/);
    expect(refusal({ a: 'x' })).toMatch(/inside an array/);
    expect(refusal({ a: [{ numeric: ['<', 5, '>', 10] }] })).toMatch(/Bottom must be less than top/);
    expect(refusal('{"a": [1,]}')).toMatch(/not valid JSON/);
    expect(refusal({})).toMatch(/Empty/);
    expect(refusal([])).toMatch(/not an object/);
  });

  it('keeps both values of a repeated key when parsing a pattern', () => {
    expect(parseJsonMergingDuplicates('{"a": ["x"], "a": ["y"], "b": {"c": [1]}, "b": {"d": [2]}}')).toEqual({ a: ['x', 'y'], b: { c: [1], d: [2] } });
    expect(() => parseJsonMergingDuplicates('{"a": 1} trailing')).toThrow(SyntaxError);
  });

  it('flattens arrays of objects under one path', () => {
    expect(flattenEvent({ a: [{ b: 1 }, { b: 2 }, []], c: 'x' })).toEqual(
      new Map<string, unknown[]>([
        ['a.b', [1, 2]],
        ['c', ['x']],
      ]),
    );
  });
});

const refusedWith = (pattern: unknown): string => {
  try {
    compilePattern(pattern);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPatternError);
    return (error as InvalidPatternError).reason;
  }
  throw new Error('accepted');
};

/** Milliseconds `run` takes. */
const timed = (run: () => void): number => {
  const started = performance.now();
  run();
  return performance.now() - started;
};

describe('pattern limits', () => {
  it('refuses a pattern over 2,048 characters (compact JSON for a value, the text as given for a string)', () => {
    const fits = { a: ['x'.repeat(PATTERN_LIMITS.maxSize - 10)] }; // {"a":["…"]} is 10 characters besides
    expect(JSON.stringify(fits)).toHaveLength(PATTERN_LIMITS.maxSize);
    expect(() => compilePattern(fits)).not.toThrow();
    expect(refusedWith({ a: ['x'.repeat(PATTERN_LIMITS.maxSize - 9)] })).toBe('Event pattern is 2049 characters long; the limit is 2048');
    expect(refusedWith(`{"a": ["x"]}${' '.repeat(PATTERN_LIMITS.maxSize)}`)).toMatch(/characters long; the limit is 2048/);
  });

  it('refuses nesting past 16 levels, however deep, without recursing into it', () => {
    const nest = (depth: number) => {
      let value: unknown = ['x'];
      for (let i = 1; i < depth; i++) value = { a: value };
      return value;
    };
    expect(() => compilePattern(nest(16))).not.toThrow();
    expect(refusedWith(nest(17))).toBe('Event pattern nests deeper than 16 levels');
    expect(refusedWith(nest(100_000))).toBe('Event pattern nests deeper than 16 levels');
    expect(refusedWith(`${'{"a":'.repeat(1_000)}["x"]${'}'.repeat(1_000)}`)).toMatch(/characters long/);
    expect(refusedWith(`${'{"a":'.repeat(300)}["x"]${'}'.repeat(300)}`)).toMatch(/Nested deeper than 64 levels/);
    expect(refusedWith(`${'{"a":'.repeat(20)}["x"]${'}'.repeat(20)}`)).toBe('Event pattern nests deeper than 16 levels');
  });

  it('counts $or combinations without building them, and refuses more than 1,000', () => {
    const siblings = (n: number, alternatives = 2) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, { $or: Array.from({ length: alternatives }, (_, j) => ({ [`f${j}`]: ['x'] })) }]));
    expect(compilePattern(siblings(3, 10)).combinations).toBe(1_000);
    expect(refusedWith({ ...siblings(3, 10), k3: { $or: [{ a: ['x'] }, { b: ['y'] }] } })).toBe(
      'Rule is too complex - its $or alternatives combine into more than 1000 patterns',
    );
    // Nested $or inside $or alternatives add up; siblings multiply.
    expect(compilePattern({ $or: [{ $or: [{ a: ['1'] }, { b: ['2'] }] }, { c: ['3'] }], d: { $or: [{ e: ['4'] }, { f: ['5'] }] } }).combinations).toBe(6);
    // 2^45 alternatives in under 2 KB: refused at once.
    expect(JSON.stringify(siblings(45)).length).toBeLessThanOrEqual(PATTERN_LIMITS.maxSize);
    expect(timed(() => expect(refusedWith(siblings(45))).toMatch(/more than 1000 patterns/))).toBeLessThan(STALL_MS);
  });

  it('refuses more than 5 stars in a wildcard, or 10 on one field, in AWS\'s words', () => {
    const wildcard = (...texts: string[]) => ({ f: texts.map((wildcard) => ({ wildcard })) });
    expect(() => compilePattern(wildcard('*a*b*c*d*e'))).not.toThrow();
    expect(refusedWith(wildcard('*a*b*c*d*e*'))).toBe(WILDCARD_TOO_COMPLEX);
    expect(WILDCARD_TOO_COMPLEX).toBe('Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character');
    expect(() => compilePattern(wildcard('*a*b*c*d*e', 'x*y*z*w*v*'))).not.toThrow();
    expect(refusedWith(wildcard('*a*b*c*d*e', 'x*y*z*w*v*', '*q'))).toBe(WILDCARD_TOO_COMPLEX);
    // anything-but wildcards and $or alternatives count against the same field.
    expect(refusedWith({ f: [{ wildcard: '*a*b*c*d*e' }, { 'anything-but': { wildcard: ['*1*2*3', '*4*5*6'] } }] })).toBe(WILDCARD_TOO_COMPLEX);
    expect(refusedWith({ $or: [wildcard('*a*b*c*d*e'), wildcard('*v*w*x*y*z'), { g: ['x'], f: [{ wildcard: '*q' }] }] })).toBe(WILDCARD_TOO_COMPLEX);
    // Escaped stars are text, not wildcards.
    expect(() => compilePattern(wildcard('\\*\\*\\*\\*\\*\\*a*'))).not.toThrow();
  });

  it('refuses values JSON has no room for with an InvalidPatternError', () => {
    expect(refusedWith({ a: [1n] })).toMatch(/not JSON/);
    expect(refusedWith({ a: [() => 1] })).toMatch(/not JSON/);
    const cyclic: Record<string, unknown> = {};
    cyclic.a = cyclic;
    expect(refusedWith(cyclic)).toMatch(/nests deeper/);
  });

  it('fits every preset, with its default parameters and with 20 sender addresses of 90 characters', () => {
    for (const preset of PRESETS) {
      const where = preset.build(preset.params.parse({}) as Record<string, unknown>).trigger.where;
      if (where) expect(() => compilePattern(where), preset.key).not.toThrow();
    }
    const inquiry = PRESETS.find((p) => p.key === 'inquiry-create-contact')!;
    const senderAddresses = Array.from({ length: 20 }, (_, i) => `${'x'.repeat(73)}${String(i).padStart(2, '0')}@portal.example`);
    expect(senderAddresses[0]).toHaveLength(90);
    const where = inquiry.build(inquiry.params.parse({ senderAddresses }) as Record<string, unknown>).trigger.where!;
    expect(() => compilePattern(where)).not.toThrow();
  });
});

describe('matching never backtracks', () => {
  const event = (message: string) => ({ inquiry: { message } });

  it('matches the wildcard that stalled the runner (250 × "a" against *a*a*a*a*b) at once', () => {
    const pattern = compilePattern({ inquiry: { message: [{ wildcard: '*a*a*a*a*b' }] } });
    expect(timed(() => expect(matchesPattern(pattern, event('a'.repeat(250)))).toBe(false))).toBeLessThan(STALL_MS);
    const huge = 'a'.repeat(256 * 1024);
    expect(timed(() => expect(matchesPattern(pattern, event(huge))).toBe(false))).toBeLessThan(STALL_MS);
    expect(matchesPattern(pattern, event(`${huge}b`))).toBe(true);
  });

  it('keeps every operator linear on a 256 KB value, alone and all on one field', () => {
    const huge = 'a'.repeat(256 * 1024);
    const operators = [
      { wildcard: '*a*a*a*a*b' },
      { 'anything-but': { wildcard: ['*a*a*a*b', 'a*a*a*a*c'] } },
      { prefix: { 'equals-ignore-case': `${'A'.repeat(1_000)}B` } },
      { suffix: { 'equals-ignore-case': `B${'A'.repeat(1_000)}` } },
      { 'equals-ignore-case': `${'A'.repeat(1_000)}B` },
      { 'anything-but': { 'equals-ignore-case': ['x', 'y'] } },
      { 'anything-but': { prefix: `${'a'.repeat(1_000)}b` } },
      { 'anything-but': { suffix: `b${'a'.repeat(1_000)}` } },
      { prefix: `${'a'.repeat(1_000)}b` },
      { suffix: `b${'a'.repeat(1_000)}` },
      { cidr: '10.0.0.0/8' },
      { numeric: ['>', 0] },
      { exists: true },
      'a'.repeat(1_000),
    ];
    for (const operator of operators) {
      const pattern = compilePattern({ inquiry: { message: [operator] } });
      expect(timed(() => matchesPattern(pattern, event(huge))), JSON.stringify(operator).slice(0, 80)).toBeLessThan(STALL_MS);
    }
  });

  it('matches wildcards as EventBridge does: prefix, suffix, pieces in order, escapes', () => {
    const m = (wildcard: string, value: string) => matchesPattern(compilePattern({ f: [{ wildcard }] }), { f: value });
    expect(m('', '')).toBe(true);
    expect(m('', 'x')).toBe(false);
    expect(m('*', '')).toBe(true);
    expect(m('a*a', 'a')).toBe(false);
    expect(m('a*a', 'aa')).toBe(true);
    expect(m('ab*ba', 'aba')).toBe(false);
    expect(m('*ab*ab*', 'abab')).toBe(true);
    expect(m('*ab*ab*', 'aab')).toBe(false);
    expect(m('*\\**', 'a*b')).toBe(true);
    expect(m('*\\**', 'ab')).toBe(false);
    expect(m('a\\\\*', 'a\\xyz')).toBe(true);
    expect(m('a\\\\*', 'axyz')).toBe(false);
  });
});

describe('the JSON reader of patterns', () => {
  it('reads a long pattern text in linear time', () => {
    const text = JSON.stringify({ a: Array.from({ length: 150 }, (_, i) => `value-${i}`) });
    expect(timed(() => parseJsonMergingDuplicates(text))).toBeLessThan(STALL_MS);
    expect(timed(() => expect(() => parseJsonMergingDuplicates(`["${'x'.repeat(1_000_000)}`)).toThrow(SyntaxError))).toBeLessThan(STALL_MS);
  });
});

describe('flattening', () => {
  it('flattens an event nested far deeper than the stack would allow', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const flat = flattenEvent({ top: 1, deep });
    expect(flat.get('top')).toEqual([1]);
    expect([...flat.values()]).toContainEqual(['bottom']);
  });
});

describe('the worst pattern the limits allow (the bench row)', () => {
  it('is as long as allowed, stands for 1,000 combinations, holds 10 stars on its fields, and compiles, checks and matches without stalling', () => {
    const cost = worstPatternCost(5);
    expect(cost.size).toBeGreaterThan(PATTERN_LIMITS.maxSize - 50);
    expect(cost.size).toBeLessThanOrEqual(PATTERN_LIMITS.maxSize);
    expect(cost.combinations).toBe(PATTERN_LIMITS.maxCombinations);
    expect(cost.wildcards).toBeGreaterThan(100);
    expect(cost.saveMs).toBeLessThan(STALL_MS);
    expect(cost.matchMs).toBeLessThan(STALL_MS);
  });
});
