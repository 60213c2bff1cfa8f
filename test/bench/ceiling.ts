import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '#shared/aws/clients';
import { round } from './support.ts';

export interface Ceiling {
  concurrency: number;
  operations: number;
  putsPerSec: number;
  queriesPerSec: number;
}

/** Runs `operations` calls of `work`, `concurrency` at a time; calls per second. */
async function throughput(operations: number, concurrency: number, work: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < operations) await work(next++);
    }),
  );
  return operations / ((performance.now() - started) / 1000);
}

/**
 * Section 6a: what this machine's DynamoDB Local allows, measured just before the pipeline runs on
 * it, at the pipeline's concurrency and with the stack's client settings: puts of contact-sized
 * items into CrmTable (its stream on; the items are no entity, so they raise no event) and queries
 * of a small partition of its GSI1, as the runner's query of the enabled automations is.
 */
export async function dynamoCeiling(endpoint: string, crmTable: string, operations: number, concurrency: number): Promise<Ceiling> {
  const raw = new DynamoDBClient({ endpoint });
  const doc = createDocumentClient(raw);
  const partition = 'bench-ceiling#ITEM';
  const item = (i: number) => ({
    PK: `bench-ceiling#ITEM#${i}`, SK: 'ENTITY', GSI1PK: partition, GSI1SK: String(i).padStart(8, '0'),
    lastName: `Kontakt ${i}`, email: `kontakt${i}@bench.example`, status: 'Interessent', newsletter: false, createdAt: new Date().toISOString(),
  });
  const puts = await throughput(operations, concurrency, (i) => doc.send(new PutCommand({ TableName: crmTable, Item: item(i) })));
  const queries = await throughput(operations, concurrency, () =>
    doc.send(new QueryCommand({ TableName: crmTable, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :p', ExpressionAttributeValues: { ':p': partition }, Limit: 5 })),
  );
  raw.destroy();
  return { concurrency, operations, putsPerSec: round(puts, 0), queriesPerSec: round(queries, 0) };
}

/**
 * The ceiling for the pipeline's own mix of requests: the rate at which this DynamoDB Local serves
 * writes and reads in the proportion the pipeline makes them (each write at the put rate, each read
 * at the query rate).
 */
export function mixedCeiling(ceiling: Ceiling, writeShare: number): number {
  return 1 / (writeShare / ceiling.putsPerSec + (1 - writeShare) / ceiling.queriesPerSec);
}
