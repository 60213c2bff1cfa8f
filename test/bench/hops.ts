import type { DynamoDBRecord } from 'aws-lambda';
import type { BusEvent } from '#infra/local/event-bus';
import type { LocalStack } from '#infra/local/stack';
import { percentile, round } from './support.ts';

/**
 * The hops of one write through the pipeline: the API answered it, the stream poller read its
 * record, the bus accepted its ContactCreated (the publisher's PutEvents answered), the runner got
 * it, and the runner returned with the execution recorded.
 */
export const HOPS = ['responded', 'read', 'published', 'delivered', 'recorded'] as const;
export type Hop = (typeof HOPS)[number];

const contactOf = (event: BusEvent): string | undefined =>
  event['detail-type'] === 'ContactCreated' ? (event.detail.contact as { id?: string } | undefined)?.id : undefined;

const insertedContact = (record: DynamoDBRecord): string | undefined => {
  const image = record.dynamodb?.NewImage;
  return record.eventName === 'INSERT' && image?.entity?.S === 'CONTACT' ? image.id?.S : undefined;
};

/**
 * When each new contact passed each hop, by the hooks of the local stream poller and bus and by
 * the runner target the bench installs. The first time counts: a retried hop is not a faster one.
 */
export class HopClock {
  private readonly times = new Map<string, Partial<Record<Hop, number>>>();

  mark(id: string, hop: Hop, at = performance.now()): void {
    let entry = this.times.get(id);
    if (!entry) this.times.set(id, (entry = {}));
    entry[hop] ??= at;
  }

  has(id: string, hop: Hop): boolean {
    return this.times.get(id)?.[hop] !== undefined;
  }

  /** Starts watching the stack's stream poller and bus; returns how to stop. */
  watch(stack: LocalStack): () => void {
    stack.poller.onBatchRead = (records) => {
      const at = performance.now();
      for (const record of records) {
        const id = insertedContact(record);
        if (id) this.mark(id, 'read', at);
      }
    };
    stack.bus.onAccepted = (events) => {
      const at = performance.now();
      for (const event of events) {
        const id = contactOf(event);
        if (id) this.mark(id, 'published', at);
      }
    };
    return () => {
      stack.poller.onBatchRead = undefined;
      stack.bus.onAccepted = undefined;
      this.times.clear();
    };
  }

  /** A runner target around `handle` that marks the delivery and the recorded run. */
  runner(handle: (event: BusEvent) => Promise<unknown>): (event: BusEvent) => Promise<void> {
    return async (event) => {
      const id = contactOf(event);
      if (id) this.mark(id, 'delivered');
      await handle(event);
      if (id) this.mark(id, 'recorded');
    };
  }

  /** p50, p99 and max from the API's answer to the recorded run, and p50 / p99 of each hop, over `ids`. */
  latencies(ids: readonly string[]) {
    const done = ids.map((id) => this.times.get(id)!).filter((t) => t && HOPS.every((hop) => t[hop] !== undefined)) as Array<Record<Hop, number>>;
    const spans = (from: Hop, to: Hop) => done.map((t) => t[to] - t[from]);
    const hop = (from: Hop, to: Hop) => {
      const values = spans(from, to);
      return `${round(percentile(values, 50), 1)} / ${round(percentile(values, 99), 1)}`;
    };
    const total = spans('responded', 'recorded');
    return {
      recorded: done.length,
      p50Ms: round(percentile(total, 50), 1),
      p99Ms: round(percentile(total, 99), 1),
      maxMs: round(Math.max(...total), 1),
      /** Each hop as "p50 / p99" in ms. */
      hops: { streamRead: hop('responded', 'read'), published: hop('read', 'published'), delivered: hop('published', 'delivered'), recorded: hop('delivered', 'recorded') },
    };
  }
}
