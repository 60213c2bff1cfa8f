import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EntityTable } from '../db/entity-table.ts';
import { childListKey } from '../db/keys.ts';
import { ConflictError } from '../errors.ts';
import { Inquiry, type InquiryInput } from '../model/inquiry.ts';
import { DynamoStore, type Page, type PageRequest, type ReadStore, type WriteOptions } from './store.ts';

export interface InquiryListQuery extends PageRequest {
  propertyId?: string;
  contactId?: string;
}

export interface InquiryStore extends ReadStore<Inquiry> {
  /** Records the inquiry once per Message-ID: a second delivery returns the first record, `created` false. */
  recordOnce(tenantId: string, input: InquiryInput): Promise<{ inquiry: Inquiry; created: boolean }>;
  findByMessageId(tenantId: string, messageId: string): Promise<Inquiry | undefined>;
  /** Links the inquiry to the contact it created or matched. */
  linkContact(tenantId: string, id: string, contactId: string, options?: WriteOptions): Promise<Inquiry>;
  list(tenantId: string, query?: InquiryListQuery): Promise<Page<Inquiry>>;
}

export class DynamoInquiryStore extends DynamoStore<Inquiry> implements InquiryStore {
  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(
      new EntityTable<Inquiry>(client, tableName, {
        kind: 'INQUIRY',
        label: 'inquiry',
        schema: Inquiry,
        uniques: (i) => [{ name: 'inquiry-message', value: i.messageId.toLowerCase(), field: 'messageId' }],
        indexKeys: (i) => ({
          GSI2PK: i.contactId ? childListKey(i.tenantId, 'CONTACT', i.contactId, 'INQUIRY') : undefined,
          GSI2SK: i.contactId ? i.id : undefined,
          GSI3PK: i.propertyId ? childListKey(i.tenantId, 'PROPERTY', i.propertyId, 'INQUIRY') : undefined,
          GSI3SK: i.propertyId ? i.id : undefined,
        }),
      }),
    );
  }

  async recordOnce(tenantId: string, input: InquiryInput): Promise<{ inquiry: Inquiry; created: boolean }> {
    try {
      return { inquiry: await this.table.create(tenantId, input), created: true };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const existing = await this.findByMessageId(tenantId, input.messageId);
      if (!existing) throw error;
      return { inquiry: existing, created: false };
    }
  }

  findByMessageId(tenantId: string, messageId: string): Promise<Inquiry | undefined> {
    return this.table.findByUnique(tenantId, 'inquiry-message', messageId.toLowerCase());
  }

  async linkContact(tenantId: string, id: string, contactId: string, options?: WriteOptions): Promise<Inquiry> {
    const current = await this.require(tenantId, id);
    if (current.contactId === contactId) return current;
    return this.table.update(tenantId, id, { contactId }, current.version, { ...options, current });
  }

  list(tenantId: string, query: InquiryListQuery = {}): Promise<Page<Inquiry>> {
    const { propertyId, contactId, ...page } = query;
    if (propertyId) return this.listChildren(tenantId, 'GSI3', 'PROPERTY', propertyId, page);
    if (contactId) return this.listChildren(tenantId, 'GSI2', 'CONTACT', contactId, page);
    return this.listAll(tenantId, page);
  }
}
