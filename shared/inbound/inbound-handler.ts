import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SESEvent, SESEventRecord } from 'aws-lambda';
import { createHash } from 'node:crypto';
import type { Inquiry, InquiryInput } from '../model/inquiry.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { extractInquiry } from './extract.ts';
import { parseMail } from './mail.ts';
import { PORTALS, portalOf } from './portals.ts';
import { email, line } from './text.ts';

/** Messages above this size are recorded as refused and never parsed. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export interface InboundDeps {
  s3: S3Client;
  bucket: string;
  /** Where the receipt rule's S3 action puts raw messages. @default 'inbound/' */
  prefix?: string;
  stores: Pick<CrmStores, 'settings' | 'properties' | 'inquiries'>;
  maxBytes?: number;
  log?: (entry: Record<string, unknown>) => void;
}

export type InboundOutcome = { tenantId: string; inquiry: Inquiry; created: boolean };

/**
 * The inbound-mail function: for each SES receipt, finds the tenants the recipients belong to, and
 * records one inquiry per tenant and Message-ID. Spam or virus verdict FAIL and oversize messages
 * are recorded as refused without being parsed; everything else is read from S3 (the Lambda action
 * carries no body), parsed, extracted and linked to its property.
 */
export function createInboundHandler(deps: InboundDeps) {
  const prefix = deps.prefix ?? 'inbound/';
  const maxBytes = deps.maxBytes ?? MAX_MESSAGE_BYTES;
  const log = deps.log ?? ((entry) => console.log(JSON.stringify(entry)));

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
    const verdicts = { spam: receipt.spamVerdict?.status ?? 'PROCESSING_FAILED', virus: receipt.virusVerdict?.status ?? 'PROCESSING_FAILED' };
    const headerMessageId = line(mail.commonHeaders?.messageId, 998);
    const base = {
      sesMessageId: mail.messageId,
      from: line(mail.commonHeaders?.from?.[0] ?? mail.source),
      fromAddress: email(/<([^>]+)>\s*$/.exec(mail.commonHeaders?.from?.[0] ?? '')?.[1] ?? mail.commonHeaders?.from?.[0] ?? mail.source),
      subject: line(mail.commonHeaders?.subject, 998),
      receivedAt: new Date(mail.timestamp).toISOString(),
      verdicts,
    };

    let refusedReason: string | undefined;
    if (verdicts.spam === 'FAIL') refusedReason = 'Spam verdict FAIL';
    else if (verdicts.virus === 'FAIL') refusedReason = 'Virus verdict FAIL';
    let raw: Buffer | undefined;
    let size = 0;
    if (!refusedReason) {
      ({ raw, size } = await readRaw(key));
      if (!raw) refusedReason = `Message of ${size} bytes exceeds the limit of ${maxBytes} bytes`;
    }

    const outcomes: InboundOutcome[] = [];
    if (refusedReason || !raw) {
      const messageId = headerMessageId ?? `ses:${mail.messageId}`;
      for (const { tenantId, recipient } of tenants) {
        const input: InquiryInput = { ...base, status: 'refused', refusedReason, messageId, recipient, rawMessage: { bucket: deps.bucket, key, sizeBytes: size } };
        outcomes.push({ tenantId, ...(await deps.stores.inquiries.recordOnce(tenantId, input)) });
      }
      log({ level: 'WARN', message: 'Inquiry refused', reason: refusedReason, sesMessageId: mail.messageId });
      return outcomes;
    }

    const parsed = await parseMail(raw);
    const extracted = extractInquiry(parsed);
    const messageId = line(parsed.messageId, 998) ?? headerMessageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    for (const { tenantId, recipient } of tenants) {
      const propertyId = await resolveProperty(tenantId, extracted.propertyRef, extracted.portal, extracted.portalObjectId);
      const input: InquiryInput = {
        ...base,
        status: 'received',
        messageId,
        recipient,
        rawMessage: { bucket: deps.bucket, key, sizeBytes: size },
        format: extracted.format,
        extracted,
        ...(propertyId ? { propertyId } : {}),
      };
      const outcome = await deps.stores.inquiries.recordOnce(tenantId, input);
      log({ level: 'INFO', message: outcome.created ? 'Inquiry recorded' : 'Inquiry already recorded', tenantId, inquiryId: outcome.inquiry.id, format: extracted.format, propertyId });
      outcomes.push({ tenantId, ...outcome });
    }
    return outcomes;
  }

  return async (event: SESEvent): Promise<InboundOutcome[]> => {
    const outcomes: InboundOutcome[] = [];
    for (const record of event.Records) outcomes.push(...(await processRecord(record)));
    return outcomes;
  };
}
