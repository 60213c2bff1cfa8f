import type { EntityTable, Page, UpdateOptions, WriteOptions } from '../db/entity-table.ts';
import type { EntityKind } from '../db/keys.ts';
import { childListKey, kindListKey } from '../db/keys.ts';
import type { EntityMeta } from '../model/common.ts';

export type { Page, UpdateOptions, WriteOptions } from '../db/entity-table.ts';

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** What every entity store offers; each entity's own interface adds its look-ups. */
export interface ReadStore<T> {
  get(tenantId: string, id: string): Promise<T | undefined>;
  /** Like `get`, but a missing entity is a NotFoundError (404). */
  require(tenantId: string, id: string): Promise<T>;
}

export interface WriteStore<T, I> extends ReadStore<T> {
  create(tenantId: string, input: I, options?: WriteOptions): Promise<T>;
  /** Applies a patch to the given version; `null` clears a field; a stale version is a 409. */
  update(tenantId: string, id: string, patch: Record<string, unknown>, version: number, options?: UpdateOptions<T>): Promise<T>;
}

/** Archived entities are hidden from lists unless asked for. */
export type ArchivedFilter = 'exclude' | 'only' | 'include';

/** A look-up by a unique value as a list page: the one entity, or none. */
export async function pageOfOne<T>(lookup: Promise<T | undefined>): Promise<Page<T>> {
  const entity = await lookup;
  return { items: entity ? [entity] : [] };
}

export function archivedFilter(filter: ArchivedFilter | undefined): boolean | undefined {
  if (filter === 'only') return true;
  if (filter === 'include') return undefined;
  return false;
}

/**
 * The shared half of every DynamoDB store: reads and updates straight from the entity table, and
 * list helpers over the tenant-wide index (GSI1) and the parent indexes (GSI2, GSI3).
 */
export abstract class DynamoStore<T extends EntityMeta> implements ReadStore<T> {
  constructor(protected readonly table: EntityTable<T>) {}

  get(tenantId: string, id: string): Promise<T | undefined> {
    return this.table.get(tenantId, id);
  }

  require(tenantId: string, id: string): Promise<T> {
    return this.table.require(tenantId, id);
  }

  protected listAll(tenantId: string, page: PageRequest, filters?: Record<string, string | boolean | undefined>): Promise<Page<T>> {
    return this.table.list(tenantId, { index: 'GSI1', partition: kindListKey(tenantId, this.table.spec.kind), ...page, filters });
  }

  protected listChildren(
    tenantId: string,
    index: 'GSI2' | 'GSI3',
    parent: EntityKind,
    parentId: string,
    page: PageRequest,
    filters?: Record<string, string | boolean | undefined>,
  ): Promise<Page<T>> {
    return this.table.list(tenantId, {
      index,
      partition: childListKey(tenantId, parent, parentId, this.table.spec.kind),
      ...page,
      filters,
    });
  }
}
