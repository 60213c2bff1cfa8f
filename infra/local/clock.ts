/**
 * The local stack's clock: real time plus an offset, so the engine and the local EventBridge
 * Scheduler stand-in (`scheduler-service.ts`) agree on "now", and a test or a developer can move
 * time instead of sleeping. Both are handed the same `LocalClock` object.
 *
 * `set` and `advance` accept any instant, also one in the past: moving back changes what is due
 * from then on, but undoes nothing (a schedule that fired stays fired). Listeners registered with
 * `onChange` are called synchronously after each change, in the order they were added; they should
 * return quickly and not throw (an error is re-thrown to the caller of `set`/`advance` once every
 * listener has run).
 */
export class LocalClock {
  private offset: number;
  private readonly listeners = new Set<(now: Date) => void>();

  /** @param offsetMs where to start, relative to real time (e.g. an offset kept from a previous run). */
  constructor(offsetMs = 0) {
    this.offset = finite(offsetMs, 'offsetMs');
  }

  /** Real time plus the offset. */
  now(): Date {
    return new Date(Date.now() + this.offset);
  }

  /** How far this clock is ahead of real time (negative: behind), in milliseconds. */
  get offsetMs(): number {
    return this.offset;
  }

  /** Moves the clock so that `now()` is `instant` (and goes on ticking from there). */
  set(instant: Date): void {
    this.change(finite(instant.getTime(), 'instant') - Date.now());
  }

  /** Moves the clock forward by `ms` (backward when negative). */
  advance(ms: number): void {
    this.change(this.offset + finite(ms, 'ms'));
  }

  /** Calls `listener` with the new time after every `set`/`advance`; returns the unsubscribe. */
  onChange(listener: (now: Date) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private change(offset: number): void {
    this.offset = offset;
    const now = this.now();
    const errors: unknown[] = [];
    for (const listener of [...this.listeners]) {
      try {
        listener(now);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

function finite(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new RangeError(`LocalClock: ${what} must be a finite number, not ${value}`);
  return value;
}
