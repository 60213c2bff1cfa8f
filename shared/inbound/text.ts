import { FIELD_LIMITS, type ExtractedInquiry } from '../model/inquiry.ts';
import { truncate } from '../text.ts';

/**
 * Normalising what an inquiry yields. Every value stays plain text: nothing is interpreted as
 * markup, and single-line values lose every line break and control character, so none can ever
 * reach a mail header with a line break in it.
 */

/** A single-line value: control characters (CR, LF, tab, ...) become spaces; blank is null. */
export function line(value: unknown, max: number = FIELD_LIMITS.line): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value)
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text === '' ? null : truncate(text, max);
}

/** A multi-line text: keeps line breaks and tabs, drops other control characters, trims, caps. */
export function text(value: unknown, max: number = FIELD_LIMITS.message): string | null {
  if (typeof value !== 'string') return null;
  const cleaned = value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
  return cleaned === '' ? null : truncate(cleaned, max);
}

/** `Herr`/`Frau` and their usual spellings to `mr`/`ms`; anything else (Divers, Firma, ...) to null. */
export function salutation(value: unknown): 'mr' | 'ms' | null {
  const v = line(value)?.toLowerCase().replace(/\.$/, '');
  if (!v) return null;
  if (['herr', 'hr', 'mr', 'mister', 'male', 'm'].includes(v)) return 'mr';
  if (['frau', 'fr', 'ms', 'mrs', 'female', 'w', 'f'].includes(v)) return 'ms';
  return null;
}

/** An e-mail address, trimmed and lower-cased; null unless it looks like one. */
export function email(value: unknown): string | null {
  const v = line(value, FIELD_LIMITS.email)?.toLowerCase();
  return v && /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/.test(v) ? v : null;
}

export function phone(value: unknown): string | null {
  const v = line(value, FIELD_LIMITS.phone);
  return v && /\d/.test(v) ? v : null;
}

/** Splits a display name into first and last name at the last space ("Sabine Krüger"). */
export function splitName(name: string | null): { firstName: string | null; lastName: string | null } {
  const clean = line(name)?.replace(/^"|"$/g, '').trim() ?? null;
  if (!clean) return { firstName: null, lastName: null };
  if (clean.includes(',')) {
    const [last, first] = clean.split(',', 2).map((s) => s.trim());
    return { firstName: line(first, FIELD_LIMITS.name), lastName: line(last, FIELD_LIMITS.name) };
  }
  const at = clean.lastIndexOf(' ');
  if (at < 0) return { firstName: null, lastName: line(clean, FIELD_LIMITS.name) };
  return { firstName: line(clean.slice(0, at), FIELD_LIMITS.name), lastName: line(clean.slice(at + 1), FIELD_LIMITS.name) };
}

/** `2026-11-20` or `20.11.2026` (the two forms OpenImmo feeds use) to `YYYY-MM-DD`. */
export function isoDate(value: unknown): string | null {
  const v = line(value, 40);
  if (!v) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  const german = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(v);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : german ? [german[3], german[2]!.padStart(2, '0'), german[1]!.padStart(2, '0')] : [];
  if (!y) return null;
  const date = new Date(`${y}-${m}-${d}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== `${y}-${m}-${d}` ? null : `${y}-${m}-${d}`;
}

/** The first `max` UTF-16 units, without a surrogate pair cut in half; copies no more than that. */

/** An extracted inquiry: what a format found, with everything it did not find absent. */
export function extracted(format: ExtractedInquiry['format'], found: Partial<Omit<ExtractedInquiry, 'format'>>): ExtractedInquiry {
  return {
    format,
    portal: null,
    salutation: null,
    firstName: null,
    lastName: null,
    email: null,
    phone: null,
    message: null,
    propertyRef: null,
    portalObjectId: null,
    preferredContact: [],
    wishes: [],
    sentOn: null,
    address: null,
    ...found,
  };
}
