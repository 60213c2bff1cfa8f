import * as z from 'zod';
import { Birthday } from './birthday.ts';
import { CausedBy, Email, EntityMeta, Id, Line, Phone, patchOf } from './common.ts';

export const SALUTATIONS = ['mr', 'ms', 'mx'] as const;

/** Fields a client may set on a contact. */
export const ContactFields = z.strictObject({
  salutation: z.enum(SALUTATIONS).optional(),
  firstName: Line(100).optional(),
  lastName: Line(100).optional(),
  company: Line(200).optional(),
  email: Email.optional(),
  phone: Phone.optional(),
  birthday: Birthday.optional(),
  status: Line(60).optional(),
  newsletter: z.boolean(),
  gdprConsent: z.boolean(),
  ownerId: Id.optional(),
  source: Line(100).optional(),
  archived: z.boolean(),
});

const identifiable = (c: { lastName?: string | undefined; email?: string | undefined; company?: string | undefined }) =>
  Boolean(c.lastName || c.email || c.company);
const IDENTIFIABLE = { message: 'Give at least a last name, a company or an e-mail address', path: ['lastName'] };

export const ContactInput = ContactFields.extend({
  newsletter: z.boolean().default(false),
  gdprConsent: z.boolean().default(false),
  archived: z.boolean().default(false),
}).refine(identifiable, IDENTIFIABLE);

export const ContactPatch = patchOf(ContactFields);

export const Contact = ContactFields.extend(EntityMeta.shape)
  .extend({ causedBy: CausedBy.optional() })
  .refine(identifiable, IDENTIFIABLE);

export type ContactInput = z.infer<typeof ContactInput>;
export type Contact = z.infer<typeof Contact>;
