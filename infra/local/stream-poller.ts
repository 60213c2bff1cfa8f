import { readFileSync } from 'node:fs';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  TrimmedDataAccessException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record,
  type DynamoDBStreamsClient,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { AtomicJsonFile, appendJsonLines } from './durable-file.ts';

// biome-ignore lint/suspicious/noConfusingVoidType: a handler with nothing to report returns nothing, as Lambda's stream handlers may.
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
  /**
   * Where each shard's last handled sequence number is kept (JSON, rewritten atomically after
   * every batch), so a restart resumes right after it. Without it, reading starts at the stream's
   * tip and whatever was not handled before a stop is skipped.
   */
  checkpointFile?: string;
  /** Where batches given up after the retries are appended (JSON lines), as the on-failure destination. */
  failedFile?: string;
  log?: (line: string) => void;
}

/** The checkpoint file's content. */
export interface StreamCheckpoints {
  /** The stream the sequence numbers belong to; a file for another stream (a new table) is ignored. */
  streamArn: string;
  /** Per shard, the sequence number of the last record handled (published, or set aside). */
  shards: Record<string, string>;
  updatedAt?: string;
}

type StartAt = { after: string } | { iterator: string | undefined; after?: string } | 'TRIM_HORIZON';

/**
 * Plays Lambda's DynamoDB event source on this machine: follows every shard of the table's stream
 * (DescribeStream, GetShardIterator, GetRecords, NextShardIterator; a child shard after its
 * parent), calls the same handler with a real DynamoDBStreamEvent in batches, and honours
 * `batchItemFailures` by retrying from the first failed record with backoff. A batch that still
 * fails after the retries is set aside in `failed` (the on-failure destination in AWS) and the
 * shard moves on.
 *
 * With a `checkpointFile` nothing handled is lost or skipped across a restart or a crash: after
 * each batch the shard's last sequence number is written, and a start resumes after it. A shard
 * without a checkpoint is read from its oldest record (TRIM_HORIZON), except on the very first
 * start on a stream (no checkpoint file for it yet), where the shards open then are taken from
 * their tip, as a new event source mapping at LATEST would: an existing data folder does not
 * replay its history. A crash between a publish and its checkpoint republishes that batch; the
 * events keep their keys, and the engine's claims run each automation once per key.
 */
export class StreamPoller {
  readonly failed: Array<{ records: DynamoDBRecord[]; error: string }> = [];
  private running = false;
  private streamArn = '';
  private readonly shards = new Map<string, Promise<void>>();
  private discovery?: Promise<void>;
  private inFlight = 0;
  private checkpoints: Record<string, string> = {};
  private checkpointFile?: AtomicJsonFile<StreamCheckpoints>;
  /** Sees each batch as it is read, before the handler: the bench times the pipeline's hops by it. */
  onBatchRead?: (records: readonly DynamoDBRecord[]) => void;

  constructor(private readonly options: StreamPollerOptions) {}

  async start(): Promise<void> {
    const { Table } = await this.options.ddb.send(new DescribeTableCommand({ TableName: this.options.tableName }));
    if (!Table?.LatestStreamArn) throw new Error(`Table ${this.options.tableName} has no stream`);
    this.streamArn = Table.LatestStreamArn;
    this.running = true;
    const saved = this.options.checkpointFile ? readCheckpoints(this.options.checkpointFile, this.streamArn) : undefined;
    this.checkpoints = { ...saved?.shards };
    if (this.options.checkpointFile) {
      this.checkpointFile = new AtomicJsonFile(this.options.checkpointFile, () => ({ streamArn: this.streamArn, shards: { ...this.checkpoints }, updatedAt: new Date().toISOString() }));
    }
    // Without checkpoints, or on the first start on this stream: shards open now from their tip.
    await this.discover(saved ? 'TRIM_HORIZON' : this.checkpointFile ? 'TIP' : 'LATEST');
    // From now on the file exists for this stream, so a shard that appears later is read from its start.
    await this.checkpointFile?.save();
    this.discovery = this.discoverLoop();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.discovery;
    await Promise.all(this.shards.values());
    await this.checkpointFile?.save();
  }

  /** True when no batch is being handled (tests poll it to wait for quiet). */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** The last handled sequence number of each shard, as checkpointed. */
  positions(): Record<string, string> {
    return { ...this.checkpoints };
  }

  private async discoverLoop(): Promise<void> {
    while (this.running) {
      await sleep(1_000);
      if (this.running) await this.discover('TRIM_HORIZON').catch((e) => this.options.log?.(`[stream] discovery failed: ${String(e)}`));
    }
  }

  /** Starts following every shard not followed yet; `unknown` says where a shard without checkpoint starts. */
  private async discover(unknown: 'TRIM_HORIZON' | 'LATEST' | 'TIP'): Promise<void> {
    let exclusiveStart: string | undefined;
    const listed = new Set<string>();
    do {
      const { StreamDescription } = await this.options.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: exclusiveStart }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (!shard.ShardId) continue;
        listed.add(shard.ShardId);
        if (this.shards.has(shard.ShardId)) continue;
        const checkpoint = this.checkpoints[shard.ShardId];
        const closed = Boolean(shard.SequenceNumberRange?.EndingSequenceNumber);
        if (!checkpoint && closed && unknown !== 'TRIM_HORIZON') {
          this.shards.set(shard.ShardId, Promise.resolve());
          continue;
        }
        // The tip is found before start() returns, so no write made after it is skipped or taken for history.
        const startAt: StartAt = checkpoint
          ? { after: checkpoint }
          : unknown === 'TIP'
            ? await this.tipOf(shard.ShardId)
            : unknown === 'LATEST'
              ? { iterator: (await this.options.streams.send(new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shard.ShardId, ShardIteratorType: 'LATEST' }))).ShardIterator }
              : unknown;
        if (checkpoint) this.options.log?.(`[stream] shard ${shard.ShardId} resumes after ${checkpoint}`);
        // Records of a key move from a parent shard to its child: the child waits for the parent.
        const parent = shard.ParentShardId ? this.shards.get(shard.ParentShardId) : undefined;
        const shardId = shard.ShardId;
        this.shards.set(shardId, (parent ?? Promise.resolve()).then(() => this.follow(shardId, startAt)));
      }
      exclusiveStart = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStart);
    // Checkpoints of shards the stream no longer has (trimmed away) are dropped.
    for (const shardId of Object.keys(this.checkpoints)) if (!listed.has(shardId)) delete this.checkpoints[shardId];
  }

  private async follow(shardId: string, startAt: StartAt): Promise<void> {
    const iteratorFor = async (t: ShardIteratorType, after?: string) =>
      (
        await this.options.streams.send(
          new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: t, SequenceNumber: after }),
        )
      ).ShardIterator;
    let lastSequence = typeof startAt === 'object' ? startAt.after : undefined;
    /** After the last record handled; from the oldest one kept when there is none or it was trimmed. */
    const resume = () =>
      iteratorFor(lastSequence ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON', lastSequence).catch((error) => {
        if (lastSequence) this.options.log?.(`[stream] cannot resume ${shardId} after ${lastSequence} (${(error as Error).name}); reading from the oldest record kept`);
        return iteratorFor('TRIM_HORIZON');
      });
    let iterator: string | undefined;
    try {
      if (typeof startAt === 'object' && 'iterator' in startAt) iterator = startAt.iterator;
      else iterator = startAt === 'TRIM_HORIZON' ? await iteratorFor(startAt) : await resume();
    } catch (error) {
      this.options.log?.(`[stream] cannot read shard ${shardId}: ${String(error)}`);
      return;
    }
    while (this.running && iterator) {
      let result: GetRecordsCommandOutput;
      try {
        result = await this.options.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize ?? 10 }));
      } catch (error) {
        if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
          // DynamoDB Local expires iterators and trims shards under load: carry on after the last
          // record handled (or from the oldest one kept; the engine's claims absorb repeats).
          iterator = await resume().catch(() => undefined);
          this.options.log?.(`[stream] ${(error as Error).name}; continuing ${lastSequence ? `after ${lastSequence}` : 'from the oldest record'}`);
          if (!iterator) await sleep(500);
          iterator ??= await resume().catch(() => undefined);
          continue;
        }
        this.options.log?.(`[stream] GetRecords failed: ${String(error)}`);
        await sleep(500);
        continue;
      }
      // A re-acquired iterator may hand back records already handled: they are left out.
      const records = (result.Records ?? []).filter((r) => !lastSequence || isAfter(r.dynamodb?.SequenceNumber, lastSequence)).map((r) => this.toLambdaRecord(r));
      if (records.length > 0) {
        await this.process(records);
        lastSequence = records.at(-1)!.dynamodb!.SequenceNumber!;
        await this.checkpoint(shardId, lastSequence);
      } else if ((result.Records ?? []).length === 0) {
        await sleep(this.options.pollIntervalMs ?? 100);
      }
      iterator = result.NextShardIterator;
    }
  }

  /** Reads a shard to its end without handling anything: its tip, checkpointed. */
  private async tipOf(shardId: string): Promise<{ iterator: string | undefined; after?: string }> {
    let iterator = (await this.options.streams.send(new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    let lastSequence: string | undefined;
    while (iterator) {
      const result = await this.options.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1_000 }));
      const records = result.Records ?? [];
      // Iterators are used once: go on with the next one, also after the empty page at the end.
      iterator = result.NextShardIterator;
      if (records.length === 0) break;
      lastSequence = records.at(-1)!.dynamodb?.SequenceNumber ?? lastSequence;
    }
    if (lastSequence) {
      this.options.log?.(`[stream] first start on this stream: shard ${shardId} taken from its tip (after ${lastSequence})`);
      await this.checkpoint(shardId, lastSequence);
    }
    return { iterator, ...(lastSequence ? { after: lastSequence } : {}) };
  }

  private async checkpoint(shardId: string, sequence: string): Promise<void> {
    this.checkpoints[shardId] = sequence;
    try {
      await this.checkpointFile?.save();
    } catch (error) {
      // The next batch tries again; until then a restart would repeat a batch, never skip one.
      this.options.log?.(`[stream] checkpoint not written: ${String(error)}`);
    }
  }

  private async process(records: DynamoDBRecord[]): Promise<void> {
    this.onBatchRead?.(records);
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
          if (this.options.failedFile) await appendJsonLines(this.options.failedFile, [{ at: new Date().toISOString(), error, records: remaining }], this.options.log);
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

/** The checkpoints saved for `streamArn`, if the file holds that stream's. */
export function readCheckpoints(file: string, streamArn: string): StreamCheckpoints | undefined {
  let parsed: StreamCheckpoints;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as StreamCheckpoints;
  } catch {
    return undefined;
  }
  if (parsed?.streamArn !== streamArn || typeof parsed.shards !== 'object' || parsed.shards === null) return undefined;
  const shards = Object.fromEntries(Object.entries(parsed.shards).filter(([, sequence]) => typeof sequence === 'string' && /^\d+$/.test(sequence)));
  return { streamArn, shards };
}

/** Sequence numbers are decimal strings of growing value (not always of one length). */
function isAfter(sequence: string | undefined, than: string): boolean {
  if (!sequence || !/^\d+$/.test(sequence) || !/^\d+$/.test(than)) return true;
  return BigInt(sequence) > BigInt(than);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
