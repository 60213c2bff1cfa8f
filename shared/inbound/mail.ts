import { simpleParser, type AddressObject } from 'mailparser';

/** The parts of a MIME message that extraction reads. */
export interface Mail {
  messageId: string | null;
  from: { name: string | null; address: string | null };
  replyTo: string | null;
  subject: string | null;
  date: Date | null;
  text: string | null;
  html: string | null;
  attachments: Array<{ filename: string | null; contentType: string; charset: string | null; content: Buffer }>;
}

/** Parses raw MIME with mailparser; HTML is kept as the sender wrote it and never rendered. */
export async function parseMail(raw: Buffer): Promise<Mail> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const first = (value: AddressObject | AddressObject[] | undefined) => (Array.isArray(value) ? value[0] : value)?.value[0];
  const from = first(parsed.from);
  return {
    messageId: parsed.messageId ?? null,
    from: { name: from?.name || null, address: from?.address || null },
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
