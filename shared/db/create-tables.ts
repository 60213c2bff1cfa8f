import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type AttributeDefinition,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { TableDef } from '#infra/tables';

/**
 * Creates the tables described by `infra/tables.ts` (the same definitions the CDK stack deploys)
 * in a DynamoDB endpoint, for the local stack and the integration tests. Existing tables are kept.
 * Returns each table's env var and physical name.
 */
export async function createTables(client: DynamoDBClient, defs: readonly TableDef[], prefix = ''): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const def of defs) {
    const tableName = `${prefix}${def.id}`;
    names[def.envVar] = tableName;
    const attributes = new Map<string, AttributeDefinition>();
    const keyAttrs = [def.partitionKey, def.sortKey, ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
    for (const name of keyAttrs) if (name) attributes.set(name, { AttributeName: name, AttributeType: 'S' });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...attributes.values()],
          KeySchema: keySchema(def),
          ...(def.indexes.length
            ? {
                GlobalSecondaryIndexes: def.indexes.map((index) => ({
                  IndexName: index.indexName,
                  KeySchema: keySchema(index),
                  Projection: { ProjectionType: index.projection },
                })),
              }
            : {}),
          ...(def.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } } : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      await addMissingIndexes(client, tableName, def, [...attributes.values()]);
      continue;
    }
    await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
    if (def.ttlAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: def.ttlAttribute } }),
      );
    }
  }
  return names;
}

/**
 * A table kept from an earlier run (the local stack's data folder) gains the indexes added to its
 * definition since, one at a time as DynamoDB requires, as a CDK deploy would add them.
 */
async function addMissingIndexes(client: DynamoDBClient, tableName: string, def: TableDef, attributes: AttributeDefinition[]): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of def.indexes.filter((i) => !existing.has(i.indexName))) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributes,
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.indexName, KeySchema: keySchema(index), Projection: { ProjectionType: index.projection } } }],
      }),
    );
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { Table: now } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (now?.GlobalSecondaryIndexes?.find((g) => g.IndexName === index.indexName)?.IndexStatus === 'ACTIVE') break;
      if (Date.now() > deadline) throw new Error(`${tableName}: the index ${index.indexName} did not become active within 2 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function keySchema(def: { partitionKey: string; sortKey?: string }) {
  return [
    { AttributeName: def.partitionKey, KeyType: 'HASH' as const },
    ...(def.sortKey ? [{ AttributeName: def.sortKey, KeyType: 'RANGE' as const }] : []),
  ];
}
