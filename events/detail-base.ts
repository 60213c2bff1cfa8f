import * as z from 'zod';

/** What every event detail carries, and the snapshots of the entities details carry. */

export const SCHEMA_VERSION = 1;

/** Provenance of a write made by an automation, carried from the item into its events. */
export const CausedByDetail = z.object({
  automationId: z.string(),
  executionId: z.string(),
  depth: z.number().int().nonnegative(),
});

/** What every detail carries. */
export const DetailBase = z.looseObject({
  tenantId: z.string().min(1),
  schemaVersion: z.literal(SCHEMA_VERSION),
  occurredAt: z.iso.datetime(),
  /** Deterministic: the same stream record (or tenant, contact and date) always yields the same key. */
  eventKey: z.string().min(1),
  causedBy: CausedByDetail.optional(),
});

/**
 * Details are open (unknown fields pass), so a producer may add fields without breaking consumers;
 * a snapshot requires only what consumers rely on. The entity is carried as written.
 */
export const snapshot = <T extends z.ZodRawShape>(shape: T) =>
  z.looseObject({ id: z.string(), tenantId: z.string(), version: z.number().int().positive(), ...shape });

export const ChangedFields = z.array(z.string()).min(1);
