import { ExtractedInquiry, type InquiryFormat } from '../model/inquiry.ts';
import { extractInquiry } from './extract.ts';
import { INBOUND_LIMITS, type InboundLimits } from './limits.ts';
import { parseMail } from './mail.ts';
import { digestId, messageIdOf } from './message-id.ts';
import { headerValues, scanMessage, type MessageScan } from './mime-scan.ts';
import { line } from './text.ts';

/** What a raw inquiry message yields: the inquiry's fields, or why it was refused. */
export interface ParsedMessage {
  status: 'received' | 'refused';
  /** Why the message was refused, for people (a bound it broke, or what the parser said). */
  refusedReason?: string;
  /**
   * The Message-ID (see messageIdOf); a SHA-256 stand-in when it is over the limit, or (for a
   * message without one) the SHA-256 of the message; null only when a refused message has none.
   */
  messageId: string | null;
  /** The From header, for people (display names decoded when the message was parsed). */
  from: string | null;
  subject: string | null;
  /** For authenticateSender: the message's own From and DKIM-Signature values, and mailparser's From addresses. */
  fromFields: string[];
  parsedFrom?: string[];
  dkimSignatures: string[];
  format?: InquiryFormat;
  extracted?: ExtractedInquiry;
  stats: MessageScan['stats'];
  /** Milliseconds the parse took. */
  ms: number;
}

/**
 * Parses a raw inquiry message within the limits, and never throws: the linear pre-scan
 * (scanMessage) checks the header, part and nesting bounds and the Message-ID's length before
 * mailparser runs; what mailparser or extraction throw, and an extraction the schema refuses,
 * become a refusal with the reason. Every step is linear in the message's size, so a message of
 * 10 MB (the size limit) is parsed or refused in bounded time.
 */
export async function parseInquiryMessage(raw: Buffer, limits: InboundLimits = INBOUND_LIMITS): Promise<ParsedMessage> {
  const started = performance.now();
  let scan: MessageScan;
  try {
    scan = scanMessage(raw, limits);
  } catch (error) {
    // Not expected: the scan reads bytes and offsets only. Still a refusal, never a retry.
    scan = { refusal: `The message could not be scanned: ${describe(error)}`, headers: [], stats: { headerFields: 0, headerBytes: 0, parts: 0, depth: 0 } };
  }
  const values = (name: string) => headerValues(raw, scan.headers, name);
  const fromFields = values('from');
  const base = {
    fromFields,
    dkimSignatures: values('dkim-signature'),
    from: line(fromFields.join(', ')),
    subject: line(values('subject')[0], 998),
    stats: scan.stats,
  };
  const refused = (reason: string, messageId: string | null): ParsedMessage => ({
    ...base,
    status: 'refused',
    refusedReason: line(reason, 500) ?? 'Refused',
    messageId,
    ms: performance.now() - started,
  });

  const header = values('message-id')[0];
  let messageId = messageIdOf(header);
  if (messageId !== null && Buffer.byteLength(messageId) > limits.maxMessageIdBytes) {
    const bytes = Buffer.byteLength(messageId);
    return refused(`The Message-ID of ${bytes} bytes exceeds the limit of ${limits.maxMessageIdBytes} bytes`, digestId(messageId));
  }
  if (scan.refusal) return refused(scan.refusal, messageId);

  try {
    const mail = await parseMail(raw, limits);
    const extracted = ExtractedInquiry.safeParse(extractInquiry(mail));
    if (!extracted.success) return refused(`The inquiry read from the message is invalid: ${extracted.error.issues[0]?.message ?? 'unknown'}`, messageId);
    messageId ??= digestId(raw);
    return {
      ...base,
      status: 'received',
      messageId,
      from: line(mail.fromText) ?? base.from,
      subject: line(mail.subject, 998) ?? base.subject,
      parsedFrom: mail.fromAddresses,
      format: extracted.data.format,
      extracted: extracted.data,
      ms: performance.now() - started,
    };
  } catch (error) {
    return refused(`The message could not be parsed: ${describe(error)}`, messageId);
  }
}

function describe(error: unknown): string {
  return line(error instanceof Error ? error.message : String(error), 300) ?? 'unknown error';
}
