import * as z from 'zod';
import { Email, EntityMeta, Line, Phone, patchOf } from './common.ts';

/** An agent (Makler) of the agency: owner of contacts, contact person of properties, task assignee. */
export const UserFields = z.strictObject({
  firstName: Line(100),
  lastName: Line(100),
  email: Email,
  phone: Phone.optional(),
  /** Informational; what a caller may do comes from the token's groups, never from this field. */
  role: z.enum(['agent', 'admin']),
  archived: z.boolean(),
});

export const UserInput = UserFields.extend({
  role: z.enum(['agent', 'admin']).default('agent'),
  archived: z.boolean().default(false),
});
export const UserPatch = patchOf(UserFields);
export const User = UserFields.extend(EntityMeta.shape);

export type UserInput = z.infer<typeof UserInput>;
export type User = z.infer<typeof User>;
