import * as z from 'zod';
import { CausedBy, EntityMeta } from './common.ts';

export const INQUIRY_FORMATS = ['openimmo-feedback', 'tagged-html', 'portal-text', 'unstructured'] as const;
export type InquiryFormat = (typeof INQUIRY_FORMATS)[number];

/** Limits on extracted values: a portal mail can carry anything, the CRM stores bounded text. */
export const FIELD_LIMITS = { name: 100, email: 254, phone: 40, message: 5_000, ref: 64, portal: 100, line: 200 } as const;

/** What an inquiry e-mail yielded. Every value is plain text; `null` means absent. */
export const ExtractedInquiry = z.object({
  format: z.enum(INQUIRY_FORMATS),
  portal: z.string().max(FIELD_LIMITS.portal).nullable(),
  salutation: z.enum(['mr', 'ms']).nullable(),
  firstName: z.string().max(FIELD_LIMITS.name).nullable(),
  lastName: z.string().max(FIELD_LIMITS.name).nullable(),
  email: z.string().max(FIELD_LIMITS.email).nullable(),
  phone: z.string().max(FIELD_LIMITS.phone).nullable(),
  message: z.string().max(FIELD_LIMITS.message).nullable(),
  /** The agent's own object number (`unitId`) as the inquiry names it. */
  propertyRef: z.string().max(FIELD_LIMITS.ref).nullable(),
  /** The portal's listing id (e.g. the Scout-ID). */
  portalObjectId: z.string().max(FIELD_LIMITS.ref).nullable(),
  /** OpenImmo `bevorzugt` (how to reply) and `wunsch` (what is wanted), each possibly repeated. */
  preferredContact: z.array(z.string().max(FIELD_LIMITS.line)).default([]),
  wishes: z.array(z.string().max(FIELD_LIMITS.line)).default([]),
  /** The date the sender put on the inquiry, `YYYY-MM-DD`. */
  sentOn: z.iso.date().nullable().default(null),
  address: z
    .object({ company: z.string().nullable(), street: z.string().nullable(), postalCode: z.string().nullable(), city: z.string().nullable() })
    .nullable()
    .default(null),
});
export type ExtractedInquiry = z.infer<typeof ExtractedInquiry>;

export const INQUIRY_STATUSES = ['received', 'refused'] as const;

/**
 * An inquiry e-mail as recorded. `received` ones were parsed and raise InquiryReceived; `refused`
 * ones (spam or virus verdict FAIL, over the size limit) are kept for the record, unparsed.
 */
export const Inquiry = EntityMeta.extend({
  status: z.enum(INQUIRY_STATUSES),
  refusedReason: z.string().optional(),
  /** The Message-ID header (or a digest of the message when it has none): one inquiry per message. */
  messageId: z.string().max(998),
  /** SES's id of the delivery, which names the raw message in the bucket. */
  sesMessageId: z.string(),
  rawMessage: z.object({ bucket: z.string(), key: z.string(), sizeBytes: z.number().int().nonnegative() }),
  recipient: z.string(),
  from: z.string().max(FIELD_LIMITS.line).nullable(),
  /** The sender's address alone, lower-cased: what a trigger filters portals and web sites by. */
  fromAddress: z.string().max(FIELD_LIMITS.email).nullable().default(null),
  subject: z.string().max(998).nullable(),
  receivedAt: z.iso.datetime(),
  verdicts: z.object({ spam: z.string(), virus: z.string() }),
  format: z.enum(INQUIRY_FORMATS).optional(),
  extracted: ExtractedInquiry.optional(),
  propertyId: z.string().optional(),
  /** Set once the inquiry is linked to a contact (by the create-contact automation). */
  contactId: z.string().optional(),
  causedBy: CausedBy.optional(),
});
export type Inquiry = z.infer<typeof Inquiry>;
export type InquiryInput = Omit<Inquiry, keyof EntityMeta | 'causedBy'>;
