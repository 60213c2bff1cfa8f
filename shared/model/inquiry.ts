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
 * ones (spam or virus verdict FAIL, over the size limit, over a parsing bound, unparseable) are
 * kept for the record with the reason, and raise no event.
 */
export const Inquiry = EntityMeta.extend({
  status: z.enum(INQUIRY_STATUSES),
  refusedReason: z.string().optional(),
  /**
   * The Message-ID header (a `sha256:` digest when the message has none, or one too long to keep).
   * One received inquiry per Message-ID and authenticated sender domain; refused ones never count.
   */
  messageId: z.string().max(998),
  /** SES's id of the delivery, which names the raw message in the bucket. */
  sesMessageId: z.string(),
  rawMessage: z.object({ bucket: z.string(), key: z.string(), sizeBytes: z.number().int().nonnegative() }),
  recipient: z.string(),
  /** The From header as the message has it, authenticated or not: for people, never for matching. */
  from: z.string().max(FIELD_LIMITS.line).nullable(),
  /**
   * The sender's address alone, lower-cased, set only when the From domain is authenticated: what a
   * trigger filters portals and web sites by. Null for any unauthenticated sender (see `from`).
   */
  fromAddress: z.string().max(FIELD_LIMITS.email).nullable().default(null),
  /** Whether the From domain is authenticated: DMARC PASS, or DKIM PASS signed by that domain. */
  authenticated: z.boolean().default(false),
  /** Why the From domain is or is not authenticated, for people. */
  authenticationReason: z.string().max(500).optional(),
  subject: z.string().max(998).nullable(),
  receivedAt: z.iso.datetime(),
  /** SES's verdicts as it sent them (PASS, FAIL, GRAY, PROCESSING_FAILED); spf/dkim/dmarc absent on older inquiries. */
  verdicts: z.object({ spam: z.string(), virus: z.string(), spf: z.string().optional(), dkim: z.string().optional(), dmarc: z.string().optional() }),
  format: z.enum(INQUIRY_FORMATS).optional(),
  extracted: ExtractedInquiry.optional(),
  propertyId: z.string().optional(),
  /** Set once the inquiry is linked to a contact (by the create-contact automation). */
  contactId: z.string().optional(),
  causedBy: CausedBy.optional(),
});
export type Inquiry = z.infer<typeof Inquiry>;
/** What the inbound-mail function records (`authenticated` defaults to false). */
export type InquiryInput = Omit<z.input<typeof Inquiry>, keyof EntityMeta | 'causedBy'>;
