import * as z from 'zod';
import { normaliseEmail } from '../db/keys.ts';
import { SES_TENANT_TAG } from '../engine/mailer.ts';
import { ConflictError } from '../errors.ts';
import { log as defaultLog, type Log } from '../log.ts';
import { Email, Id } from '../model/common.ts';
import { emailBlocked, type Contact, type EmailStatus } from '../model/contact.ts';
import type { ContactStore } from '../stores/contact-store.ts';

/**
 * SES's bounce and complaint events, as the configuration set's event destination delivers them
 * (the EventBridge destination on the default bus: `source: aws.ses`, `detail-type: Email Bounced`
 * or `Email Complaint Received`, `detail` the SES event), or the bare SES event (an SNS message's
 * body, the local SES stand-in). Each bounced or complaining recipient is marked on the contact of
 * the send's tenant (the message tag `tenantId` SesMailer sets) with that address: `emailStatus`,
 * which makes later sends to the address end as skipped (send-email.ts).
 *
 * Safe to receive twice, late or out of order: a status already recorded is not written again, an
 * older event does not replace a newer one, and a transient bounce does not replace a permanent
 * bounce or a complaint. Addresses the tenant has no contact with are ignored, and so is input that
 * is not a bounce or complaint SES could have sent (missing tenant tag, recipients, type or time):
 * it is logged and dropped, since retrying cannot help. Only a failing store throws (the trigger
 * retries, then dead-letters).
 */

const Tags = z.record(z.string(), z.array(z.string()));
const Recipient = z.object({ emailAddress: z.string() });
const Mail = z.object({ timestamp: z.string().optional(), tags: Tags });
const SesEvent = z.discriminatedUnion('eventType', [
  z.object({
    eventType: z.literal('Bounce'),
    mail: Mail,
    bounce: z.object({
      bounceType: z.string().min(1).max(64),
      bounceSubType: z.string().min(1).max(64).optional(),
      bouncedRecipients: z.array(Recipient).min(1).max(100),
      timestamp: z.string().optional(),
    }),
  }),
  z.object({
    eventType: z.literal('Complaint'),
    mail: Mail,
    complaint: z.object({
      complaintFeedbackType: z.string().min(1).max(64).nullish(),
      complaintSubType: z.string().min(1).max(64).nullish(),
      complainedRecipients: z.array(Recipient).min(1).max(100),
      timestamp: z.string().optional(),
    }),
  }),
]);

/** What one SES event asks to be marked: the tenant, and the status of each address. */
export interface SesMarks {
  tenantId: string;
  marks: Array<{ address: string; status: EmailStatus }>;
}

export type Parsed = { marks: SesMarks } | { ignored: string };

/** The SES event inside an EventBridge event, or the event itself. */
function unwrap(input: unknown): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const record = input as Record<string, unknown>;
  if ('detail' in record && 'detail-type' in record) return record.detail;
  return input;
}

function isoOf(...candidates: Array<string | undefined>): string | undefined {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const ms = Date.parse(candidate);
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  return undefined;
}

/** Reads an SES event: the marks it asks for, or why it is ignored. Never throws. */
export function parseSesEvent(input: unknown): Parsed {
  const raw = unwrap(input);
  const type = typeof raw === 'object' && raw !== null ? (raw as { eventType?: unknown }).eventType : undefined;
  if (type !== 'Bounce' && type !== 'Complaint') return { ignored: `Not a bounce or complaint (eventType ${JSON.stringify(type ?? null).slice(0, 40)})` };
  const parsed = SesEvent.safeParse(raw);
  if (!parsed.success) return { ignored: `A ${type} event SES would not send: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 300)}` };
  const event = parsed.data;
  const tags = event.mail.tags[SES_TENANT_TAG] ?? [];
  const tenant = Id.safeParse(tags[0]);
  if (tags.length !== 1 || !tenant.success) return { ignored: `The ${type} event has no single valid ${SES_TENANT_TAG} tag` };
  const details = event.eventType === 'Bounce' ? event.bounce : event.complaint;
  const at = isoOf(details.timestamp, event.mail.timestamp);
  if (!at) return { ignored: `The ${type} event has no valid timestamp` };
  const base =
    event.eventType === 'Bounce'
      ? { state: 'bounced' as const, type: event.bounce.bounceType, ...(event.bounce.bounceSubType ? { subType: event.bounce.bounceSubType } : {}) }
      : { state: 'complained' as const, type: event.complaint.complaintFeedbackType ?? 'complaint', ...(event.complaint.complaintSubType ? { subType: event.complaint.complaintSubType } : {}) };
  const recipients = event.eventType === 'Bounce' ? event.bounce.bouncedRecipients : event.complaint.complainedRecipients;
  const marks = new Map<string, EmailStatus>();
  for (const { emailAddress } of recipients) {
    const email = Email.safeParse(emailAddress);
    if (!email.success) continue;
    const address = normaliseEmail(email.data);
    marks.set(address, { ...base, at, address });
  }
  if (marks.size === 0) return { ignored: `The ${type} event names no valid recipient address` };
  return { marks: { tenantId: tenant.data, marks: [...marks].map(([address, status]) => ({ address, status })) } };
}

/**
 * Whether `incoming` replaces what the contact has: anything replaces a status of another address;
 * the same status is not written again; a status that blocks is not replaced by one that does not
 * (a transient bounce after a permanent one); otherwise the newer wins.
 */
export function replaces(current: EmailStatus | undefined, incoming: EmailStatus): boolean {
  if (!current || current.address !== incoming.address) return true;
  if (current.state === incoming.state && current.type === incoming.type && current.subType === incoming.subType && current.at === incoming.at) return false;
  const blocks = emailBlocked(current);
  if (blocks !== emailBlocked(incoming)) return !blocks;
  return incoming.at > current.at;
}

export interface SesEventsDeps {
  contacts: Pick<ContactStore, 'findByEmail' | 'update'>;
  log?: Log;
}

export interface SesEventsResult {
  /** Contacts whose `emailStatus` was written. */
  marked: string[];
  /** Addresses with a contact that already had this status (or a stronger or newer one). */
  unchanged: number;
  /** Addresses the tenant has no contact with. */
  unknown: number;
  ignored?: string;
}

/** Rounds of read-and-update when a concurrent change of the contact wins (its version moved on). */
const MAX_ROUNDS = 5;

/** The SES events handler: one SES event (EventBridge-delivered or bare) -> the contacts marked. */
export function createSesEventsHandler(deps: SesEventsDeps) {
  const log = deps.log ?? defaultLog;

  async function mark(tenantId: string, address: string, status: EmailStatus): Promise<'unchanged' | 'unknown' | Contact> {
    for (let round = 1; ; round++) {
      const contact = await deps.contacts.findByEmail(tenantId, address);
      // The lookup is by the normalised address; a contact that changed its address in between is not marked.
      if (!contact?.email || normaliseEmail(contact.email) !== address) return 'unknown';
      if (!replaces(contact.emailStatus, status)) return 'unchanged';
      try {
        return await deps.contacts.update(tenantId, contact.id, { emailStatus: status }, contact.version, { current: contact });
      } catch (error) {
        if (!(error instanceof ConflictError) || round >= MAX_ROUNDS) throw error;
      }
    }
  }

  return async (event: unknown): Promise<SesEventsResult> => {
    const parsed = parseSesEvent(event);
    const result: SesEventsResult = { marked: [], unchanged: 0, unknown: 0 };
    if ('ignored' in parsed) {
      log({ level: 'WARN', message: 'SES event ignored', reason: parsed.ignored });
      return { ...result, ignored: parsed.ignored };
    }
    const { tenantId, marks } = parsed.marks;
    for (const { address, status } of marks) {
      const outcome = await mark(tenantId, address, status);
      if (outcome === 'unchanged') result.unchanged++;
      else if (outcome === 'unknown') result.unknown++;
      else {
        result.marked.push(outcome.id);
        log({ level: 'INFO', message: `Contact marked ${status.state}`, tenantId, contactId: outcome.id, type: status.type, at: status.at });
      }
    }
    return result;
  };
}
