import { domainToASCII, domainToUnicode } from 'node:url';
import type { FieldError } from '../errors.ts';

/** The platform's own inbound domain when nothing else is configured (`PLATFORM_INBOUND_DOMAIN`). */
export const DEFAULT_PLATFORM_INBOUND_DOMAIN = 'inbound.crm.example';

const MAX_DOMAIN = 253;
const MAX_LABEL = 63;
const LDH = /^[a-z0-9-]+$/;
/** A top-level label: letters only, or an IDNA A-label. Refuses IP literals (`10.0.0.1`) and numeric TLDs. */
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * Why `value` is not a domain a tenant may send from, as a field error on `path`, or undefined.
 * Strict on purpose, since the domain becomes an SES identity, a DNS name and a uniqueness key:
 * lower-case ASCII only (an internationalised name is registered in its `xn--` form), at least
 * two labels of 1–63 letters, digits and hyphens, no hyphen at a label's start or end, no `--` in
 * the third and fourth place unless it is a valid IDNA A-label (`xn--`), at most 253 characters, no
 * trailing dot, no IP literal (the top-level label has letters only), and never the platform's
 * inbound domain or a name under it.
 */
export function domainProblem(value: unknown, path: string, platformInboundDomain: string): FieldError | undefined {
  const problem = (code: string, message: string, params?: Record<string, unknown>): FieldError => ({ path, code, message, ...(params ? { params } : {}) });
  if (typeof value !== 'string') return problem(value === undefined ? 'required' : 'invalid_type', 'A domain name is required', value === undefined ? undefined : { expected: 'string' });
  if (value.length === 0) return problem('required', 'A domain name is required');
  if (value.length > MAX_DOMAIN) return problem('too_big', `At most ${MAX_DOMAIN} characters`, { maximum: MAX_DOMAIN, origin: 'string' });
  if (/[\x00-\x20\x7f]/.test(value)) return problem('invalid_characters', 'A domain name has no spaces or control characters');
  if (/^\[.*\]$/.test(value) || /^[0-9.]+$/.test(value) || /^[0-9a-f:.]*:[0-9a-f:.]*$/i.test(value)) return problem('ip_literal', 'An IP address is not a domain name');
  if (value !== value.toLowerCase()) {
    return problem('not_lower_case', 'Domain names are written in lower case', { suggestion: value.toLowerCase() });
  }
  if (/[^\x21-\x7e]/.test(value)) {
    const ascii = domainToASCII(value);
    return problem('not_ascii', 'Write an internationalised domain name in its ASCII (xn--) form', ascii ? { suggestion: ascii } : undefined);
  }
  if (value.endsWith('.')) return problem('trailing_dot', 'Leave out the trailing dot', { suggestion: value.replace(/\.+$/, '') });
  const labels = value.split('.');
  if (labels.length < 2) return problem('single_label', 'A domain name has at least two labels (e.g. acme-immobilien.de)');
  for (const label of labels) {
    if (label.length === 0) return problem('empty_label', 'A domain name has no empty labels (two dots in a row)');
    if (label.length > MAX_LABEL) return problem('label_too_long', `Each label has at most ${MAX_LABEL} characters`, { label: label.slice(0, 70), maximum: MAX_LABEL });
    if (!LDH.test(label)) return problem('invalid_characters', 'Labels consist of the letters a–z, digits and hyphens', { label });
    if (label.startsWith('-') || label.endsWith('-')) return problem('hyphen_position', 'A label neither starts nor ends with a hyphen', { label });
    if (label.slice(2, 4) === '--') {
      if (!label.startsWith('xn--')) return problem('reserved_label', 'Labels with "--" in the third and fourth place are reserved (only xn-- IDNA labels)', { label });
      // An A-label must decode and encode back to itself; otherwise it is no IDNA name at all.
      const unicode = domainToUnicode(label);
      if (!unicode || unicode === label || domainToASCII(unicode) !== label) return problem('invalid_idna', 'Not a valid IDNA A-label', { label });
    }
  }
  if (!TLD.test(labels.at(-1)!)) return problem('invalid_tld', 'The last label is letters only (or an xn-- label); IP addresses are not domain names', { label: labels.at(-1) });
  if (domainToASCII(value) !== value) return problem('invalid_idna', 'Not a valid IDNA domain name');
  if (value === platformInboundDomain || value.endsWith(`.${platformInboundDomain}`)) {
    return problem('reserved_domain', `${platformInboundDomain} belongs to the platform`, { domain: platformInboundDomain });
  }
  return undefined;
}

/** The domain part of an address (after the last `@`), lower-cased. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).trim().toLowerCase();
}

/** The local part of an address (before the last `@`), lower-cased. */
export function localPartOf(address: string): string {
  return address.slice(0, address.lastIndexOf('@')).trim().toLowerCase();
}
