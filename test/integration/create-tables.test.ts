import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { createTables } from '#shared/db/create-tables';
import { EXECUTIONS_TABLE } from '#infra/tables';
import '../support/dynamo.ts';

describe('creating the tables', () => {
  it('adds the indexes a kept table lacks, as a deploy would, and keeps its items', async () => {
    const client = new DynamoDBClient({ endpoint: inject('dynamoEndpoint') });
    const prefix = `c${randomBytes(4).toString('hex')}-`;
    const older = { ...EXECUTIONS_TABLE, indexes: EXECUTIONS_TABLE.indexes.filter((i) => i.indexName !== 'GSI4') };
    await createTables(client, [older], prefix);
    const before = await client.send(new DescribeTableCommand({ TableName: `${prefix}${EXECUTIONS_TABLE.id}` }));
    expect(before.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['GSI1', 'GSI2', 'GSI3']);

    await createTables(client, [EXECUTIONS_TABLE], prefix);
    const after = await client.send(new DescribeTableCommand({ TableName: `${prefix}${EXECUTIONS_TABLE.id}` }));
    const indexes = after.Table?.GlobalSecondaryIndexes ?? [];
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(['GSI1', 'GSI2', 'GSI3', 'GSI4']);
    expect(indexes.find((i) => i.IndexName === 'GSI4')?.IndexStatus).toBe('ACTIVE');
  });
});
