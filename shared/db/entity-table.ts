import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { CausedBy, EntityMeta } from '../model/common.ts';
import { parseOrThrow } from '../validation.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { entityKey, isPossibleId, kindListKey, uniqueKey, withoutTableAttributes, type EntityKind } from './keys.ts';
import { Transaction } from './transaction.ts';
import { updateExpressionFor } from './update-expression.ts';
import { monotonicUlid } from './ulid.ts';

export type IndexName = 'GSI1' | 'GSI2' | 'GSI3' | 'GSI4' | 'GSI5' | 'GSI6';

/** A value that must be unique (per tenant, or globally), reserved by a uniqueness item. */
export interface UniqueRef {
  name: string;
  value: string;
  /** The field named in the 409 when the value is taken. */
  field: string;
  global?: boolean;
}

export interface EntitySpec<T extends EntityMeta> {
  kind: EntityKind;
  /** Lower-case noun for messages, e.g. `contact`. */
  label: string;
  schema: z.ZodType<T>;
  /** Secondary index attributes derived from the entity (GSI2, GSI3, BirthdayIndex). */
  indexKeys?: (entity: T) => Record<string, string | number | undefined>;
  uniques?: (entity: T) => UniqueRef[];
  /** Items written beside a new entity in the same transaction (e.g. an activity's contact links). */
  companions?: (entity: T, key: { PK: string }) => Record<string, unknown>[];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface ListQuery {
  index: IndexName;
  partition: string;
  /** Restricts the index sort key to a prefix (e.g. open tasks). */
  sortPrefix?: string;
  limit?: number;
  cursor?: string;
  /** Equality filters on top-level attributes. */
  filters?: Record<string, string | number | boolean | undefined>;
  /** Oldest (smallest sort key) first; newest first by default. */
  ascending?: boolean;
}

/** Options of an update: the entity as the caller just read it saves reading it again. */
export type UpdateOptions<T> = WriteOptions & { current?: T };

export interface WriteOptions {
  causedBy?: CausedBy;
  /** A caller-chosen id for a create (deterministic ids make retried creates find their first result). */
  id?: string;
  /** Adds further writes to the same transaction. */
  alsoIn?: (tx: Transaction) => void;
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

const nextUlid = monotonicUlid();

/**
 * Create, read, update and list for one entity kind in CrmTable. Every write is one transaction that
 * also maintains the kind's uniqueness items; every update is conditional on the version it was
 * based on, so no update is silently lost.
 */
export class EntityTable<T extends EntityMeta> {
  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly spec: EntitySpec<T>,
  ) {}

  newId(): string {
    return nextUlid();
  }

  transaction(): Transaction {
    return new Transaction(this.tableName);
  }

  async create(tenantId: string, data: object, options: WriteOptions = {}): Promise<T> {
    const now = new Date().toISOString();
    const entity = this.validate({
      ...data,
      ...(options.causedBy ? { causedBy: options.causedBy } : {}),
      id: options.id ?? this.newId(),
      tenantId,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    const item = this.toItem(entity);
    const tx = this.transaction().put(item, {
      expression: 'attribute_not_exists(PK)',
      onFail: () => new ConflictError('duplicate', `A ${this.spec.label} with id ${entity.id} exists`),
    });
    for (const unique of this.spec.uniques?.(entity) ?? []) this.reserve(tx, tenantId, unique, entity.id);
    for (const companion of this.spec.companions?.(entity, { PK: item.PK }) ?? []) tx.put(companion);
    options.alsoIn?.(tx);
    await tx.commit(this.client);
    return entity;
  }

  async get(tenantId: string, id: string): Promise<T | undefined> {
    // An id of a form the CRM never issues names nothing: no read (its key could exceed DynamoDB's limits).
    if (!isPossibleId(id)) return undefined;
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: entityKey(tenantId, this.spec.kind, id), ConsistentRead: true }),
    );
    return Item ? (this.fromItem(Item) as T) : undefined;
  }

  async require(tenantId: string, id: string): Promise<T> {
    const entity = await this.get(tenantId, id);
    if (!entity) throw new NotFoundError(`No ${this.spec.label} with id ${id}`);
    return entity;
  }

  /**
   * Applies `patch` (a `null` value removes the field) to the version `expectedVersion` of the
   * entity. A stale version is a 409; the merged entity is validated as a whole; only the
   * attributes that change are written. A caller that holds the entity as just read passes it as
   * `current` and saves the read.
   */
  async update(
    tenantId: string,
    id: string,
    patch: Record<string, unknown>,
    expectedVersion: number,
    options: UpdateOptions<T> & { derive?: (next: Record<string, unknown>, current: T) => void } = {},
  ): Promise<T> {
    const current = options.current?.version === expectedVersion && options.current.id === id ? options.current : await this.require(tenantId, id);
    if (current.version !== expectedVersion) throw this.stale(id, current.version);
    const next: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete next[key];
      else if (value !== undefined) next[key] = value;
    }
    delete next.causedBy;
    if (options.causedBy) next.causedBy = options.causedBy;
    options.derive?.(next, current);
    Object.assign(next, { id, tenantId, version: current.version + 1, createdAt: current.createdAt, updatedAt: new Date().toISOString() });
    const entity = this.validate(next);

    const { expression, names, values } = updateExpressionFor(this.toItem(current), this.toItem(entity), ['PK', 'SK']);
    const tx = this.transaction().update(entityKey(tenantId, this.spec.kind, id), {
      set: expression,
      expression: 'attribute_exists(PK) AND version = :expected',
      names,
      values: { ...values, ':expected': expectedVersion },
      onFail: () => this.stale(id),
    });
    const before = new Map((this.spec.uniques?.(current) ?? []).map((u) => [u.name, u]));
    for (const unique of this.spec.uniques?.(entity) ?? []) {
      const old = before.get(unique.name);
      before.delete(unique.name);
      if (old?.value === unique.value) continue;
      if (old) this.release(tx, tenantId, old, id);
      this.reserve(tx, tenantId, unique, id);
    }
    for (const old of before.values()) this.release(tx, tenantId, old, id);
    // Companion items carry a copy of the entity: they are written anew, and those it no longer has go.
    if (this.spec.companions) {
      const PK = entityKey(tenantId, this.spec.kind, id).PK;
      const next = this.spec.companions(entity, { PK });
      const kept = new Set(next.map((c) => String(c.SK)));
      for (const companion of next) tx.put(companion);
      for (const gone of this.spec.companions(current, { PK })) if (!kept.has(String(gone.SK))) tx.delete({ PK, SK: String(gone.SK) });
    }
    options.alsoIn?.(tx);
    await tx.commit(this.client);
    return entity;
  }

  async list(tenantId: string, query: ListQuery): Promise<Page<T>> {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    const names: Record<string, string> = { '#pk': `${query.index}PK` };
    const values: Record<string, unknown> = { ':pk': query.partition };
    let keyCondition = '#pk = :pk';
    if (query.sortPrefix) {
      names['#sk'] = `${query.index}SK`;
      values[':sk'] = query.sortPrefix;
      keyCondition += ' AND begins_with(#sk, :sk)';
    }
    const filters: string[] = [];
    for (const [field, value] of Object.entries(query.filters ?? {})) {
      if (value === undefined) continue;
      names[`#f_${field}`] = field;
      values[`:f_${field}`] = value;
      filters.push(`#f_${field} = :f_${field}`);
    }
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: query.index,
        KeyConditionExpression: keyCondition,
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: query.ascending === true,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(query.cursor, tenantId, { index: query.index, partition: query.partition }),
      }),
    );
    const page: Page<T> = { items: (result.Items ?? []).map((item) => this.fromItem(item) as T) };
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    if (nextCursor) page.nextCursor = nextCursor;
    return page;
  }

  /** Looks up the id that holds a unique value, e.g. the contact with an e-mail address. */
  async findIdByUnique(tenantId: string | null, name: string, value: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: uniqueKey(tenantId, name, value), ConsistentRead: true }),
    );
    return Item?.targetId as string | undefined;
  }

  /** The entity that holds a unique value (an e-mail, a unit id, a listing id), if any. */
  async findByUnique(tenantId: string, name: string, value: string): Promise<T | undefined> {
    const id = await this.findIdByUnique(tenantId, name, value);
    return id ? this.get(tenantId, id) : undefined;
  }

  toItem(entity: T): Record<string, unknown> & { PK: string } {
    const key = entityKey(entity.tenantId, this.spec.kind, entity.id);
    return {
      ...entity,
      ...key,
      entity: this.spec.kind,
      GSI1PK: kindListKey(entity.tenantId, this.spec.kind),
      GSI1SK: entity.id,
      ...this.spec.indexKeys?.(entity),
    };
  }

  fromItem(item: Record<string, unknown>): Record<string, unknown> {
    return withoutTableAttributes(item);
  }

  private validate(value: unknown): T {
    return parseOrThrow(this.spec.schema, value, `The ${this.spec.label}`);
  }

  private stale(id: string, currentVersion?: number): ConflictError {
    const suffix = currentVersion ? ` (current version ${currentVersion})` : '';
    return new ConflictError('version_conflict', `The ${this.spec.label} ${id} was changed meanwhile${suffix}; reload and retry`, [
      { path: 'version', code: 'stale_version', message: 'Stale version' },
    ]);
  }

  private reserve(tx: Transaction, tenantId: string, unique: UniqueRef, id: string): void {
    tx.put(
      { ...uniqueKey(unique.global ? null : tenantId, unique.name, unique.value), entity: 'UNIQUE', targetId: id, tenantId },
      {
        expression: 'attribute_not_exists(PK)',
        onFail: () =>
          new ConflictError('duplicate', `Another ${this.spec.label} already uses this ${unique.field}`, [
            { path: unique.field, code: 'already_in_use', message: `Already in use: ${unique.value}`, params: { value: unique.value } },
          ]),
      },
    );
  }

  private release(tx: Transaction, tenantId: string, unique: UniqueRef, id: string): void {
    tx.delete(uniqueKey(unique.global ? null : tenantId, unique.name, unique.value), {
      expression: 'targetId = :id',
      values: { ':id': id },
    });
  }
}
