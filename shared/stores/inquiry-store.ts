import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EntityTable } from '../db/entity-table.ts';
import { childListKey } from '../db/keys.ts';
import { ConflictError } from '../errors.ts';
import { Inquiry, type InquiryInput } from '../model/inquiry.ts';
import { domainOf } from '../inbound/authentication.ts';
import { messageIdKey } from '../inbound/message-id.ts';
import { DynamoStore, type Page, type PageRequest, type ReadStore, type WriteOptions } from './store.ts';

export interface InquiryListQuery extends PageRequest {
  propertyId?: string;
  contactId?: string;
}

/**
 * What makes an inquiry a duplicate. A received inquiry: its Message-ID (domain part
 * case-insensitive, local part as sent) within its authenticated sender domain, or within the
 * unauthenticated ones (`~`): so a refused message, or an unauthenticated one, never blocks a
 * later message of an authenticated sender with the same Message-ID. A refused inquiry: its SES
 * delivery, so a redelivery records it once and it never blocks anything else.
 */
export function inquiryUnique(i: Pick<Inquiry, 'status' | 'messageId' | 'sesMessageId' | 'authenticated' | 'fromAddress'>) {
  if (i.status === 'refused') return { name: 'inquiry-delivery', value: i.sesMessageId, field: 'sesMessageId' };
  const scope = i.authenticated && i.fromAddress ? domainOf(i.fromAddress) : '~';
  return { name: 'inquiry-received', value: `${scope} ${messageIdKey(i.messageId)}`, field: 'messageId' };
}

export interface InquiryStore extends ReadStore<Inquiry> {
  /**
   * Records the inquiry once: a received one once per Message-ID and sender scope, a refused one once
   * per SES delivery (see inquiryUnique). A second delivery returns the first record, `created` false.
   */
  recordOnce(tenantId: string, input: InquiryInput): Promise<{ inquiry: Inquiry; created: boolean }>;
  /** The received inquiry with this Message-ID from this authenticated sender domain (null: from an unauthenticated sender). */
  findByMessageId(tenantId: string, messageId: string, authenticatedDomain?: string | null): Promise<Inquiry | undefined>;
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
        uniques: (i) => [inquiryUnique(i)],
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
      const unique = inquiryUnique(Inquiry.pick({ status: true, messageId: true, sesMessageId: true, authenticated: true, fromAddress: true }).parse(input));
      const existing = await this.table.findByUnique(tenantId, unique.name, unique.value);
      if (!existing) throw error;
      return { inquiry: existing, created: false };
    }
  }

  findByMessageId(tenantId: string, messageId: string, authenticatedDomain: string | null = null): Promise<Inquiry | undefined> {
    const unique = inquiryUnique({ status: 'received', messageId, sesMessageId: '', authenticated: authenticatedDomain !== null, fromAddress: authenticatedDomain && `@${authenticatedDomain}` });
    return this.table.findByUnique(tenantId, unique.name, unique.value);
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
