import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { encodeCursor, invalidCursor, parseCursor } from '../db/cursor.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page } from '../db/entity-table.ts';
import { uniqueKey } from '../db/keys.ts';
import { Transaction } from '../db/transaction.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { domainProblem, DEFAULT_PLATFORM_INBOUND_DOMAIN } from './domain-name.ts';
import type { DnsRecord, IdentityService, IdentityState, SenderDomainStatus } from './identity-service.ts';

/** A domain a tenant sends from (and may receive inquiries at), as the API answers it. */
export interface SenderDomain {
  domain: string;
  tenantId: string;
  status: SenderDomainStatus;
  /** The DKIM records to publish; empty until the identity service created the identity. */
  dkimRecords: DnsRecord[];
  createdAt: string;
  updatedAt: string;
  /** When the domain was first seen verified. */
  verifiedAt?: string;
}

/** How many domains one tenant may register (each is an SES identity; the account has a quota). */
export const MAX_SENDER_DOMAINS = 20;

/** The uniqueness item's name: one global item per domain, whose `targetId` is the owning tenant. */
const UNIQUE_NAME = 'senderDomain';
const ITEM_SK = (domain: string) => `DOMAIN#${domain}`;
const listPartition = (tenantId: string) => `${tenantId}#SENDERDOMAIN`;

export interface SenderDomainsOptions {
  /** The platform's inbound domain, which no tenant may register. @default inbound.crm.example */
  platformInboundDomain?: string;
}

/**
 * The tenants' sender domains in CrmTable: per domain a tenant-keyed item
 * (`<tenant>#SENDERDOMAIN` / `DOMAIN#<domain>`, so a tenant's domains are one Query) and a global
 * uniqueness item (`GLOBAL#UNIQUE#senderDomain#<domain>`, `targetId` = the tenant) written in
 * the same transaction with `attribute_not_exists`, so a domain belongs to one tenant only. The
 * identity service (SES) is asked only after the domain is reserved, so a tenant can never create
 * or touch an identity for another tenant's domain.
 */
export class SenderDomains {
  readonly platformInboundDomain: string;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly identities: IdentityService,
    options: SenderDomainsOptions = {},
  ) {
    this.platformInboundDomain = options.platformInboundDomain ?? DEFAULT_PLATFORM_INBOUND_DOMAIN;
  }

  /** Throws a 400 naming `path` unless `domain` is a domain a tenant may register. */
  assertValid(domain: unknown, path = 'domain'): asserts domain is string {
    const problem = domainProblem(domain, path, this.platformInboundDomain);
    if (problem) throw new ValidationError('The domain is invalid', [problem]);
  }

  /**
   * Registers `domain` for the tenant: reserves it (409 `duplicate` with `already_in_use` when
   * another tenant has it), then has the identity service create and associate the identity and
   * stores its status and DKIM records. Registering a domain the tenant already has runs the
   * identity steps again (they are idempotent), which completes a registration an SES error cut
   * short; `created` tells the two apart.
   */
  async register(tenantId: string, domain: string): Promise<{ domain: SenderDomain; created: boolean }> {
    this.assertValid(domain);
    let existing = await this.load(tenantId, domain);
    const created = !existing;
    if (!existing) {
      const count = await this.count(tenantId);
      if (count >= MAX_SENDER_DOMAINS) {
        throw new ValidationError(`A tenant has at most ${MAX_SENDER_DOMAINS} sender domains`, [
          { path: 'domain', code: 'too_many_sender_domains', message: `At most ${MAX_SENDER_DOMAINS} sender domains`, params: { maximum: MAX_SENDER_DOMAINS } },
        ]);
      }
      const now = new Date().toISOString();
      const item: SenderDomain = { domain, tenantId, status: 'pending', dkimRecords: [], createdAt: now, updatedAt: now };
      const tx = new Transaction(this.tableName)
        .put(
          { ...uniqueKey(null, UNIQUE_NAME, domain), entity: 'UNIQUE', targetId: tenantId, tenantId },
          {
            expression: 'attribute_not_exists(PK)',
            onFail: () =>
              new ConflictError('duplicate', 'The domain is registered by another tenant', [
                { path: 'domain', code: 'already_in_use', message: `Already in use: ${domain}`, params: { value: domain } },
              ]),
          },
        )
        .put({ ...this.key(tenantId, domain), entity: 'SENDER_DOMAIN', ...item }, { expression: 'attribute_not_exists(PK)' });
      try {
        await tx.commit(this.client);
        existing = item;
      } catch (error) {
        // The same tenant registering the domain twice at once: the other request reserved it.
        existing = await this.load(tenantId, domain);
        if (!existing) throw error;
      }
    }
    const state = await this.identities.register(tenantId, domain);
    return { domain: await this.save(existing!, state), created };
  }

  /** The tenant's domains, by name, as last stored (`get` refreshes one from the identity service). */
  async list(tenantId: string, page: { limit?: number; cursor?: string } = {}): Promise<Page<SenderDomain>> {
    const partition = listPartition(tenantId);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        Limit: Math.min(page.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
        ExclusiveStartKey: decodeListCursor(page.cursor, partition),
      }),
    );
    const items = (result.Items ?? []).map(toDomain);
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return { items, ...(nextCursor ? { nextCursor } : {}) };
  }

  /**
   * One domain of the tenant with its status refreshed from the identity service (a changed status
   * is stored), or undefined: another tenant's domain is unknown here.
   */
  async get(tenantId: string, domain: string): Promise<SenderDomain | undefined> {
    const stored = await this.load(tenantId, domain);
    return stored && this.refreshed(stored);
  }

  /** The stored domain with its status as the identity service has it now (stored when it changed). */
  private async refreshed(stored: SenderDomain): Promise<SenderDomain> {
    const state = await this.identities.describe(stored.domain);
    return state ? this.save(stored, state) : stored;
  }

  /**
   * The tenant's status of `domain`: `unregistered` when the tenant has no such domain. A stored
   * status other than `verified` is refreshed from the identity service first, so an admin need not
   * look the domain up before using it.
   */
  async statusOf(tenantId: string, domain: string): Promise<SenderDomainStatus | 'unregistered'> {
    const stored = await this.load(tenantId, domain);
    if (!stored) return 'unregistered';
    if (stored.status === 'verified') return 'verified';
    return (await this.refreshed(stored)).status;
  }

  private key(tenantId: string, domain: string) {
    return { PK: listPartition(tenantId), SK: ITEM_SK(domain) };
  }

  private async load(tenantId: string, domain: string): Promise<SenderDomain | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: this.key(tenantId, domain), ConsistentRead: true }));
    return Item ? toDomain(Item) : undefined;
  }

  private async count(tenantId: string): Promise<number> {
    const result = await this.client.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': listPartition(tenantId) }, Select: 'COUNT', ConsistentRead: true }),
    );
    return result.Count ?? 0;
  }

  /** Stores a changed status and records; an unchanged one is not written again. */
  private async save(stored: SenderDomain, state: IdentityState): Promise<SenderDomain> {
    const sameRecords = JSON.stringify(stored.dkimRecords) === JSON.stringify(state.dkimRecords);
    if (stored.status === state.status && sameRecords) return stored;
    const now = new Date().toISOString();
    const next: SenderDomain = {
      ...stored,
      status: state.status,
      dkimRecords: state.dkimRecords,
      updatedAt: now,
      ...(state.status === 'verified' && !stored.verifiedAt ? { verifiedAt: now } : {}),
    };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(stored.tenantId, stored.domain),
          UpdateExpression: `SET #status = :status, dkimRecords = :records, updatedAt = :now${next.verifiedAt ? ', verifiedAt = :verifiedAt' : ''}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': next.status, ':records': next.dkimRecords, ':now': now, ...(next.verifiedAt ? { ':verifiedAt': next.verifiedAt } : {}) },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return next;
  }
}

function toDomain(item: Record<string, unknown>): SenderDomain {
  const { domain, tenantId, status, dkimRecords, createdAt, updatedAt, verifiedAt } = item as unknown as SenderDomain;
  return { domain, tenantId, status, dkimRecords: dkimRecords ?? [], createdAt, updatedAt, ...(verifiedAt ? { verifiedAt } : {}) };
}

/** A cursor of this very list: exactly the table's keys, in the tenant's partition (else a 400). */
function decodeListCursor(cursor: string | undefined, partition: string): Record<string, string> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const record = parseCursor(cursor);
  const keys = Object.keys(record).sort();
  if (keys.join(',') !== 'PK,SK' || record.PK !== partition || !record.SK!.startsWith('DOMAIN#')) {
    throw invalidCursor();
  }
  return record;
}
