import { decodeTime, monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import { monotonicUlid } from '#shared/db/ulid';

describe('monotonicUlid', () => {
  it('spells 26 characters of Crockford base 32 whose time part is the millisecond, as the ulid package reads it', () => {
    const at = Date.UTC(2026, 10, 28, 2, 50);
    const id = monotonicUlid(() => at)();
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(decodeTime(id)).toBe(at);
    // The reference implementation puts the same moment in the same first ten characters.
    expect(id.slice(0, 10)).toBe(monotonicFactory()(at).slice(0, 10));
  });

  it('never goes backwards: within one millisecond, and when the clock steps back, the last id plus one', () => {
    const times = [1000, 1000, 1000, 999, 2000];
    const next = monotonicUlid(() => times.shift()!);
    const ids = Array.from({ length: 5 }, () => next());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(5);
    expect(ids[3]!.slice(0, 10)).toBe(ids[0]!.slice(0, 10));
    expect(decodeTime(ids[4]!)).toBe(2000);
  });

  it('carries an increment through the digits, and sorts 10,000 ids made in one millisecond in order', () => {
    const next = monotonicUlid(() => 5);
    const ids = Array.from({ length: 10_000 }, () => next());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(10_000);
  });

  it('refuses a time a ULID cannot hold', () => {
    expect(() => monotonicUlid(() => -1)()).toThrow(RangeError);
    expect(() => monotonicUlid(() => 2 ** 48)()).toThrow(RangeError);
  });
});
