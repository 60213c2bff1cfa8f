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

/**
 * What SES reported about the contact's address: a bounce or a complaint, its type (`Permanent`,
 * `Transient` or `Undetermined` for a bounce; the feedback type, e.g. `abuse`, for a complaint, or
 * `complaint` when the mailbox provider named none), when it happened and the address it was about.
 * Kept by the server only (shared/senders/ses-events.ts): no API body can set it (the bodies are
 * strict objects of `ContactFields`, which do not have it), and a change of the e-mail address
 * removes it (contact-store.ts), since the new address has not bounced.
 */
export const EmailStatus = z.object({
  state: z.enum(['bounced', 'complained']),
  type: z.string().min(1).max(64),
  subType: z.string().min(1).max(64).optional(),
  at: z.iso.datetime({ offset: true }),
  address: z.string().max(254),
});
export type EmailStatus = z.infer<typeof EmailStatus>;

/** Whether sending to the address is refused: a permanent bounce or a complaint (a transient bounce is not). */
export function emailBlocked(status: EmailStatus | undefined): boolean {
  return status !== undefined && (status.state === 'complained' || status.type === 'Permanent');
}

export const Contact = ContactFields.extend(EntityMeta.shape)
  .extend({ causedBy: CausedBy.optional(), emailStatus: EmailStatus.optional() })
  .refine(identifiable, IDENTIFIABLE);

export type ContactInput = z.infer<typeof ContactInput>;
export type Contact = z.infer<typeof Contact>;
