import * as z from 'zod';
import { MAX_PAGE_SIZE } from '../db/entity-table.ts';
import { ValidationError } from '../errors.ts';
import type { ApiResponse } from '../http/types.ts';
import type { ReadStore } from '../stores/store.ts';
import { parseOrThrow } from '../validation.ts';

export const ok = (body: unknown): ApiResponse => ({ status: 200, body });

export const created = (entity: { id: string }, collection: string): ApiResponse => ({
  status: 201,
  body: entity,
  headers: { location: `/${collection}/${entity.id}` },
});

export function body<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  return parseOrThrow(schema, value, 'The request body');
}

export function query<S extends z.ZodType>(schema: S, value: Record<string, string>): z.output<S> {
  return parseOrThrow(schema, value, 'The query');
}

/** Query parameters of every list; unknown parameters are refused, so a typo never passes silently. */
export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  cursor: z.string().max(2_000).optional(),
});

export const ArchivedQuery = z
  .enum(['true', 'false', 'all'])
  .optional()
  .transform((v) => (v === 'true' ? 'only' : v === 'all' ? 'include' : 'exclude') as 'only' | 'include' | 'exclude');

export interface Reference {
  /** The body field that names the entity, e.g. `contactId` or `contactIds.1`. */
  field: string;
  id: string | undefined;
  store: ReadStore<unknown>;
  label: string;
}

/**
 * Checks that every entity a body refers to exists in the caller's tenant. A missing one (or one
 * of another tenant, which is the same thing here) is a 400 naming the field.
 */
export async function assertReferences(tenantId: string, references: Reference[]): Promise<void> {
  const named = references.filter((r): r is Reference & { id: string } => typeof r.id === 'string');
  const found = await Promise.all(named.map((r) => r.store.get(tenantId, r.id)));
  const fields = named.filter((_, i) => found[i] === undefined).map((r) => ({ path: r.field, code: 'not_found', message: `No ${r.label} with id ${r.id}`, params: { entity: r.label, id: r.id } }));
  if (fields.length) throw new ValidationError('The request names records that do not exist', fields);
}
