import type * as z from 'zod';
import { detailSchemaOf, DETAIL_TYPES, FAMILIES, sourceOf, type DetailType } from './registry.ts';

/**
 * The event catalogue, derived from the registry: one source per bounded context,
 * PascalCase past-tense detail-types, and a zod schema per detail. `schemaVersion` changes only for
 * breaking changes; fixtures of every version stay readable (test/unit/event-catalogue.test.ts).
 */

export { SCHEMA_VERSION, CausedByDetail, DetailBase } from './detail-base.ts';
export { DETAIL_TYPES, isDetailType, type DetailType } from './registry.ts';

export const SOURCES = Object.fromEntries(Object.entries(FAMILIES).map(([family, f]) => [family, f.source])) as {
  [F in keyof typeof FAMILIES]: (typeof FAMILIES)[F]['source'];
};
export type Source = (typeof SOURCES)[keyof typeof SOURCES];

type Schemas = { [T in DetailType]: ReturnType<typeof detailSchemaOf<T>> };
export const DETAIL_SCHEMAS = Object.fromEntries(DETAIL_TYPES.map((t) => [t, detailSchemaOf(t)])) as unknown as Schemas;

export type Detail<T extends DetailType> = z.infer<Schemas[T]>;

/** The source each detail-type is published under. */
export const SOURCE_OF = Object.fromEntries(DETAIL_TYPES.map((t) => [t, sourceOf(t)])) as Record<DetailType, Source>;

/** A domain event ready to publish. */
export interface DomainEvent<T extends DetailType = DetailType> {
  source: Source;
  detailType: T;
  detail: Detail<T>;
}
