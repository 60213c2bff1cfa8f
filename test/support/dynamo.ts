import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDocumentClient } from '#shared/aws/clients';
import { createTables } from '#shared/db/create-tables';
import { createCrmStores } from '#shared/stores/crm-stores';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AUTOMATIONS_TABLE, CRM_TABLE, EXECUTIONS_TABLE, TABLES, type TableDef } from '#infra/tables';
import { DEFAULT_RETENTION_DAYS } from '#shared/stores/retention';
import { runStores } from '#shared/wiring/clients';

process.env.AWS_REGION ??= 'eu-central-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';

/** Fresh tables (from the CDK definitions) in the run's DynamoDB Local, under a random prefix. */
export async function freshTables() {
  const endpoint = inject('dynamoEndpoint');
  const raw = new DynamoDBClient({ endpoint });
  const prefix = `t${randomBytes(4).toString('hex')}-`;
  const names = await createTables(raw, TABLES, prefix);
  const doc = createDocumentClient(raw);
  return { endpoint, raw, doc, prefix, names, crmTable: names[CRM_TABLE.envVar]! };
}

export async function freshStores() {
  const tables = await freshTables();
  return { ...tables, stores: createCrmStores(tables.doc, tables.crmTable) };
}

/** Fresh tables with what a run uses, built as the functions build them: the CRM's stores, the automations, their executions. */
export async function freshRunStores() {
  const tables = await freshTables();
  return { ...tables, ...runStoresOn(tables.doc, tables.names) };
}

/** What a run uses, as the functions build it (`runStores`), on tables named as `createTables` returns them. */
export function runStoresOn(doc: DynamoDBDocumentClient, names: Record<string, string>) {
  const table = (def: TableDef) => names[def.envVar] ?? `(no ${def.envVar})`;
  const env = { CRM_TABLE_NAME: table(CRM_TABLE), AUTOMATIONS_TABLE_NAME: table(AUTOMATIONS_TABLE), EXECUTIONS_TABLE_NAME: table(EXECUTIONS_TABLE), EXECUTION_RETENTION_DAYS: DEFAULT_RETENTION_DAYS };
  return runStores(env, doc);
}

/** A tenant id no other test uses. */
export function tenant(): string {
  return `t-${randomBytes(5).toString('hex')}`;
}
