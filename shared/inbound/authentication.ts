import { email } from './text.ts';

/**
 * Whether the domain in a message's From header is authenticated, from SES's verdicts.
 *
 * SES's receipt carries only verdicts (`spfVerdict`, `dkimVerdict`, `dmarcVerdict`: PASS, FAIL,
 * GRAY, PROCESSING_FAILED), not the domains they were reached for. The rule:
 *
 * 1. The message has exactly one From field naming exactly one address, and SES's
 *    `commonHeaders.from` and the MIME parser read that same address; anything else (two From
 *    fields, a group, a list, an address the readers disagree on) is never authenticated: it is
 *    exactly how a forged From slips past DMARC.
 * 2. DMARC PASS authenticates the From domain: DMARC is evaluated for that domain and passes only
 *    with an SPF or DKIM pass aligned with it.
 * 3. DMARC FAIL never authenticates.
 * 4. Otherwise (DMARC GRAY: the domain publishes no DMARC record; or PROCESSING_FAILED), DKIM PASS
 *    authenticates if every DKIM-Signature in the message is aligned with the From domain: its
 *    `d=` is that domain or a parent of it (`mail.portal.de` is signed by `portal.de`). SES does
 *    not say which signature passed, so a message with any signature from another domain is not
 *    authenticated this way (a pass might be that other domain's).
 * 5. SPF alone never authenticates: it is about the envelope sender, not the From header.
 *
 * `Authentication-Results` headers in the message are ignored: anyone can write one.
 */

export interface AuthenticationVerdicts {
  spf: string;
  dkim: string;
  dmarc: string;
}

export interface AuthenticationInput {
  verdicts: AuthenticationVerdicts;
  /** Values of the message's own From header fields. */
  fromFields: readonly string[];
  /** SES's `commonHeaders.from` (one string per address); undefined where there is no SES event. */
  sesFrom?: readonly string[];
  /** The addresses the MIME parser read from the From header, when the message was parsed. */
  parsedFrom?: readonly string[];
  /** Values of the message's own DKIM-Signature fields. */
  dkimSignatures: readonly string[];
}

export interface Authentication {
  authenticated: boolean;
  /** The From address, lower-cased, when it is exactly one readable address (authenticated or not). */
  address: string | null;
  /** Why, for people: which verdict authenticated the domain, or why none did. */
  reason: string;
}

/** Authenticates the From domain by the rule above. */
export function authenticateSender(input: AuthenticationInput): Authentication {
  const { verdicts } = input;
  const no = (reason: string, address: string | null = null): Authentication => ({ authenticated: false, address, reason });
  if (input.fromFields.length !== 1) return no(`The message has ${input.fromFields.length} From header fields; only one can be authenticated`);
  const mailboxes = mailboxesOf(input.fromFields[0]!);
  if (!mailboxes) return no('The From header cannot be read unambiguously (a group, an unclosed quote, comment or bracket)');
  if (mailboxes.length !== 1) return no(`The From header names ${mailboxes.length} addresses; only one can be authenticated`);
  const address = email(mailboxes[0]);
  if (!address) return no('The From header holds no valid address');
  if (input.sesFrom !== undefined) {
    // SES gives one entry per address, display names possibly decoded (and so holding any
    // character): only the address in each is compared.
    if (input.sesFrom.length !== 1 || email(angleAddress(input.sesFrom[0]!)) !== address) return no(`SES read the From header differently from ${address}`, address);
  }
  if (input.parsedFrom !== undefined) {
    if (input.parsedFrom.length !== 1 || email(input.parsedFrom[0]) !== address) return no(`The MIME parser read the From header differently from ${address}`, address);
  }
  const domain = domainOf(address);
  if (verdicts.dmarc === 'PASS') return { authenticated: true, address, reason: `DMARC PASS for ${domain}` };
  if (verdicts.dmarc === 'FAIL') return no(`DMARC FAIL for ${domain}`, address);
  const unauthenticated = `SPF ${verdicts.spf}, DKIM ${verdicts.dkim}, DMARC ${verdicts.dmarc}: ${domain} is not authenticated`;
  if (verdicts.dkim !== 'PASS') return no(unauthenticated, address);
  const signers = input.dkimSignatures.map(signingDomain);
  if (signers.length === 0) return no(`DKIM PASS without a DKIM-Signature naming a domain; ${unauthenticated}`, address);
  const foreign = signers.filter((d) => !aligned(d, domain));
  if (foreign.length > 0) return no(`DKIM PASS, but signed by ${[...new Set(foreign)].map((d) => d || '(no d=)').join(', ')}, not aligned with ${domain}`, address);
  return { authenticated: true, address, reason: `DKIM PASS, signed by ${[...new Set(signers)].join(', ')} (aligned with ${domain}; no DMARC record)` };
}

/** The address of one `Name <address>` entry: between its last `<` and the `>` after it, else the whole entry. */
function angleAddress(entry: string): string {
  const open = entry.lastIndexOf('<');
  const close = open < 0 ? -1 : entry.indexOf('>', open);
  return open >= 0 && close > open ? entry.slice(open + 1, close) : entry.trim();
}

/** The domain of an address, lower-cased, without a trailing dot. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase().replace(/\.$/, '');
}

/** The `d=` tag of a DKIM-Signature value, lower-cased, whitespace removed; '' without one. */
export function signingDomain(signature: string): string {
  for (const tag of signature.split(';')) {
    const equals = tag.indexOf('=');
    if (equals < 0 || tag.slice(0, equals).trim().toLowerCase() !== 'd') continue;
    return tag.slice(equals + 1).replace(/\s+/g, '').toLowerCase().replace(/\.$/, '');
  }
  return '';
}

/** `d=` is the From domain, or a parent domain of it with at least two labels. */
export function aligned(signer: string, fromDomain: string): boolean {
  if (!signer.includes('.')) return false;
  return signer === fromDomain || fromDomain.endsWith(`.${signer}`);
}

/**
 * The addresses of an address-list header value (RFC 5322 `mailbox-list`), or undefined when it
 * cannot be read unambiguously: a group (`name: a, b;`), two angle addresses in one mailbox, or an
 * unclosed quote, comment or angle bracket. One pass over the value; comments nest.
 */
export function mailboxesOf(value: string): string[] | undefined {
  const addresses: string[] = [];
  let bare = '';
  let angle: string | null = null;
  let angles = 0;
  let quoted = false;
  let comment = 0;
  const finish = () => {
    const address = angle ?? bare.trim();
    if (address !== '' || angles > 0) addresses.push(address.trim());
    bare = '';
    angle = null;
    angles = 0;
  };
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (comment > 0) {
      if (c === '\\') i++;
      else if (c === '(') comment++;
      else if (c === ')') comment--;
      continue;
    }
    if (inAngle) {
      if (c === '>') inAngle = false;
      else if (c === '<') return undefined;
      else angle += c;
      continue;
    }
    if (c === '"') {
      quoted = true;
      bare = '';
    } else if (c === '(') comment = 1;
    else if (c === '<') {
      if (++angles > 1) return undefined;
      inAngle = true;
      angle = '';
    } else if (c === ',') finish();
    else if (c === ':' || c === ';' || c === '>') return undefined;
    else if (angle === null) bare += c;
    else if (c.trim() !== '') return undefined; // text after the angle address
  }
  if (quoted || comment > 0 || inAngle) return undefined;
  finish();
  return addresses;
}
