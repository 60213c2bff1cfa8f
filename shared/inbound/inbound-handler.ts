import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SESEvent, SESEventRecord } from 'aws-lambda';
import { Inquiry, type InquiryInput } from '../model/inquiry.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { authenticateSender, type Authentication } from './authentication.ts';
import { INBOUND_LIMITS, type InboundLimits } from './limits.ts';
import { digestId, messageIdOf } from './message-id.ts';
import { parseInquiryMessage, type ParsedMessage } from './parse-message.ts';
import { PORTALS, portalOf } from './portals.ts';
import { line } from './text.ts';
import { log as defaultLog, type Log } from '../log.ts';

/** Messages above this size are recorded as refused and never parsed. */
export const MAX_MESSAGE_BYTES = INBOUND_LIMITS.maxMessageBytes;

export interface InboundDeps {
  s3: S3Client;
  bucket: string;
  /** Where the receipt rule's S3 action puts raw messages. @default 'inbound/' */
  prefix?: string;
  stores: Pick<CrmStores, 'settings' | 'properties' | 'inquiries'>;
  maxBytes?: number;
  /** Parsing bounds (see INBOUND_LIMITS); tests lower them. */
  limits?: Partial<InboundLimits>;
  log?: Log;
}

export type InboundOutcome = { tenantId: string; inquiry: Inquiry; created: boolean };

/** An input as it will be stored, checked before the write so that a bad value is a refusal, not a retry. */
const StoredInquiry = Inquiry.omit({ id: true, tenantId: true, version: true, createdAt: true, updatedAt: true, causedBy: true });

/**
 * The inbound-mail function: for each SES receipt, finds the tenants the recipients belong to and
 * records the message for each. Spam or virus verdict FAIL and oversize messages are recorded as
 * refused without being read; everything else is read from S3 (the Lambda action carries no body)
 * and parsed within the bounds (parseInquiryMessage, which never throws: a message over a bound or
 * that cannot be parsed is recorded as refused with the reason, never left to fail on every retry).
 * The sender is authenticated from SES's SPF/DKIM/DMARC verdicts (authenticateSender): only an
 * authenticated From domain sets `fromAddress`. Only S3 and the table can make it throw (and the
 * asynchronous invocation retry).
 */
export function createInboundHandler(deps: InboundDeps) {
  const prefix = deps.prefix ?? 'inbound/';
  const limits: InboundLimits = { ...INBOUND_LIMITS, ...deps.limits, ...(deps.maxBytes ? { maxMessageBytes: deps.maxBytes } : {}) };
  const maxBytes = limits.maxMessageBytes;
  const log = deps.log ?? defaultLog;

  async function tenantsOf(record: SESEventRecord): Promise<Array<{ tenantId: string; recipient: string }>> {
    const found = new Map<string, string>();
    for (const recipient of record.ses.receipt.recipients) {
      const tenantId = await deps.stores.settings.findTenantByInboundAddress(recipient);
      if (tenantId && !found.has(tenantId)) found.set(tenantId, recipient.toLowerCase());
    }
    return [...found].map(([tenantId, recipient]) => ({ tenantId, recipient }));
  }

  async function readRaw(key: string): Promise<{ raw?: Buffer; size: number }> {
    const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }));
    const size = object.ContentLength ?? 0;
    if (size > maxBytes) {
      (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return { size };
    }
    const raw = Buffer.from(await object.Body!.transformToByteArray());
    return raw.length > maxBytes ? { size: raw.length } : { raw, size: raw.length };
  }

  async function resolveProperty(tenantId: string, ref: string | null, portal: string | null, listingId: string | null) {
    if (ref) {
      const property = await deps.stores.properties.findByUnitId(tenantId, ref);
      if (property) return property.id;
    }
    if (listingId) {
      const known = portalOf(portal);
      for (const candidate of known ? [known] : PORTALS) {
        const property = await deps.stores.properties.findByPortalId(tenantId, candidate.key, listingId);
        if (property) return property.id;
      }
    }
    return undefined;
  }

  async function processRecord(record: SESEventRecord): Promise<InboundOutcome[]> {
    const { mail, receipt } = record.ses;
    const tenants = await tenantsOf(record);
    if (tenants.length === 0) {
      log({ level: 'WARN', message: 'No tenant for any recipient; message dropped', sesMessageId: mail.messageId, recipients: receipt.recipients });
      return [];
    }
    const key = `${prefix}${mail.messageId}`;
    const verdicts = verdictsOf(receipt as unknown as Record<string, unknown>);

    let refusedReason: string | undefined;
    if (verdicts.spam === 'FAIL') refusedReason = 'Spam verdict FAIL';
    else if (verdicts.virus === 'FAIL') refusedReason = 'Virus verdict FAIL';
    let parsed: ParsedMessage | undefined;
    let size = 0;
    if (!refusedReason) {
      const read = await readRaw(key);
      size = read.size;
      if (read.raw) parsed = await parseInquiryMessage(read.raw, limits);
      else refusedReason = `Message of ${size} bytes exceeds the limit of ${maxBytes} bytes`;
    }
    refusedReason ??= parsed?.refusedReason;

    // Unread messages are judged by SES's view of the headers; parsed ones by their own.
    const eventHeaders = (name: string) =>
      mail.headersTruncated ? [] : (mail.headers ?? []).filter((h) => typeof h?.name === 'string' && h.name.toLowerCase() === name).map((h) => String(h.value ?? ''));
    const sesFrom = Array.isArray(mail.commonHeaders?.from) ? mail.commonHeaders.from.map(String) : [];
    const sender = authenticateSender({
      verdicts,
      fromFields: parsed ? parsed.fromFields : mail.headersTruncated || !mail.headers?.length ? sesFrom : eventHeaders('from'),
      sesFrom,
      ...(parsed?.parsedFrom ? { parsedFrom: parsed.parsedFrom } : {}),
      dkimSignatures: parsed ? parsed.dkimSignatures : eventHeaders('dkim-signature'),
    });
    const messageId = parsed?.messageId ?? eventMessageId(mail.commonHeaders?.messageId, limits) ?? `ses:${mail.messageId}`;
    const base = {
      sesMessageId: mail.messageId,
      messageId,
      from: parsed?.from ?? line(sesFrom.join(', ') || mail.source),
      ...senderFields(sender),
      subject: parsed?.subject ?? line(mail.commonHeaders?.subject, 998),
      receivedAt: isoTime(mail.timestamp),
      verdicts,
      rawMessage: { bucket: deps.bucket, key, sizeBytes: size },
    };

    const outcomes: InboundOutcome[] = [];
    for (const { tenantId, recipient } of tenants) {
      let input: InquiryInput = refusedReason
        ? { ...base, recipient, status: 'refused', refusedReason }
        : {
            ...base,
            recipient,
            status: 'received',
            format: parsed!.format!,
            extracted: parsed!.extracted!,
            ...(await propertyOf(tenantId, parsed!)),
          };
      const checked = StoredInquiry.safeParse(input);
      if (!checked.success) {
        // Never expected (every value is bounded on the way in); still a record, never a retry.
        const problem = checked.error.issues[0];
        const reason = `The inquiry could not be recorded: ${problem?.path.join('.')} ${problem?.message}`;
        input = { ...base, messageId: digestId(messageId), from: line(base.from), subject: line(base.subject, 998), recipient, status: 'refused', refusedReason: line(reason, 500)! };
      }
      const outcome = await deps.stores.inquiries.recordOnce(tenantId, input);
      outcomes.push({ tenantId, ...outcome });
      log({
        level: input.status === 'refused' ? 'WARN' : 'INFO',
        message: input.status === 'refused' ? 'Inquiry refused' : outcome.created ? 'Inquiry recorded' : 'Inquiry already recorded',
        tenantId,
        inquiryId: outcome.inquiry.id,
        sesMessageId: mail.messageId,
        ...(input.status === 'refused' ? { reason: input.refusedReason } : { format: input.format, propertyId: input.propertyId }),
        authenticated: sender.authenticated,
        ...(parsed ? { parseMs: Math.round(parsed.ms) } : {}),
      });
    }
    return outcomes;
  }

  async function propertyOf(tenantId: string, parsed: ParsedMessage): Promise<{ propertyId?: string }> {
    const extracted = parsed.extracted!;
    const propertyId = await resolveProperty(tenantId, extracted.propertyRef, extracted.portal, extracted.portalObjectId);
    return propertyId ? { propertyId } : {};
  }

  return async (event: SESEvent): Promise<InboundOutcome[]> => {
    const outcomes: InboundOutcome[] = [];
    for (const record of event.Records) outcomes.push(...(await processRecord(record)));
    return outcomes;
  };
}

/** SES's verdicts, as SES sent them; a verdict missing from the receipt is PROCESSING_FAILED. */
function verdictsOf(receipt: Record<string, unknown>) {
  const status = (name: string) => {
    const value = (receipt[name] as { status?: unknown } | undefined)?.status;
    return (typeof value === 'string' && line(value, 40)) || 'PROCESSING_FAILED';
  };
  return { spam: status('spamVerdict'), virus: status('virusVerdict'), spf: status('spfVerdict'), dkim: status('dkimVerdict'), dmarc: status('dmarcVerdict') };
}

function senderFields(sender: Authentication) {
  return {
    fromAddress: sender.authenticated ? sender.address : null,
    authenticated: sender.authenticated,
    authenticationReason: line(sender.reason, 500) ?? undefined,
  };
}

/** SES's Message-ID of a message that was not read: kept if within the limit, else its digest. */
function eventMessageId(value: unknown, limits: InboundLimits): string | null {
  const id = messageIdOf(typeof value === 'string' ? value : null);
  if (id === null) return null;
  return Buffer.byteLength(id) > limits.maxMessageIdBytes ? digestId(id) : id;
}

function isoTime(value: unknown): string {
  const date = new Date(typeof value === 'string' ? value : Date.now());
  return Number.isNaN(date.getTime()) ? new Date().toISOString() : date.toISOString();
}
