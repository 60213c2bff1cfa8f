import { describe, expect, it } from 'vitest';
import { parseCidr, cidrContains } from '#shared/patterns/cidr';
import { compilePattern, InvalidPatternError } from '#shared/patterns/compile';
import { parseJsonMergingDuplicates } from '#shared/patterns/json-with-duplicates';
import { flattenEvent, matchesPattern } from '#shared/patterns/match';

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
