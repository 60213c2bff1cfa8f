import * as z from 'zod';
import { CausedBy, EntityMeta, Id, Line, Text, patchOf } from './common.ts';

export const DEFAULT_PIPELINE = 'default';
export const DEFAULT_STAGE = 'Anfrage';
/** The stage a deal moves to when an Absage is recorded on it. */
export const REJECTED_STAGE = 'Abgesagt';

/** A contact's interest in a property, moving through the stages of a pipeline. */
export const DealFields = z.strictObject({
  contactId: Id,
  propertyId: Id,
  stage: Line(60),
  pipelineId: Id,
  note: Text(5_000).optional(),
  archived: z.boolean(),
});

export const DealInput = DealFields.extend({
  stage: Line(60).default(DEFAULT_STAGE),
  pipelineId: Id.default(DEFAULT_PIPELINE),
  archived: z.boolean().default(false),
});
/** The contact and property of a deal are fixed; a different pairing is a different deal. */
export const DealPatch = patchOf(DealFields.omit({ contactId: true, propertyId: true }));
export const Deal = DealFields.extend(EntityMeta.shape).extend({ causedBy: CausedBy.optional() });

export type DealInput = z.infer<typeof DealInput>;
export type Deal = z.infer<typeof Deal>;
