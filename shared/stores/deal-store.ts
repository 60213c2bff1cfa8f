import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EntityTable } from '../db/entity-table.ts';
import { childListKey, entityKey } from '../db/keys.ts';
import type { Transaction } from '../db/transaction.ts';
import { ConflictError } from '../errors.ts';
import { Deal, type DealInput } from '../model/deal.ts';
import { archivedFilter, DynamoStore, type ArchivedFilter, type Page, type PageRequest, type UpdateOptions, type WriteOptions, type WriteStore } from './store.ts';

export interface DealListQuery extends PageRequest {
  contactId?: string;
  propertyId?: string;
  stage?: string;
  archived?: ArchivedFilter;
}

export interface DealStore extends WriteStore<Deal, DealInput> {
  list(tenantId: string, query?: DealListQuery): Promise<Page<Deal>>;
  /** Adds a stage change of `deal` to a transaction (used when an Absage moves a deal to "Abgesagt"). */
  moveInTransaction(tx: Transaction, deal: Deal, stage: string): void;
}

export class DynamoDealStore extends DynamoStore<Deal> implements DealStore {
  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(
      new EntityTable<Deal>(client, tableName, {
        kind: 'DEAL',
        label: 'deal',
        schema: Deal,
        // One deal per contact and property in a pipeline: a second inquiry finds the first deal.
        uniques: (d) => [{ name: 'deal', value: `${d.pipelineId}:${d.contactId}:${d.propertyId}`, field: 'propertyId' }],
        indexKeys: (d) => ({
          GSI2PK: childListKey(d.tenantId, 'CONTACT', d.contactId, 'DEAL'),
          GSI2SK: d.id,
          GSI3PK: childListKey(d.tenantId, 'PROPERTY', d.propertyId, 'DEAL'),
          GSI3SK: d.id,
        }),
      }),
    );
  }

  create(tenantId: string, input: DealInput, options?: WriteOptions): Promise<Deal> {
    return this.table.create(tenantId, input, options);
  }

  update(tenantId: string, id: string, patch: Record<string, unknown>, version: number, options?: UpdateOptions<Deal>): Promise<Deal> {
    return this.table.update(tenantId, id, patch, version, options);
  }

  moveInTransaction(tx: Transaction, deal: Deal, stage: string): void {
    tx.update(entityKey(deal.tenantId, 'DEAL', deal.id), {
      set: 'SET stage = :stage, version = version + :one, updatedAt = :now REMOVE causedBy',
      expression: 'version = :expected',
      values: { ':stage': stage, ':one': 1, ':now': new Date().toISOString(), ':expected': deal.version },
      onFail: () => new ConflictError('version_conflict', `The deal ${deal.id} was changed meanwhile; try again`),
    });
  }

  async list(tenantId: string, query: DealListQuery = {}): Promise<Page<Deal>> {
    const { contactId, propertyId, stage, archived, ...page } = query;
    const filters = { archived: archivedFilter(archived), stage };
    if (contactId) return this.listChildren(tenantId, 'GSI2', 'CONTACT', contactId, page, { ...filters, propertyId });
    if (propertyId) return this.listChildren(tenantId, 'GSI3', 'PROPERTY', propertyId, page, filters);
    return this.listAll(tenantId, page, filters);
  }
}

