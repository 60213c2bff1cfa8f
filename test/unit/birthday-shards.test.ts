import { describe, expect, it } from 'vitest';
import { BIRTHDAY_SHARDS, birthdayIndexKey, birthdayPartitions } from '#shared/db/keys';

/** A day's birthdays spread over shards of the BirthdayIndex, so no partition key holds a whole day. */
describe('birthday index shards', () => {
  it('puts a contact in one shard of its birthday, the same for every write of it', () => {
    expect(birthdayIndexKey('acme', '01J0000000000000000000000A', '1980-11-27')).toBe(birthdayIndexKey('acme', '01J0000000000000000000000A', '--11-27'));
    expect(birthdayPartitions('11-27')).toContain(birthdayIndexKey('acme', '01J0000000000000000000000A', '1980-11-27'));
  });

  it('keeps shard 0 as the plain month-day, where contacts written before the shards are', () => {
    expect(birthdayPartitions('02-29')).toEqual(['02-29', ...Array.from({ length: BIRTHDAY_SHARDS - 1 }, (_, i) => `02-29#${i + 1}`)]);
  });

  it('spreads the contacts of a day evenly over the shards', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 8_000; i++) {
      const key = birthdayIndexKey(`tenant-${i % 50}`, `01J${String(i).padStart(23, '0')}`, '--11-27');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(BIRTHDAY_SHARDS);
    for (const count of counts.values()) expect(count).toBeGreaterThan((8_000 / BIRTHDAY_SHARDS) * 0.8);
  });
});
