import { randomBytes } from 'node:crypto';

/**
 * A small MIME composer for the mail automations send: headers encoded per RFC 2047, text and HTML
 * as `multipart/alternative`, attachments beside them in `multipart/mixed`, every body base64.
 * It replaces a general-purpose composer whose MIME-type tables alone were a third of a runner's
 * bundle. Nothing a value holds can start a header line: header values lose every control
 * character, and everything else is encoded.
 */

export interface MimeMessage {
  from: { name?: string; address: string };
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  attachments?: Array<{ filename: string; contentType: string; content: string }>;
}

const CRLF = '\r\n';

/** One line of printable text: control characters (CR, LF, NUL, ...) become spaces. */
const oneLine = (value: string) => value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();

/** An address as a header may hold it: nothing that could end the address or the line. */
const bareAddress = (value: string) => oneLine(value).replace(/[<>",;\s]/g, '');

/** Printable ASCII that needs no encoding in an unstructured header (and no `=?` that would look encoded). */
const plain = (value: string) => /^[\x20-\x7e]*$/.test(value) && !value.includes('=?');

/**
 * RFC 2047 encoded words (`=?UTF-8?B?...?=`), each at most 75 characters, never splitting a
 * character, folded onto continuation lines.
 */
export function encodeWords(value: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const char of value) {
    if (Buffer.byteLength(chunk + char, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

const unstructured = (value: string) => {
  const line = oneLine(value);
  return plain(line) ? line : encodeWords(line);
};

/** `Name <address>`: the name quoted when it is plain, encoded when it is not. */
function mailbox(address: string, name?: string): string {
  const bare = bareAddress(address);
  if (!name) return bare;
  const display = oneLine(name);
  const phrase = plain(display) ? `"${display.replace(/["\\]/g, (c) => `\\${c}`)}"` : encodeWords(display);
  return `${phrase} <${bare}>`;
}

/** Base64 in lines of 76 characters. */
const base64Lines = (content: string | Buffer) => (Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8')).toString('base64').replace(/.{76}(?=.)/g, `$&${CRLF}`);

/** A parameter value as a quoted string, restricted to characters that need no escaping. */
const parameter = (value: string) => `"${oneLine(value).replace(/[^A-Za-z0-9._ -]/g, '_')}"`;

const boundary = () => `----=_crm_${randomBytes(12).toString('hex')}`;

function part(headers: string[], body: string): string {
  return `${headers.join(CRLF)}${CRLF}${CRLF}${body}`;
}

function multipart(type: 'alternative' | 'mixed', parts: string[]): string {
  const b = boundary();
  return part([`Content-Type: multipart/${type}; boundary="${b}"`], `${parts.map((p) => `--${b}${CRLF}${p}`).join(CRLF)}${CRLF}--${b}--`);
}

/** The message as SES's raw content takes it. */
export function composeMessage(mail: MimeMessage): Buffer {
  const text = part(['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'], base64Lines(mail.text));
  const html = part(['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64'], base64Lines(mail.html));
  const attachments = (mail.attachments ?? []).map((a) =>
    part(
      [
        `Content-Type: ${oneLine(a.contentType).replace(/[^A-Za-z0-9/.;=+_ -]/g, '')}; name=${parameter(a.filename)}`,
        'Content-Transfer-Encoding: base64',
        `Content-Disposition: attachment; filename=${parameter(a.filename)}`,
      ],
      base64Lines(a.content),
    ),
  );
  const alternative = multipart('alternative', [text, html]);
  const body = attachments.length ? multipart('mixed', [alternative, ...attachments]) : alternative;
  const domain = bareAddress(mail.from.address).split('@')[1] || 'crm.invalid';
  const headers = [
    `From: ${mailbox(mail.from.address, mail.from.name)}`,
    `To: ${mailbox(mail.to)}`,
    ...(mail.replyTo ? [`Reply-To: ${mailbox(mail.replyTo)}`] : []),
    `Subject: ${unstructured(mail.subject)}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomBytes(16).toString('hex')}@${domain}>`,
    'MIME-Version: 1.0',
  ];
  return Buffer.from(`${headers.join(CRLF)}${CRLF}${body}${CRLF}`, 'utf8');
}
