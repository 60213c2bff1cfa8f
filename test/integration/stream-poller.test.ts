import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamPoller, type StreamCheckpoints } from '#infra/local/stream-poller';
import { freshTables } from '../support/dynamo.ts';
import { waitFor } from '../support/wait.ts';

type Tables = Awaited<ReturnType<typeof freshTables>>;
const pollers: StreamPoller[] = [];
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

/** A poller on the table's stream that records the keys it was handed, in order. */
async function poller(tables: Tables, checkpointFile: string | undefined, options: { handler?: (records: DynamoDBRecord[]) => Promise<void>; retryAttempts?: number; failedFile?: string } = {}) {
  const seen: string[] = [];
  const created = new StreamPoller({
    ddb: tables.raw,
    streams: new DynamoDBStreamsClient({ endpoint: tables.endpoint }),
    tableName: tables.crmTable,
    pollIntervalMs: 20,
    ...(checkpointFile ? { checkpointFile } : {}),
    ...(options.failedFile ? { failedFile: options.failedFile } : {}),
    ...(options.retryAttempts !== undefined ? { retryAttempts: options.retryAttempts } : {}),
    handler: async (event) => {
      await options.handler?.(event.Records);
      for (const record of event.Records) seen.push(record.dynamodb!.Keys!.PK!.S!);
    },
  });
  pollers.push(created);
  await created.start();
  return { poller: created, seen };
}

const write = async (tables: Tables, keys: string[]) => {
  for (const key of keys) await tables.raw.send(new PutItemCommand({ TableName: tables.crmTable, Item: { PK: { S: key }, SK: { S: 'ENTITY' } } }));
};
const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const until = (seen: string[], n: number) => waitFor(() => (seen.length >= n ? true : undefined), `${n} records`, 15_000);
const file = () => join(mkdtempSync(join(tmpdir(), 'crm-stream-')), 'checkpoint.json');
const streamArnOf = async (tables: Tables) => (await tables.raw.send(new DescribeTableCommand({ TableName: tables.crmTable }))).Table!.LatestStreamArn!;
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as StreamCheckpoints;

describe('the local stream poller', () => {
  it('checkpoints every batch, and a restart resumes right after the last record handled', async () => {
    const tables = await freshTables();
    const checkpoints = file();
    const first = await poller(tables, checkpoints);
    await write(tables, keys('a', 25));
    await until(first.seen, 25);
    await first.poller.stop();
    const saved = read(checkpoints);
    expect(saved.streamArn).toBe(await streamArnOf(tables));
    expect(Object.values(saved.shards)).toEqual([Object.values(first.poller.positions())[0]]);

    await write(tables, keys('b', 7));
    const second = await poller(tables, checkpoints);
    await until(second.seen, 7);
    await new Promise((r) => setTimeout(r, 300));
    expect(first.seen).toEqual(keys('a', 25));
    expect(second.seen).toEqual(keys('b', 7));
  });

  it('repeats, never skips, what was handled after the checkpoint on disk (a crash before it was written)', async () => {
    const tables = await freshTables();
    const checkpoints = file();
    const sequences: string[] = [];
    const first = await poller(tables, checkpoints, { handler: async (records) => void sequences.push(...records.map((r) => r.dynamodb!.SequenceNumber!)) });
    await write(tables, keys('c', 12));
    await until(first.seen, 12);
    await first.poller.stop();
    // The file as it was after the 5th record: the 7 after it were published, their checkpoint lost.
    const saved = read(checkpoints);
    const [shard] = Object.keys(saved.shards);
    writeFileSync(checkpoints, JSON.stringify({ ...saved, shards: { [shard!]: sequences[4] } }));
    const second = await poller(tables, checkpoints);
    await until(second.seen, 7);
    await new Promise((r) => setTimeout(r, 300));
    expect(second.seen).toEqual(keys('c', 12).slice(5));
  });

  it('takes a stream it has no checkpoint file for from its tip, and a shard the file does not name from its oldest record', async () => {
    const tables = await freshTables();
    await write(tables, keys('old', 5));
    const checkpoints = file();
    const first = await poller(tables, checkpoints);
    await write(tables, ['new0', 'new1']);
    await until(first.seen, 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(first.seen).toEqual(['new0', 'new1']);
    await first.poller.stop();

    // A file for another stream (a table made again) counts as none: from the tip again.
    writeFileSync(checkpoints, JSON.stringify({ streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/gone/stream/x', shards: { 'shardId-x': '1' } }));
    const other = await poller(tables, checkpoints);
    await write(tables, ['new2']);
    await until(other.seen, 1);
    expect(other.seen).toEqual(['new2']);
    await other.poller.stop();

    // The stream known, its shard not named: everything the shard holds.
    writeFileSync(checkpoints, JSON.stringify({ streamArn: await streamArnOf(tables), shards: {} }));
    const known = await poller(tables, checkpoints);
    await until(known.seen, 8);
    expect(known.seen).toEqual([...keys('old', 5), 'new0', 'new1', 'new2']);
  });

  it('without a checkpoint file, reads from the tip on every start, as before', async () => {
    const tables = await freshTables();
    await write(tables, keys('x', 3));
    const plain = await poller(tables, undefined);
    await write(tables, ['y0']);
    await until(plain.seen, 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(plain.seen).toEqual(['y0']);
  });

  it('sets a batch that keeps failing aside, in the failed file, and moves on past it', async () => {
    const tables = await freshTables();
    const checkpoints = file();
    const failedFile = join(checkpoints, '..', 'failed.ndjson');
    const { poller: p, seen } = await poller(tables, checkpoints, {
      retryAttempts: 1,
      failedFile,
      handler: async (records) => {
        if (records.some((r) => r.dynamodb!.Keys!.PK!.S === 'poison')) throw new Error('cannot publish');
      },
    });
    await write(tables, ['poison']);
    await waitFor(() => (p.failed.length > 0 ? true : undefined), 'the batch set aside', 15_000);
    await write(tables, ['after']);
    await until(seen, 1);
    expect(seen).toEqual(['after']);
    const kept = readFileSync(failedFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(kept).toEqual([expect.objectContaining({ error: 'Error: cannot publish', records: [expect.objectContaining({ dynamodb: expect.objectContaining({ Keys: { PK: { S: 'poison' }, SK: { S: 'ENTITY' } } }) })] })]);
    await p.stop();
    const again = await poller(tables, checkpoints);
    await new Promise((r) => setTimeout(r, 500));
    expect(again.seen).toEqual([]);
  });
});
