import * as z from 'zod';

/** Bookkeeping every stored entity carries. */
export const EntityMeta = z.object({
  id: z.string(),
  tenantId: z.string(),
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type EntityMeta = z.infer<typeof EntityMeta>;

/** Names of the bookkeeping fields, which a client can never set. */
export const META_FIELDS = ['id', 'tenantId', 'version', 'createdAt', 'updatedAt'] as const;

/**
 * Provenance of a write made by an automation's action. The stream publisher copies it into the
 * event, so the engine can refuse self-triggering and stop chains at a fixed depth.
 */
export const CausedBy = z.object({
  automationId: z.string(),
  executionId: z.string(),
  depth: z.number().int().nonnegative(),
});
export type CausedBy = z.infer<typeof CausedBy>;

export const Id = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'Only letters, digits, _ and -');

/** A trimmed, non-empty, bounded single-line string: never carries a line break into a header. */
export const Line = (max = 200) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\r\n]/.test(s), 'Must be a single line');

export const Text = (max = 10_000) => z.string().max(max);

export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .transform((s) => s.toLowerCase());

export const Phone = z
  .string()
  .trim()
  .max(40)
  .regex(/^\+?[0-9 ()/.-]{3,40}$/, 'Not a phone number');

export const IsoDateTime = z.iso.datetime({ offset: true });

/** The optimistic-concurrency token every update carries. */
export const VersionField = z.number().int().positive();

/** An IANA time zone known to this runtime, e.g. `Europe/Berlin`. */
export const TimeZone = z
  .string()
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'Unknown time zone');

/**
 * Builds the PATCH body of an entity: every field optional, `null` clears an optional field,
 * `version` is required, and at least one field besides the version must be named, so an empty
 * update is refused rather than silently bumping the version. The store validates the merged
 * entity, so clearing a required field is refused there with the field's name.
 */
export type PatchBody = { version: number; [field: string]: unknown };

export function patchOf(fields: z.ZodObject): z.ZodType<PatchBody> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, schema] of Object.entries(fields.shape)) shape[key] = (schema as z.ZodType).nullable().optional();
  return z
    .strictObject({ ...shape, version: VersionField })
    .refine((body) => Object.keys(body).some((k) => k !== 'version'), { message: 'Name at least one field to change' });
}
