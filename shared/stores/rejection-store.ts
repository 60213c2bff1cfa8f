import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EntityTable } from '../db/entity-table.ts';
import { childListKey } from '../db/keys.ts';
import { Rejection, type RejectionInput } from '../model/rejection.ts';
import { DynamoStore, type Page, type PageRequest, type ReadStore, type WriteOptions } from './store.ts';

export interface RejectionListQuery extends PageRequest {
  contactId?: string;
  propertyId?: string;
}

/** Absagen are recorded, never changed. */
export interface RejectionStore extends ReadStore<Rejection> {
  /** Records the Absage; `alsoIn` lets the caller move the deal in the same transaction. */
  create(tenantId: string, input: RejectionInput, options?: WriteOptions): Promise<Rejection>;
  list(tenantId: string, query?: RejectionListQuery): Promise<Page<Rejection>>;
}

export class DynamoRejectionStore extends DynamoStore<Rejection> implements RejectionStore {
  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(
      new EntityTable<Rejection>(client, tableName, {
        kind: 'REJECTION',
        label: 'rejection',
        schema: Rejection,
        indexKeys: (r) => ({
          GSI2PK: childListKey(r.tenantId, 'CONTACT', r.contactId, 'REJECTION'),
          GSI2SK: r.id,
          GSI3PK: r.propertyId ? childListKey(r.tenantId, 'PROPERTY', r.propertyId, 'REJECTION') : undefined,
          GSI3SK: r.propertyId ? r.id : undefined,
        }),
      }),
    );
  }

  create(tenantId: string, input: RejectionInput, options?: WriteOptions): Promise<Rejection> {
    return this.table.create(tenantId, input, options);
  }

  list(tenantId: string, query: RejectionListQuery = {}): Promise<Page<Rejection>> {
    const { contactId, propertyId, ...page } = query;
    if (contactId) return this.listChildren(tenantId, 'GSI2', 'CONTACT', contactId, page, { propertyId });
    if (propertyId) return this.listChildren(tenantId, 'GSI3', 'PROPERTY', propertyId, page);
    return this.listAll(tenantId, page);
  }
}
