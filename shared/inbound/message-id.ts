import { createHash } from 'node:crypto';

/**
 * Message-IDs as the inquiry records them and as duplicates are found by. RFC 5322 makes only the
 * domain part of an address-like identifier case-insensitive, so `<AbC@Example.COM>` and
 * `<abc@example.com>` are different messages; `<AbC@example.com>` is the first one again.
 */

/**
 * The Message-ID of a header value: the first `<…>` in it (comments and stray text dropped), or the
 * trimmed value when it has no angle brackets; control characters and line breaks removed, runs of
 * whitespace collapsed. Null when blank.
 */
export function messageIdOf(value: string | null | undefined): string | null {
  if (typeof value !== 'string') return null;
  const open = value.indexOf('<');
  const close = open < 0 ? -1 : value.indexOf('>', open);
  const id = (open >= 0 && close > open ? value.slice(open, close + 1) : value)
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return id === '' ? null : id;
}

/** The form duplicates are compared in: the domain part (after the last `@`) lower-cased, the local part as sent. */
export function messageIdKey(messageId: string): string {
  const at = messageId.lastIndexOf('@');
  return at < 0 ? messageId : messageId.slice(0, at) + messageId.slice(at).toLowerCase();
}

/** A stand-in for a Message-ID too long to keep: its SHA-256, so the same header gives the same stand-in. */
export function digestId(value: string | Buffer): string {
  return `sha256:${createHash('sha256').update(value).digest('hex')}`;
}
