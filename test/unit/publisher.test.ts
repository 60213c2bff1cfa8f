import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#events/catalogue';
import { MemoryPoisonSink } from '#shared/events/poison-sink';
import { EventPublisher } from '#shared/events/publisher';
import { createStreamHandler } from '#shared/events/stream-handler';
import { streamRecord } from '../support/stream-records.ts';

const eb = mockClient(EventBridgeClient);
const noSleep = async () => undefined;
const publisher = () => new EventPublisher(new EventBridgeClient({ region: 'eu-central-1' }), 'crm', { sleep: noSleep });
const event = (n: number, body = ''): DomainEvent =>
  ({
    source: 'crm.rejections',
    detailType: 'RejectionCreated',
    detail: { tenantId: 'acme', schemaVersion: 1, occurredAt: '2026-11-27T09:00:00.000Z', eventKey: `k${n}#0`, rejection: { id: `r${n}`, body } },
  }) as unknown as DomainEvent;

/** What reached the bus: every entry of every call that the mock accepted. */
const published = () =>
  eb.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries!.map((e: PutEventsRequestEntry) => JSON.parse(e.Detail!).eventKey as string));

beforeEach(() => eb.reset());

describe('EventPublisher', () => {
  it('publishes 25 events in three calls of at most ten, in order', async () => {
    eb.on(PutEventsCommand).callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    const outcome = await publisher().publish(Array.from({ length: 25 }, (_, i) => event(i)));
    expect(outcome).toEqual({ failed: [], calls: 3 });
    expect(eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 5]);
    expect(published()).toEqual(Array.from({ length: 25 }, (_, i) => `k${i}#0`));
  });

  it('splits by size so that no call carries more than 256 KB', async () => {
    eb.on(PutEventsCommand).callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    const big = 'x'.repeat(100 * 1024);
    await publisher().publish([event(1, big), event(2, big), event(3, big)]);
    expect(eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([2, 1]);
  });

  it('retries only the entries that came back failed, until they succeed', async () => {
    let call = 0;
    eb.on(PutEventsCommand).callsFake((input) => {
      call++;
      return {
        FailedEntryCount: call === 1 ? 1 : 0,
        Entries: input.Entries.map((_: unknown, i: number) => (call === 1 && i === 1 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `e${i}` })),
      };
    });
    const outcome = await publisher().publish([event(1), event(2), event(3)]);
    expect(outcome.failed).toEqual([]);
    expect(eb.commandCalls(PutEventsCommand)[1]!.args[0].input.Entries!.map((e) => JSON.parse(e.Detail!).eventKey)).toEqual(['k2#0']);
  });

  it('retries a call that fails outright', async () => {
    eb.on(PutEventsCommand).rejectsOnce(new Error('socket hang up')).callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    expect((await publisher().publish([event(1)])).failed).toEqual([]);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(2);
  });

  it('gives up after the last attempt and reports every event from the first failure on', async () => {
    eb.on(PutEventsCommand).callsFake((input) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((e: PutEventsRequestEntry) => (JSON.parse(e.Detail!).eventKey === 'k2#0' ? { ErrorCode: 'InternalFailure' } : { EventId: 'x' })),
    }));
    const outcome = await publisher().publish([event(1), event(2), event(3)]);
    expect(outcome.failed.map((f) => f.index)).toEqual([1, 2]);
    expect(outcome.failed[0]!.error).toMatch(/InternalFailure/);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(4);
  });

  it('never sends an event over 256 KB and reports it', async () => {
    eb.on(PutEventsCommand).callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    const outcome = await publisher().publish([event(1), event(2, 'x'.repeat(300 * 1024))]);
    expect(outcome.failed).toEqual([{ index: 1, error: expect.stringMatching(/exceeds/) }]);
    expect(published()).toEqual(['k1#0']);
  });
});

describe('stream handler', () => {
  const meta = { tenantId: 'acme', version: 1, createdAt: '2026-11-27T09:00:00.000Z', updatedAt: '2026-11-27T09:00:00.000Z' };
  const rejection = (id: string) => ({ ...meta, id, reason: 'Zu teuer', contactId: 'c1' });

  it('sets a poison record aside and still publishes the records after it', async () => {
    eb.on(PutEventsCommand).callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    const poison = new MemoryPoisonSink();
    const broken = streamRecord('INSERT', 'REJECTION', rejection('r2'), undefined, 'bad');
    delete broken.dynamodb!.NewImage;
    const records = [streamRecord('INSERT', 'REJECTION', rejection('r1'), undefined, 'a'), broken, streamRecord('INSERT', 'REJECTION', rejection('r3'), undefined, 'c')];
    const result = await createStreamHandler({ publisher: publisher(), poison, log: () => undefined })({ Records: records });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(published()).toEqual(['a#0', 'c#0']);
    expect(poison.records.map((p) => p.record.eventID)).toEqual(['bad']);
  });

  it('reports the first record whose events failed and every record after it', async () => {
    eb.on(PutEventsCommand).callsFake((input) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((e: PutEventsRequestEntry) => (JSON.parse(e.Detail!).eventKey === 'b#0' ? { ErrorCode: 'InternalFailure' } : { EventId: 'x' })),
    }));
    const records = ['a', 'b', 'c'].map((id) => streamRecord('INSERT', 'REJECTION', rejection(id), undefined, id));
    const broken = streamRecord('INSERT', 'REJECTION', rejection('d'), undefined, 'poison-after');
    delete broken.dynamodb!.NewImage;
    const poison = new MemoryPoisonSink();
    const result = await createStreamHandler({ publisher: publisher(), poison, log: () => undefined })({ Records: [...records, broken] });
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([...records.slice(1), broken].map((r) => r.dynamodb!.SequenceNumber));
    // The poison record comes again with the retry: it is set aside then, not twice.
    expect(poison.records).toEqual([]);
  });
});
