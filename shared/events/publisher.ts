import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from '#events/catalogue';

/** PutEvents limits: 10 entries and 256 KB per call; an entry over 256 KB can never be published. */
export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_BYTES = 256 * 1024;

export interface PublisherOptions {
  /** Attempts per entry, the first included. @default 4 */
  maxAttempts?: number;
  /** First backoff; doubles each retry, with jitter. @default 100 */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Counts each PutEvents call (the bench reads it). */
  onCall?: (entries: number) => void;
}

export interface PublishOutcome {
  /** Indices (into the events given) that were not published, with the last error. */
  failed: Array<{ index: number; error: string }>;
  calls: number;
}

/**
 * Publishes domain events in order, in as few PutEvents calls as the limits allow. Entries that come
 * back failed (throttling, internal errors) and calls that fail outright are retried with
 * exponential backoff. Stops at the first batch that still fails after the last attempt, so the
 * caller can report from there on and keep the order.
 */
export class EventPublisher {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly options: PublisherOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  toEntry(event: DomainEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.busName,
      Source: event.source,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Time: new Date(event.detail.occurredAt),
    };
  }

  async publish(events: DomainEvent[]): Promise<PublishOutcome> {
    const outcome: PublishOutcome = { failed: [], calls: 0 };
    const entries = events.map((e) => this.toEntry(e));
    let index = 0;
    while (index < entries.length) {
      const size = entrySize(entries[index]!);
      if (size > MAX_BYTES) {
        return this.stopAt(outcome, index, entries.length, `Event of ${size} bytes exceeds the PutEvents limit of ${MAX_BYTES}`);
      }
      const batch: number[] = [];
      let bytes = 0;
      while (index < entries.length && batch.length < MAX_ENTRIES_PER_CALL && bytes + entrySize(entries[index]!) <= MAX_BYTES) {
        bytes += entrySize(entries[index]!);
        batch.push(index++);
      }
      const failures = await this.sendWithRetries(batch.map((i) => entries[i]!), outcome);
      if (failures.size > 0) {
        const first = Math.min(...[...failures.keys()].map((k) => batch[k]!));
        const error = [...failures.values()][0]!;
        return this.stopAt(outcome, first, entries.length, error);
      }
    }
    return outcome;
  }

  /** Sends one batch; returns the positions (in the batch) still failed after the last attempt. */
  private async sendWithRetries(batch: PutEventsRequestEntry[], outcome: PublishOutcome): Promise<Map<number, string>> {
    let pending = batch.map((entry, position) => ({ entry, position }));
    const lastError = new Map<number, string>();
    for (let attempt = 1; attempt <= this.maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) await this.sleep(this.baseDelayMs * 2 ** (attempt - 2) * (0.5 + Math.random() / 2));
      outcome.calls++;
      this.options.onCall?.(pending.length);
      try {
        const result = await this.client.send(new PutEventsCommand({ Entries: pending.map((p) => p.entry) }));
        const next: typeof pending = [];
        (result.Entries ?? []).forEach((entry, i) => {
          if (entry.ErrorCode) {
            lastError.set(pending[i]!.position, `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`);
            next.push(pending[i]!);
          } else lastError.delete(pending[i]!.position);
        });
        pending = next;
      } catch (error) {
        for (const p of pending) lastError.set(p.position, (error as Error).message);
      }
    }
    return new Map(pending.map((p) => [p.position, lastError.get(p.position) ?? 'unknown error']));
  }

  private stopAt(outcome: PublishOutcome, from: number, total: number, error: string): PublishOutcome {
    for (let i = from; i < total; i++) outcome.failed.push({ index: i, error });
    return outcome;
  }
}

/** An entry's size as PutEvents counts it: source, detail-type, detail, resources and 14 bytes of time. */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return 14 + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + (entry.Resources ?? []).reduce((n, r) => n + bytes(r), 0);
}
