/**
 * Hostile inbound messages, built in code (they are too big for fixtures): for the inbound tests
 * over SMTP, the parser's unit and property tests, and the bench (`1 MB hostile message`).
 * Every builder returns the raw message with CRLF line endings and lines under SMTP's 1,000.
 */

export interface HostileOptions {
  messageId?: string;
  from?: string;
  /** Extra header lines, e.g. `X-Local-Dmarc-Verdict: PASS` for the local SMTP stand-in. */
  headers?: string[];
}

const CRLF = '\r\n';

/** Header lines, a blank line, and the body. */
export function message(headers: string[], body: string): Buffer {
  return Buffer.from(`${headers.join(CRLF)}${CRLF}${CRLF}${body}`);
}

/** Cuts a long string into lines of `width` (SMTP's line limit is 1,000 octets). */
export function wrap(text: string, width = 76): string {
  const lines: string[] = [];
  for (let at = 0; at < text.length; at += width) lines.push(text.slice(at, at + width));
  return lines.join(CRLF);
}

const head = (options: HostileOptions, subject: string, extra: string[] = []) => [
  `From: ${options.from ?? 'Mallory <mallory@attacker.example>'}`,
  'To: anfragen@meine-immobilien.de',
  `Subject: ${subject}`,
  `Message-ID: ${options.messageId ?? `<hostile-${Math.random().toString(36).slice(2)}@attacker.example>`}`,
  'Date: Fri, 20 Nov 2026 14:03:00 +0100',
  'MIME-Version: 1.0',
  ...(options.headers ?? []),
  ...extra,
];

/** An HTML-only message of `bytes` of unclosed tags (`<div>a<div>a…`), which htmlparser2's Parser takes quadratic time on. */
export function unclosedHtmlMessage(bytes = 240 * 1024, options: HostileOptions = {}): Buffer {
  // Lines of whole tags (12 of them, 72 characters), so no line break falls inside a tag.
  return message(head(options, 'Anfrage', ['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit']), wrap('<div>a'.repeat(Math.ceil(bytes / 6)), 72));
}

/** A message whose XML attachment is `count` unclosed `<!DOCTYPE` declarations after an OpenImmo root. */
export function doctypeXmlMessage(count = 30_000, options: HostileOptions = {}): Buffer {
  const xml = `<?xml version="1.0"?><openimmo_feedback>${'<!DOCTYPE a '.repeat(count)}`;
  return message(head(options, 'Anfrage mit XML', ['Content-Type: multipart/mixed; boundary="b"']), [
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Anbei die Anfrage.',
    '--b',
    'Content-Type: application/xml; name="feedback.xml"',
    'Content-Disposition: attachment; filename="feedback.xml"',
    'Content-Transfer-Encoding: base64',
    '',
    wrap(Buffer.from(xml).toString('base64')),
    '--b--',
    '',
  ].join(CRLF));
}

/** A plain message whose Message-ID is `bytes` long. */
export function longMessageIdMessage(bytes = 2048, options: HostileOptions = {}): Buffer {
  const id = `<${'x'.repeat(Math.max(1, bytes - 'attacker.example'.length - 3))}@attacker.example>`;
  return message(head({ ...options, messageId: id }, 'Anfrage', ['Content-Type: text/plain; charset=utf-8']), 'Ist die Wohnung noch frei?');
}

/** A plain message with `count` extra header fields. */
export function manyHeadersMessage(count = 50_000, options: HostileOptions = {}): Buffer {
  const extra = Array.from({ length: count }, (_, i) => `X-Filler-${i}: ${i}`);
  return message(head(options, 'Anfrage', ['Content-Type: text/plain; charset=utf-8', ...extra]), 'Ist die Wohnung noch frei?');
}

/** Multiparts nested `depth` deep, each the only part of the one around it, a text part innermost. */
export function nestedPartsMessage(depth = 3_000, options: HostileOptions = {}): Buffer {
  const opening: string[] = [];
  const closing: string[] = [];
  for (let i = 1; i < depth; i++) {
    opening.push(`--n${i - 1}`, `Content-Type: multipart/mixed; boundary="n${i}"`, '');
    closing.unshift(`--n${i}--`);
  }
  return message(head(options, 'Anfrage', ['Content-Type: multipart/mixed; boundary="n0"']), [
    ...opening,
    `--n${depth - 1}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Ist die Wohnung noch frei?',
    ...closing,
    '--n0--',
    '',
  ].join(CRLF));
}

/**
 * A portal's plain-text inquiry as a forger would send it: `From: ImmobilienScout24
 * <noreply@immobilienscout24.de>`, naming `victim` as the prospect, so that an automation keyed on
 * the portal's sender address would create a contact for the victim and mail them.
 */
export function portalInquiry(victim: string, options: HostileOptions = {}): Buffer {
  return message(
    head({ from: 'ImmobilienScout24 <noreply@immobilienscout24.de>', ...options }, 'Kontaktanfrage zu Ihrem Objekt (Scout-ID: 148923311)', [
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
    ]),
    [
      'Sie haben eine neue Anfrage zu Ihrem Objekt erhalten.',
      '',
      'Scout-ID: 148923311',
      'Ihre Objekt-Nr.: MI-2026-014',
      'Anrede: Frau',
      'Vorname: Vera',
      'Nachname: Opfer',
      `E-Mail: ${victim}`,
      '',
      'Nachricht Ihrer Interessent:innen:',
      'Bitte senden Sie mir das Exposé und Ihren Newsletter.',
      '',
    ].join(CRLF),
  );
}

/**
 * The bench's hostile message: about 1 MB that keeps every parsing bound, so all of it is parsed:
 * 900 header fields, an HTML body of unclosed tags inside a web form's field (`<div
 * id="client_message"><b>a &amp; b</i><b>a &amp; b</i>…`: every text is 60,000 elements deep,
 * every closing tag closes nothing), with no e-mail or name field, so both the tagged-form reader
 * and the HTML-to-text conversion walk all of it; and an OpenImmo XML attachment of unclosed DOCTYPEs.
 */
export function hostileMessage(bytes = 1024 * 1024, options: HostileOptions = {}): Buffer {
  const filler = Array.from({ length: 900 }, (_, i) => `X-Filler-${i}: ${'v'.repeat(40)}`);
  const xml = `<?xml version="1.0"?><openimmo_feedback>${'<!DOCTYPE a ['.repeat(4_000)}`;
  const attachment = wrap(Buffer.from(xml).toString('base64'));
  const unit = '<b>a &amp; b</i>';
  const units = unit.repeat(Math.max(0, Math.floor((bytes - attachment.length - filler.length * 56) / unit.length)));
  return message(head(options, 'Anfrage', ['Content-Type: multipart/mixed; boundary="h"', ...filler]), [
    '--h',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    '<html><body><div id="client_message">',
    wrap(units, unit.length * Math.floor(900 / unit.length)),
    '--h',
    'Content-Type: application/xml; name="feedback.xml"',
    'Content-Disposition: attachment; filename="feedback.xml"',
    'Content-Transfer-Encoding: base64',
    '',
    attachment,
    '--h--',
    '',
  ].join(CRLF));
}
