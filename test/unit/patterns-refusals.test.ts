import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, parseIp } from '#shared/patterns/cidr';
import { compilePattern, InvalidPatternError, matchesWildcard, wildcardSegments } from '#shared/patterns/compile';
import { matchesPattern } from '#shared/patterns/match';

/**
 * Each refusal of a pattern with its own reason (one refusal must never silently turn into
 * another), and the edges of numeric ranges and CIDR blocks.
 */

const matches = (pattern: unknown, event: unknown) => matchesPattern(compilePattern(pattern), event);

/** Why the pattern is refused, as the error says it. */
function reason(pattern: unknown): string {
  try {
    compilePattern(pattern);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPatternError);
    expect((error as Error).message).toBe(`Event pattern is not valid. Reason: ${(error as InvalidPatternError).reason}`);
    return (error as InvalidPatternError).reason;
  }
  throw new Error(`accepted: ${JSON.stringify(pattern)}`);
}

describe('the reason a pattern is refused', () => {
  it('names the shape that is wrong', () => {
    expect(reason('{"a": [1,]}')).toMatch(/^Filter is not valid JSON: /);
    expect(reason([])).toBe('Filter is not an object');
    expect(reason(null)).toBe('Filter is not an object');
    expect(reason('"x"')).toBe('Filter is not an object');
    expect(reason({})).toBe('Empty pattern');
    expect(reason({ a: {} })).toBe('Empty objects are not allowed: "a"');
    expect(reason({ a: { b: {} } })).toBe('Empty objects are not allowed: "a.b"');
    expect(reason({ a: 'x' })).toBe('Match value must be String, number, true, false, or null, inside an array: "a"');
    expect(reason({ a: { b: 1 } })).toBe('Match value must be String, number, true, false, or null, inside an array: "a.b"');
    expect(reason({ a: [] })).toBe('Empty arrays are not allowed: "a"');
    expect(reason({ a: [['x']] })).toBe('Match value must be String, number, true, false, or null: "a"');
    expect(reason({ a: [{ prefix: 'x', suffix: 'y' }] })).toBe('Only one operator is allowed per object: "a"');
    expect(reason({ a: [{}] })).toBe('Only one operator is allowed per object: "a"');
    expect(reason({ a: [{ regex: 'x' }] })).toBe('Unrecognized match type regex');
  });

  it('names what is wrong with an $or', () => {
    for (const or of [[{ a: ['x'] }], 'x', [{ a: ['x'] }, 'y'], [{ a: ['x'] }, ['y']]]) {
      expect(reason({ $or: or }), JSON.stringify(or)).toBe('$or must be an array of at least two objects');
    }
    expect(reason({ $or: [{ a: ['x'] }, {}] })).toBe('Empty objects are not allowed in $or');
    expect(reason({ a: { $or: [{ b: ['x'] }, { c: [] }] } })).toBe('Empty arrays are not allowed: "a.c"');
  });

  it('names the operand an operator cannot take', () => {
    expect(reason({ a: [{ exists: 'true' }] })).toBe('exists match pattern must be either true or false.');
    expect(reason({ a: [{ prefix: 1 }] })).toBe('prefix match pattern must be a string');
    expect(reason({ a: [{ suffix: ['x'] }] })).toBe('suffix match pattern must be a string');
    expect(reason({ a: [{ prefix: { 'equals-ignore-case': 1 } }] })).toBe('prefix match pattern must be a string');
    expect(reason({ a: [{ prefix: { 'equals-ignore-case': 'x', other: 'y' } }] })).toBe('prefix match pattern must be a string');
    expect(reason({ a: [{ suffix: { wildcard: 'x' } }] })).toBe('suffix match pattern must be a string');
    expect(reason({ a: [{ 'equals-ignore-case': 1 }] })).toBe('equals-ignore-case match pattern must be a string');
    expect(reason({ a: [{ wildcard: 1 }] })).toBe('wildcard match pattern must be a string');
    expect(reason({ a: [{ cidr: 1 }] })).toBe('cidr match pattern must be a string');
    expect(reason({ a: [{ cidr: '10.0.0.0/33' }] })).toBe('Nonstandard IP address: 10.0.0.0/33');
  });

  it('names the wildcard escape or double star it cannot read, by position', () => {
    expect(reason({ a: [{ wildcard: 'a\\b' }] })).toBe('Invalid escape in wildcard at pos 1');
    expect(reason({ a: [{ wildcard: 'ab\\' }] })).toBe('Invalid escape in wildcard at pos 2');
    expect(reason({ a: [{ wildcard: 'ab**' }] })).toBe('Consecutive wildcard characters at pos 3');
  });

  it('names what is wrong with a numeric range', () => {
    for (const operand of [[], ['<'], ['<', 1, '>'], ['>', 0, '<', 5, '=', 2], '<5', { '<': 5 }]) {
      expect(reason({ a: [{ numeric: operand }] }), JSON.stringify(operand)).toBe('Value of numeric must be an array of one or two operator/number pairs.');
    }
    expect(reason({ a: [{ numeric: ['!=', 1] }] })).toBe('Unrecognized numeric range operator: !=');
    expect(reason({ a: [{ numeric: [1, 1] }] })).toBe('Unrecognized numeric range operator: 1');
    expect(reason({ a: [{ numeric: ['>', 0, '=>', 5] }] })).toBe('Unrecognized numeric range operator: =>');
    expect(reason({ a: [{ numeric: ['<', '5'] }] })).toBe('Value of < must be numeric');
    expect(reason({ a: [{ numeric: ['>', 0, '<', null] }] })).toBe('Value of < must be numeric');
    expect(reason({ a: [{ numeric: ['>', 0, '>=', 5] }] })).toBe('Bad numeric range operator; need one lower and one upper bound');
    expect(reason({ a: [{ numeric: ['<', 0, '<=', 5] }] })).toBe('Bad numeric range operator; need one lower and one upper bound');
    expect(reason({ a: [{ numeric: ['=', 0, '<', 5] }] })).toBe('Bad numeric range operator; need one lower and one upper bound');
    expect(reason({ a: [{ numeric: ['>', 5, '<', 5] }] })).toBe('Bottom must be less than top');
    expect(reason({ a: [{ numeric: ['>=', 5, '<=', 5] }] })).toBe('Bottom must be less than top');
    expect(reason({ a: [{ numeric: ['<', 5, '>', 5] }] })).toBe('Bottom must be less than top');
    expect(reason({ a: [{ numeric: ['<', 5, '>', 6] }] })).toBe('Bottom must be less than top');
  });

  it('names what is wrong with an anything-but', () => {
    expect(reason({ a: [{ 'anything-but': [] }] })).toBe('Inside anything but list, start|null|boolean is not supported.');
    expect(reason({ a: [{ 'anything-but': ['x', 1] }] })).toBe('Inside anything but list, start|null|boolean is not supported.');
    expect(reason({ a: [{ 'anything-but': [true] }] })).toBe('Inside anything but list, start|null|boolean is not supported.');
    expect(reason({ a: [{ 'anything-but': { prefix: 'x', suffix: 'y' } }] })).toBe('Inside anything-but there must be exactly one operator');
    expect(reason({ a: [{ 'anything-but': {} }] })).toBe('Inside anything-but there must be exactly one operator');
    expect(reason({ a: [{ 'anything-but': { prefix: 1 } }] })).toBe('Value of prefix inside anything-but must be a string or an array of strings');
    expect(reason({ a: [{ 'anything-but': { prefix: [] } }] })).toBe('Value of prefix inside anything-but must be a string or an array of strings');
    expect(reason({ a: [{ 'anything-but': { suffix: ['x', 2] } }] })).toBe('Value of suffix inside anything-but must be a string or an array of strings');
    expect(reason({ a: [{ 'anything-but': { prefix: '' } }] })).toBe('Null prefix not allowed inside anything-but');
    expect(reason({ a: [{ 'anything-but': { suffix: ['x', ''] } }] })).toBe('Null suffix not allowed inside anything-but');
    expect(reason({ a: [{ 'anything-but': { numeric: ['>', 1] } }] })).toBe('Value of numeric inside anything-but must be a string or an array of strings');
    expect(reason({ a: [{ 'anything-but': { exists: 'x' } }] })).toBe('Unsupported anything-but pattern: exists');
    expect(reason({ a: [{ 'anything-but': true }] })).toBe('Value of anything-but must be an array or single string/number value.');
    expect(reason({ a: [{ 'anything-but': null }] })).toBe('Value of anything-but must be an array or single string/number value.');
  });
});

describe('numeric ranges', () => {
  const numeric = (operand: unknown[], value: unknown) => matches({ n: [{ numeric: operand }] }, { n: value });

  it('takes each bound as strict or inclusive, as its operator says', () => {
    expect([4, 5, 6].map((v) => numeric(['>', 5], v))).toEqual([false, false, true]);
    expect([4, 5, 6].map((v) => numeric(['>=', 5], v))).toEqual([false, true, true]);
    expect([4, 5, 6].map((v) => numeric(['<', 5], v))).toEqual([true, false, false]);
    expect([4, 5, 6].map((v) => numeric(['<=', 5], v))).toEqual([true, true, false]);
    expect([4, 5, 6].map((v) => numeric(['=', 5], v))).toEqual([false, true, false]);
  });

  it('needs both bounds of a range, in either order', () => {
    expect([0, 1, 5, 9, 10].map((v) => numeric(['>', 0, '<=', 9], v))).toEqual([false, true, true, true, false]);
    expect([0, 1, 5, 9, 10].map((v) => numeric(['<=', 9, '>', 0], v))).toEqual([false, true, true, true, false]);
    expect([0, 1, 2].map((v) => numeric(['>=', 0, '<', 1], v))).toEqual([true, false, false]);
    expect(numeric(['>=', 0.5, '<', 0.6], 0.55)).toBe(true);
  });

  it('matches numbers only, never a string of digits or null', () => {
    expect(numeric(['>', 0], '5')).toBe(false);
    expect(numeric(['>=', 0], null)).toBe(false);
    expect(numeric(['=', 1], true)).toBe(false);
  });
});

describe('CIDR blocks', () => {
  const cidr = (block: string, address: unknown) => matches({ ip: [{ cidr: block }] }, { ip: address });

  it('matches one address with /32 and every address with /0', () => {
    expect(cidr('10.0.0.1/32', '10.0.0.1')).toBe(true);
    expect(cidr('10.0.0.1/32', '10.0.0.2')).toBe(false);
    expect(cidr('10.0.0.1/32', '10.0.0.0')).toBe(false);
    expect(cidr('0.0.0.0/0', '255.255.255.255')).toBe(true);
    expect(cidr('0.0.0.0/0', '2001:db8::1')).toBe(false);
    expect(cidr('::/0', '2001:db8::1')).toBe(true);
    expect(cidr('2001:db8::1/128', '2001:db8::1')).toBe(true);
    expect(cidr('2001:db8::1/128', '2001:db8::2')).toBe(false);
  });

  it('keeps to the block\'s bits: the first and last address in, the neighbours out', () => {
    expect(['192.168.0.255', '192.168.1.0', '192.168.1.255', '192.168.2.0'].map((a) => cidr('192.168.1.0/24', a))).toEqual([false, true, true, false]);
    expect(['10.0.0.15', '10.0.0.16', '10.0.0.31', '10.0.0.32'].map((a) => cidr('10.0.0.16/28', a))).toEqual([false, true, true, false]);
    // A block written with host bits set is the network it lies in.
    expect(cidr('10.0.0.77/24', '10.0.0.1')).toBe(true);
  });

  it('refuses octets above 255 and malformed blocks and addresses', () => {
    for (const block of ['256.0.0.0/8', '10.0.0/8', '10.0.0.0.0/8', '10.0.0.0', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/0x8', '10.0.0.0/1234', 'a.b.c.d/8', '10.0.0.-1/8', '2001:db8::/129', '2001:::1/64', '1::2::3/64', '12345::/16', 'g::/16', '1:2:3:4:5:6:7/64']) {
      expect(parseCidr(block), block).toBeUndefined();
    }
    for (const address of ['10.0.0.256', '10.0.0', '10.0.0.1.1', '010.0.0.1000', ' 10.0.0.1', '::ffff:10.0.0.256', '::ffff:10.0.0', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '1::2::3']) {
      expect(parseIp(address), address).toBeUndefined();
    }
    expect(cidr('10.0.0.0/8', '10.0.0.256')).toBe(false);
  });

  it('reads IPv6 in its short forms, with an IPv4 tail, and never matches it against an IPv4 block', () => {
    expect(parseIp('::')).toEqual({ version: 6, value: 0n });
    expect(parseIp('::1')).toEqual({ version: 6, value: 1n });
    expect(parseIp('1::')).toEqual({ version: 6, value: 1n << 112n });
    expect(parseIp('1:2:3:4:5:6:7:8')).toEqual({ version: 6, value: 0x00010002000300040005000600070008n });
    expect(parseIp('1:2:3:4:5:6::8')).toEqual({ version: 6, value: 0x00010002000300040005000600000008n });
    expect(parseIp('::ffff:10.0.0.1')).toEqual({ version: 6, value: 0xffff0a000001n });
    expect(parseIp('FFFF::')).toEqual({ version: 6, value: 0xffffn << 112n });
    expect(parseIp('10.1.2.3')).toEqual({ version: 4, value: 0x0a010203n });
    expect(cidr('10.0.0.0/8', '::ffff:10.0.0.1')).toBe(false);
    expect(cidr('::ffff:0:0/96', '::ffff:10.0.0.1')).toBe(true);
    expect(cidr('::ffff:10.0.0.0/120', '::ffff:10.0.0.9')).toBe(true);
    expect(cidr('::ffff:10.0.0.0/120', '::ffff:10.0.1.9')).toBe(false);
    expect(cidrContains(parseCidr('2001:db8::/32')!, '10.0.0.1')).toBe(false);
  });

  it('refuses an address longer than any IP address without reading it', () => {
    expect(cidr('::/0', `0000:0000:0000:0000:0000:0000:0000:0001`)).toBe(true);
    expect(cidr('::/0', `0000:0000:0000:0000:0000:ffff:255.255.255.255`)).toBe(true);
    expect(cidr('::/0', `00000:0000:0000:0000:0000:ffff:255.255.255.255`)).toBe(false);
    expect(cidr('10.0.0.0/8', 10)).toBe(false);
  });
});

describe('wildcards', () => {
  it('splits a wildcard at its unescaped stars, with escaped stars and backslashes taken literally', () => {
    expect(wildcardSegments('abc')).toEqual(['abc']);
    expect(wildcardSegments('*')).toEqual(['', '']);
    expect(wildcardSegments('a*b*c')).toEqual(['a', 'b', 'c']);
    expect(wildcardSegments('a\\*b*\\\\')).toEqual(['a*b', '\\']);
  });

  it('matches the pieces in order, between the first as prefix and the last as suffix, without overlapping them', () => {
    expect(matchesWildcard(['abc'], 'abc')).toBe(true);
    expect(matchesWildcard(['abc'], 'abcd')).toBe(false);
    expect(matchesWildcard(['ab', 'ba'], 'aba')).toBe(false);
    expect(matchesWildcard(['ab', 'ba'], 'abba')).toBe(true);
    expect(matchesWildcard(['a', 'b', 'c'], 'abc')).toBe(true);
    expect(matchesWildcard(['a', 'b', 'c'], 'ac')).toBe(false);
    expect(matchesWildcard(['a', 'bc', 'c'], 'abc')).toBe(false);
    expect(matchesWildcard(['a', 'b', 'b', 'c'], 'abxbc')).toBe(true);
    expect(matchesWildcard(['a', 'b', 'b', 'c'], 'abc')).toBe(false);
    expect(matchesWildcard(['', 'x', ''], 'x')).toBe(true);
    expect(matchesWildcard(['', 'x', ''], 'y')).toBe(false);
    expect(matchesWildcard(['a', 'z'], 'bz')).toBe(false);
    expect(matchesWildcard(['a', 'z'], 'ab')).toBe(false);
  });
});
