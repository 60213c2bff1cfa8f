import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  TrimmedDataAccessException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type DynamoDBStreamsClient,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

export interface StreamPollerOptions {
  ddb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  tableName: string;
  handler: StreamHandler;
  /** Records per handler call, as the event source's batch size. @default 10 */
  batchSize?: number;
  /** Wait between empty polls of a shard. @default 100 */
  pollIntervalMs?: number;
  /** Retries of a failing batch before it is given up, as the event source's retryAttempts. @default 5 */
  retryAttempts?: number;
  log?: (line: string) => void;
}

/**
 * Plays Lambda's DynamoDB event source on this machine: follows every shard of the table's stream
 * (DescribeStream, GetShardIterator, GetRecords, NextShardIterator), calls the same handler with a
 * real DynamoDBStreamEvent in batches, and honours `batchItemFailures` by retrying from the first
 * failed record with backoff. A batch that still fails after the retries is set aside in `failed`
 * (the on-failure destination in AWS) and the shard moves on.
 */
export class StreamPoller {
  readonly failed: Array<{ records: DynamoDBRecord[]; error: string }> = [];
  private running = false;
  private streamArn = '';
  private readonly shards = new Map<string, Promise<void>>();
  private discovery?: Promise<void>;
  private inFlight = 0;

  constructor(private readonly options: StreamPollerOptions) {}

  async start(): Promise<void> {
    const { Table } = await this.options.ddb.send(new DescribeTableCommand({ TableName: this.options.tableName }));
    if (!Table?.LatestStreamArn) throw new Error(`Table ${this.options.tableName} has no stream`);
    this.streamArn = Table.LatestStreamArn;
    this.running = true;
    // Shards open now are read from their tip; shards that appear later from their start.
    await this.discover('LATEST');
    this.discovery = this.discoverLoop();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.discovery;
    await Promise.all(this.shards.values());
  }

  /** True when no batch is being handled (tests poll it to wait for quiet). */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  private async discoverLoop(): Promise<void> {
    while (this.running) {
      await sleep(1_000);
      if (this.running) await this.discover('TRIM_HORIZON').catch((e) => this.options.log?.(`[stream] discovery failed: ${String(e)}`));
    }
  }

  private async discover(type: ShardIteratorType): Promise<void> {
    let exclusiveStart: string | undefined;
    do {
      const { StreamDescription } = await this.options.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: exclusiveStart }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
        const closed = Boolean(shard.SequenceNumberRange?.EndingSequenceNumber);
        if (closed && type === 'LATEST') {
          this.shards.set(shard.ShardId, Promise.resolve());
          continue;
        }
        this.shards.set(shard.ShardId, this.follow(shard.ShardId, type));
      }
      exclusiveStart = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStart);
  }

  private async follow(shardId: string, type: ShardIteratorType): Promise<void> {
    const iteratorFor = async (t: ShardIteratorType, after?: string) =>
      (
        await this.options.streams.send(
          new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: t, SequenceNumber: after }),
        )
      ).ShardIterator;
    let iterator = await iteratorFor(type);
    let lastSequence: string | undefined;
    while (this.running && iterator) {
      let result;
      try {
        result = await this.options.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize ?? 10 }));
      } catch (error) {
        if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
          // DynamoDB Local expires iterators and trims shards under load: carry on after the last
          // record handled (or from the oldest one kept; the engine's claims absorb repeats).
          iterator = await iteratorFor(lastSequence ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON', lastSequence).catch(() => iteratorFor('TRIM_HORIZON'));
          this.options.log?.(`[stream] ${(error as Error).name}; continuing ${lastSequence ? `after ${lastSequence}` : 'from the oldest record'}`);
          continue;
        }
        this.options.log?.(`[stream] GetRecords failed: ${String(error)}`);
        await sleep(500);
        continue;
      }
      const records = (result.Records ?? []).map((r) => this.toLambdaRecord(r));
      if (records.length > 0) {
        await this.process(records);
        lastSequence = records.at(-1)!.dynamodb!.SequenceNumber;
      } else {
        await sleep(this.options.pollIntervalMs ?? 100);
      }
      iterator = result.NextShardIterator;
    }
  }

  private async process(records: DynamoDBRecord[]): Promise<void> {
    this.inFlight++;
    try {
      let remaining = records;
      const attempts = (this.options.retryAttempts ?? 5) + 1;
      for (let attempt = 1; remaining.length > 0; attempt++) {
        let failedFrom: number;
        let error = '';
        try {
          const response = await this.options.handler({ Records: remaining });
          const failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
          failedFrom = remaining.findIndex((r) => failedIds.has(r.dynamodb?.SequenceNumber ?? ''));
          error = 'reported in batchItemFailures';
        } catch (thrown) {
          failedFrom = 0;
          error = String(thrown);
        }
        if (failedFrom < 0) return;
        remaining = remaining.slice(failedFrom);
        if (attempt >= attempts) {
          this.failed.push({ records: remaining, error });
          this.options.log?.(`[stream] ${remaining.length} record(s) failed ${attempt} times, set aside: ${error}`);
          return;
        }
        await sleep(Math.min(200 * 2 ** (attempt - 1), 5_000));
      }
    } finally {
      this.inFlight--;
    }
  }

  private toLambdaRecord(record: _Record): DynamoDBRecord {
    const { dynamodb } = record;
    return {
      eventID: record.eventID,
      eventName: record.eventName as DynamoDBRecord['eventName'],
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: record.awsRegion,
      eventSourceARN: this.streamArn,
      dynamodb: {
        ApproximateCreationDateTime: dynamodb?.ApproximateCreationDateTime ? Math.floor(dynamodb.ApproximateCreationDateTime.getTime() / 1000) : undefined,
        Keys: dynamodb?.Keys as never,
        NewImage: dynamodb?.NewImage as never,
        OldImage: dynamodb?.OldImage as never,
        SequenceNumber: dynamodb?.SequenceNumber,
        SizeBytes: dynamodb?.SizeBytes,
        StreamViewType: dynamodb?.StreamViewType as never,
      },
    };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
