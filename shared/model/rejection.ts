import * as z from 'zod';
import { CausedBy, EntityMeta, Id, Line, Text } from './common.ts';

/** An Absage: a contact declines (a property, a deal, or any further contact), with a reason. */
export const RejectionInput = z.strictObject({
  reason: Line(200),
  contactId: Id,
  propertyId: Id.optional(),
  dealId: Id.optional(),
  note: Text(5_000).optional(),
});
export const Rejection = RejectionInput.extend(EntityMeta.shape).extend({ causedBy: CausedBy.optional() });

export type RejectionInput = z.infer<typeof RejectionInput>;
export type Rejection = z.infer<typeof Rejection>;
