import { simpleParser, type AddressObject, type SimpleParserOptions } from 'mailparser';
import { INBOUND_LIMITS, type InboundLimits } from './limits.ts';

/** The parts of a MIME message that extraction reads. */
export interface Mail {
  messageId: string | null;
  from: { name: string | null; address: string | null };
  /** Every address the From header names, as mailparser reads them (groups flattened). */
  fromAddresses: string[];
  /** The From header as mailparser renders it (decoded display names), for people. */
  fromText: string | null;
  replyTo: string | null;
  subject: string | null;
  date: Date | null;
  text: string | null;
  html: string | null;
  attachments: Array<{ filename: string | null; contentType: string; charset: string | null; content: Buffer }>;
}

/**
 * Parses raw MIME with mailparser; HTML is kept as the sender wrote it and never rendered.
 * mailsplit's own limits (header bytes per part, number of parts) are set above the inbound limits
 * as a backstop: scanMessage refuses what is over those first, with a readable reason. Throws what
 * mailparser throws; the caller records such a message as refused.
 */
export async function parseMail(raw: Buffer, limits: InboundLimits = INBOUND_LIMITS): Promise<Mail> {
  const options = {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    maxHeadSize: Math.max(1024 * 1024, limits.maxHeaderBytes * 2),
    maxChildNodes: limits.maxParts * 2,
  } as SimpleParserOptions;
  const parsed = await simpleParser(raw, options);
  const list = (value: AddressObject | AddressObject[] | undefined) => (Array.isArray(value) ? value : value ? [value] : []);
  const first = (value: AddressObject | AddressObject[] | undefined) => list(value)[0]?.value[0];
  const from = first(parsed.from);
  const fromAddresses = list(parsed.from)
    .flatMap((o) => o.value)
    .flatMap((a) => (a.group ? a.group : [a]))
    .map((a) => a.address ?? '');
  return {
    messageId: parsed.messageId ?? null,
    from: { name: from?.name || null, address: from?.address || null },
    fromAddresses,
    fromText: list(parsed.from).map((o) => o.text).join(', ') || null,
    replyTo: first(parsed.replyTo)?.address || null,
    subject: parsed.subject ?? null,
    date: parsed.date ?? null,
    text: parsed.text ?? null,
    html: typeof parsed.html === 'string' ? parsed.html : null,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? null,
      contentType: (a.contentType ?? 'application/octet-stream').toLowerCase(),
      charset: (a.headers.get('content-type') as { params?: { charset?: string } } | undefined)?.params?.charset ?? null,
      content: a.content,
    })),
  };
}
