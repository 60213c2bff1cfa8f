import { randomBytes } from 'node:crypto';

/** Crockford's base 32, as ULIDs spell it. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;
const MAX_TIME = 2 ** 48 - 1;

/**
 * Monotonic ULIDs (https://github.com/ulid/spec): 48 bits of milliseconds and 80 random bits, 26
 * characters that sort as they were made. Within one millisecond (or when the clock steps back) the
 * random part of the last id is incremented, so ids made by one process never go backwards: lists
 * ordered by id are ordered by creation. In a few lines rather than a package, for the bundles.
 */
export function monotonicUlid(now: () => number = Date.now): () => string {
  let lastTime = -1;
  let random: number[] = [];
  return () => {
    const time = now();
    if (!Number.isInteger(time) || time < 0 || time > MAX_TIME) throw new RangeError(`Not a ULID time: ${time}`);
    if (time > lastTime) {
      lastTime = time;
      random = [...randomBytes(RANDOM_LENGTH)].map((byte) => byte & 31);
    } else {
      increment(random);
    }
    let head = '';
    for (let rest = lastTime, i = 0; i < TIME_LENGTH; i++, rest = Math.floor(rest / 32)) head = ALPHABET[rest % 32] + head;
    return head + random.map((digit) => ALPHABET[digit]).join('');
  };
}

/** Adds one to the base-32 digits, last digit first; 80 bits of ones cannot grow further. */
function increment(digits: number[]): void {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i]! += 1;
      return;
    }
    digits[i] = 0;
  }
  throw new RangeError('ULID random part overflowed within one millisecond');
}
