import type { TableVariable } from '#shared/wiring/env';

/**
 * Table definitions: the single source for the CDK stack (infra/constructs/data.ts) and for the
 * tables the local stack and the integration tests create (shared/db/create-tables.ts).
 * Plain data, no CDK import, so that tests and the local stack load it cheaply.
 */

export interface KeySchemaDef {
  partitionKey: string;
  sortKey?: string;
}

export interface IndexDef extends KeySchemaDef {
  indexName: string;
  /** `ALL` copies whole items; `KEYS_ONLY` keeps the index lean where the caller reads the item. */
  projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableDef extends KeySchemaDef {
  /** Logical id in CDK and the default physical name prefix locally. */
  id: string;
  /** Environment variable that carries the physical table name to the functions. */
  envVar: TableVariable;
  indexes: IndexDef[];
  stream?: 'NEW_AND_OLD_IMAGES';
  /** Attribute holding an epoch-seconds expiry, if items expire. */
  ttlAttribute?: string;
}

/**
 * CrmTable: one table for every CRM entity of every tenant. Every key begins with the tenant id.
 *
 * - `PK`/`SK`: the item itself (`<tenant>#<KIND>#<id>` / `ENTITY`), link items beside it, and
 *   uniqueness items (`<tenant>#UNIQUE#<name>#<value>` / `UNIQUE`).
 * - `GSI1`: every kind per tenant, newest first (the sort key is a ULID).
 * - `GSI2`: children by their first parent: deals, rejections and activities by contact, tasks by assignee.
 * - `GSI3`: children by their second parent: deals and activities by property, tasks by state.
 * - `BirthdayIndex`: sparse; only contacts with a birthday that are not archived carry `BDAY`, their
 *   birthday's month-day in one of its shards (`birthdayIndexKey` in shared/db/keys.ts).
 */
export const CRM_TABLE: TableDef = {
  id: 'CrmTable',
  envVar: 'CRM_TABLE_NAME',
  partitionKey: 'PK',
  sortKey: 'SK',
  stream: 'NEW_AND_OLD_IMAGES',
  indexes: [
    { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'ALL' },
    { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK', projection: 'ALL' },
    { indexName: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK', projection: 'ALL' },
    { indexName: 'BirthdayIndex', partitionKey: 'BDAY', sortKey: 'BDAYSK', projection: 'ALL' },
  ],
};

/**
 * AutomationsTable: automation definitions per tenant. `GSI1` lists a tenant's automations newest
 * first; the sparse `EnabledIndex` holds only enabled automations under `<tenant>#<eventType>`, so a
 * runner loads exactly its candidates with one query.
 */
export const AUTOMATIONS_TABLE: TableDef = {
  id: 'AutomationsTable',
  envVar: 'AUTOMATIONS_TABLE_NAME',
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: [
    { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'ALL' },
    { indexName: 'EnabledIndex', partitionKey: 'TRIGGER', sortKey: 'TRIGGERSK', projection: 'ALL' },
  ],
};

/**
 * ExecutionsTable: one record per run (skipped runs included) and the claims that make each
 * (automation, event) run at most once. `GSI1` per tenant, `GSI2` per automation, `GSI3` per tenant
 * and status, and the sparse `GSI4` per contact (only runs that acted on a contact carry its key),
 * all newest first. Everything expires (TTL) after the retention, 90 days by default.
 */
export const EXECUTIONS_TABLE: TableDef = {
  id: 'ExecutionsTable',
  envVar: 'EXECUTIONS_TABLE_NAME',
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'expiresAt',
  indexes: [
    { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'ALL' },
    { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK', projection: 'ALL' },
    { indexName: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK', projection: 'ALL' },
    { indexName: 'GSI4', partitionKey: 'GSI4PK', sortKey: 'GSI4SK', projection: 'ALL' },
    // Sparse: waiting runs only, by automation and by the record their wait follows.
    { indexName: 'GSI5', partitionKey: 'GSI5PK', sortKey: 'GSI5SK', projection: 'ALL' },
    { indexName: 'GSI6', partitionKey: 'GSI6PK', sortKey: 'GSI6SK', projection: 'ALL' },
  ],
};

export const TABLES: readonly TableDef[] = [CRM_TABLE, AUTOMATIONS_TABLE, EXECUTIONS_TABLE];
