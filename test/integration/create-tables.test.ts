import { DescribeTableCommand, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
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
    const TableName = `${prefix}${EXECUTIONS_TABLE.id}`;
    await client.send(new PutItemCommand({ TableName, Item: { PK: { S: 't#EXECUTION#x1' }, SK: { S: 'ENTITY' }, GSI4PK: { S: 't#CONTACT#c1#EXECUTION' }, GSI4SK: { S: '2026-11-27#x1' } } }));
    const before = await client.send(new DescribeTableCommand({ TableName: `${prefix}${EXECUTIONS_TABLE.id}` }));
    expect(before.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['GSI1', 'GSI2', 'GSI3', 'GSI5', 'GSI6']);

    await createTables(client, [EXECUTIONS_TABLE], prefix);
    const after = await client.send(new DescribeTableCommand({ TableName: `${prefix}${EXECUTIONS_TABLE.id}` }));
    const indexes = after.Table?.GlobalSecondaryIndexes ?? [];
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5', 'GSI6']);
    expect(indexes.find((i) => i.IndexName === 'GSI4')?.IndexStatus).toBe('ACTIVE');
    const listed = await client.send(new QueryCommand({ TableName, IndexName: 'GSI4', KeyConditionExpression: 'GSI4PK = :p', ExpressionAttributeValues: { ':p': { S: 't#CONTACT#c1#EXECUTION' } } }));
    expect(listed.Items?.map((i) => i.PK?.S)).toEqual(['t#EXECUTION#x1']);
  }, 150_000); // DynamoDB Local adds an index in about a second alone, up to a minute while the whole suite runs on it
});
