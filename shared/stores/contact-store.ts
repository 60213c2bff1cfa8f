import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EntityTable } from '../db/entity-table.ts';
import { birthdayIndexKey, childListKey, normaliseEmail } from '../db/keys.ts';
import { ConflictError } from '../errors.ts';
import { Contact, ContactInput } from '../model/contact.ts';
import { parseOrThrow } from '../validation.ts';
import { archivedFilter, DynamoStore, pageOfOne, type ArchivedFilter, type Page, type PageRequest, type UpdateOptions, type WriteOptions, type WriteStore } from './store.ts';

/** The fields given for an upsert: any contact fields, and the e-mail it is keyed on. */
export type ContactUpsert = Partial<ContactInput> & { email: string };

export interface ContactListQuery extends PageRequest {
  ownerId?: string;
  email?: string;
  archived?: ArchivedFilter;
}

export interface ContactStore extends WriteStore<Contact, ContactInput> {
  /**
   * Creates the contact, or, when its e-mail is known, applies only the given fields to that
   * contact (defaults never overwrite what the contact already has).
   */
  upsertByEmail(tenantId: string, fields: ContactUpsert, options?: WriteOptions): Promise<{ contact: Contact; created: boolean }>;
  findByEmail(tenantId: string, email: string): Promise<Contact | undefined>;
  archive(tenantId: string, id: string, options?: WriteOptions): Promise<Contact>;
  list(tenantId: string, query?: ContactListQuery): Promise<Page<Contact>>;
}

/** Upsert rounds that may see the same state and fail again; rounds in all (a backstop); the ceiling of the random pause between rounds. */
const UPSERT_STALLED_ROUNDS = 10;
const UPSERT_MAX_ROUNDS = 1_000;
const UPSERT_PAUSE_MAX_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DynamoContactStore extends DynamoStore<Contact> implements ContactStore {
  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(
      new EntityTable<Contact>(client, tableName, {
        kind: 'CONTACT',
        label: 'contact',
        schema: Contact,
        uniques: (c) => (c.email ? [{ name: 'email', value: normaliseEmail(c.email), field: 'email' }] : []),
        indexKeys: (c) => ({
          GSI2PK: c.ownerId ? childListKey(c.tenantId, 'USER', c.ownerId, 'CONTACT') : undefined,
          GSI2SK: c.ownerId ? c.id : undefined,
          // Sparse: only contacts to greet are in the birthday index, so the daily run reads nothing else.
          BDAY: c.birthday && !c.archived ? birthdayIndexKey(c.tenantId, c.id, c.birthday) : undefined,
          BDAYSK: c.birthday && !c.archived ? `${c.tenantId}#${c.id}` : undefined,
        }),
      }),
    );
  }

  create(tenantId: string, input: ContactInput, options?: WriteOptions): Promise<Contact> {
    return this.table.create(tenantId, input, options);
  }

  /**
   * A change of the e-mail address removes what SES reported about the old one (`emailStatus`):
   * the new address has not bounced.
   */
  update(tenantId: string, id: string, patch: Record<string, unknown>, version: number, options?: UpdateOptions<Contact>): Promise<Contact> {
    return this.table.update(tenantId, id, patch, version, {
      ...options,
      derive: (next, current) => {
        const before = current.email ? normaliseEmail(current.email) : undefined;
        const after = typeof next.email === 'string' ? normaliseEmail(next.email) : undefined;
        if (before !== after) delete next.emailStatus;
      },
    });
  }

  /**
   * Concurrent upserts of one new e-mail all succeed: one creates the contact, and each of the others,
   * its create refused by the e-mail's uniqueness item, reads the winner and merges into it. A merge
   * refused by a concurrent change (a newer version, a transaction in flight) reads again and
   * re-applies. A round lost to another writer is progress (the contact's version moved on), so an
   * upsert keeps going however many arrive at once, with a random pause that spreads them out. Only
   * rounds that see nothing change (an e-mail whose reservation names no contact) are capped.
   */
  async upsertByEmail(tenantId: string, fields: ContactUpsert, options?: WriteOptions) {
    let seen: string | undefined;
    let stalled = 0;
    for (let round = 1; ; round++) {
      const existing = await this.findByEmail(tenantId, fields.email);
      try {
        if (!existing) return { contact: await this.create(tenantId, parseOrThrow(ContactInput, fields), options), created: true };
        return { contact: await this.update(tenantId, existing.id, fields, existing.version, { ...options, current: existing }), created: false };
      } catch (error) {
        if (!(error instanceof ConflictError) || error.code === 'pick_list_value_in_use') throw error;
        const state = existing ? `${existing.id}@${existing.version}` : 'none';
        stalled = state === seen ? stalled + 1 : 0;
        seen = state;
        if (stalled >= UPSERT_STALLED_ROUNDS || round >= UPSERT_MAX_ROUNDS) throw error;
        await sleep(Math.random() * Math.min(UPSERT_PAUSE_MAX_MS, 2 ** round));
      }
    }
  }

  findByEmail(tenantId: string, email: string): Promise<Contact | undefined> {
    return this.table.findByUnique(tenantId, 'email', normaliseEmail(email));
  }

  async archive(tenantId: string, id: string, options?: WriteOptions): Promise<Contact> {
    const current = await this.require(tenantId, id);
    if (current.archived) return current;
    return this.update(tenantId, id, { archived: true }, current.version, { ...options, current });
  }

  async list(tenantId: string, query: ContactListQuery = {}): Promise<Page<Contact>> {
    const { ownerId, email, archived, ...page } = query;
    if (email) return pageOfOne(this.findByEmail(tenantId, email));
    const filters = { archived: archivedFilter(archived) };
    if (ownerId) return this.listChildren(tenantId, 'GSI2', 'USER', ownerId, page, filters);
    return this.listAll(tenantId, page, filters);
  }
}
