import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { DomainEvent } from '#events/catalogue';
import type { PoisonSink } from './poison-sink.ts';
import type { EventPublisher } from './publisher.ts';
import { PoisonRecordError, recordToEvents } from './stream-mapping.ts';
import { log as defaultLog, type Log } from '../log.ts';

export interface StreamHandlerDeps {
  publisher: EventPublisher;
  poison: PoisonSink;
  log?: Log;
}

/**
 * The stream publisher: maps every record of the batch to its events, publishes them in order, and
 * answers with `batchItemFailures` from the first record whose events could not be published (so
 * Lambda retries from there and the order per shard holds). A poison record is set aside and does
 * not hold up the records after it.
 */
export function createStreamHandler({ publisher, poison, log = defaultLog }: StreamHandlerDeps) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const events: DomainEvent[] = [];
    const recordOf: number[] = [];
    const poisoned: Array<{ index: number; reason: string }> = [];
    for (const [i, record] of event.Records.entries()) {
      try {
        for (const domainEvent of recordToEvents(record)) {
          events.push(domainEvent);
          recordOf.push(i);
        }
      } catch (error) {
        if (!(error instanceof PoisonRecordError)) throw error;
        poisoned.push({ index: i, reason: error.message });
      }
    }

    const { failed, calls } = await publisher.publish(events);
    const firstRecord = failed.length === 0 ? event.Records.length : recordOf[failed[0]!.index]!;
    // Records from the first failure on come again in the retry: set aside only the poison before it, once.
    for (const { index, reason } of poisoned.filter((p) => p.index < firstRecord)) {
      const record = event.Records[index]!;
      log({ level: 'ERROR', message: 'Poison stream record set aside', reason, eventID: record.eventID });
      await poison.put(record, reason);
    }
    if (failed.length === 0) {
      log({ level: 'INFO', message: 'Published', records: event.Records.length, events: events.length, calls });
      return { batchItemFailures: [] };
    }
    log({ level: 'WARN', message: 'Publishing failed; reporting from the first failed record', error: failed[0]!.error, firstRecord });
    const batchItemFailures = event.Records.slice(firstRecord)
      .map((record) => record.dynamodb?.SequenceNumber)
      .filter((sequence): sequence is string => Boolean(sequence))
      .map((itemIdentifier) => ({ itemIdentifier }));
    return { batchItemFailures };
  };
}
