import { describe, expect, it } from 'vitest';
import { aligned, authenticateSender, mailboxesOf, signingDomain, type AuthenticationInput } from '#shared/inbound/authentication';

const PORTAL = 'ImmobilienScout24 <noreply@immobilienscout24.de>';
const sig = (d: string) => `v=1; a=rsa-sha256; c=relaxed/relaxed; d=${d}; s=s1; h=from:to:subject; bh=abc=; b=def=`;
const input = (over: Partial<AuthenticationInput> & { spf?: string; dkim?: string; dmarc?: string } = {}): AuthenticationInput => ({
  verdicts: { spf: over.spf ?? 'GRAY', dkim: over.dkim ?? 'GRAY', dmarc: over.dmarc ?? 'GRAY' },
  fromFields: over.fromFields ?? [PORTAL],
  sesFrom: 'sesFrom' in over ? over.sesFrom : [PORTAL],
  parsedFrom: 'parsedFrom' in over ? over.parsedFrom : ['noreply@immobilienscout24.de'],
  dkimSignatures: over.dkimSignatures ?? [],
});

describe('authenticating the From domain', () => {
  it('DMARC PASS authenticates the From address', () => {
    expect(authenticateSender(input({ dmarc: 'PASS' }))).toEqual({ authenticated: true, address: 'noreply@immobilienscout24.de', reason: 'DMARC PASS for immobilienscout24.de' });
  });

  it('DMARC FAIL never authenticates, not even with a DKIM PASS aligned with the domain', () => {
    const result = authenticateSender(input({ dmarc: 'FAIL', dkim: 'PASS', spf: 'PASS', dkimSignatures: [sig('immobilienscout24.de')] }));
    expect(result).toMatchObject({ authenticated: false, address: 'noreply@immobilienscout24.de', reason: 'DMARC FAIL for immobilienscout24.de' });
  });

  it('without a DMARC record (GRAY), a DKIM PASS authenticates when every signature is the From domain or a parent of it', () => {
    expect(authenticateSender(input({ dkim: 'PASS', dkimSignatures: [sig('immobilienscout24.de')] }))).toMatchObject({ authenticated: true, reason: expect.stringMatching(/^DKIM PASS, signed by immobilienscout24\.de/) });
    expect(authenticateSender(input({ dkim: 'PASS', dmarc: 'PROCESSING_FAILED', dkimSignatures: [sig('IMMOBILIENSCOUT24.DE.')] })).authenticated).toBe(true);
    const sub = 'Portal <anfragen@mail.portal.example>';
    expect(authenticateSender(input({ dkim: 'PASS', fromFields: [sub], sesFrom: [sub], parsedFrom: ['anfragen@mail.portal.example'], dkimSignatures: [sig('portal.example')] })).authenticated).toBe(true);
  });

  it('a DKIM PASS signed by another domain does not authenticate: the forger signs with their own', () => {
    const result = authenticateSender(input({ dkim: 'PASS', spf: 'PASS', dkimSignatures: [sig('attacker.example')] }));
    expect(result).toMatchObject({ authenticated: false, reason: 'DKIM PASS, but signed by attacker.example, not aligned with immobilienscout24.de' });
  });

  it('any signature of another domain next to an aligned one makes a DKIM PASS ambiguous (SES does not say which passed)', () => {
    expect(authenticateSender(input({ dkim: 'PASS', dkimSignatures: [sig('immobilienscout24.de'), sig('attacker.example')] })).authenticated).toBe(false);
  });

  it('a subdomain signature, a public-suffix-like label or a missing d= is not aligned', () => {
    expect(authenticateSender(input({ dkim: 'PASS', dkimSignatures: [sig('evil.immobilienscout24.de')] })).authenticated).toBe(false);
    expect(authenticateSender(input({ dkim: 'PASS', dkimSignatures: [sig('de')] })).authenticated).toBe(false);
    expect(authenticateSender(input({ dkim: 'PASS', dkimSignatures: ['v=1; a=rsa-sha256; s=x'] })).reason).toMatch(/signed by \(no d=\)/);
    expect(authenticateSender(input({ dkim: 'PASS', dkimSignatures: [] })).reason).toMatch(/^DKIM PASS without a DKIM-Signature/);
  });

  it('SPF PASS alone never authenticates the From header', () => {
    expect(authenticateSender(input({ spf: 'PASS' }))).toMatchObject({ authenticated: false, reason: 'SPF PASS, DKIM GRAY, DMARC GRAY: immobilienscout24.de is not authenticated' });
  });

  it('refuses two From fields, a list, a group or an unreadable From, whatever the verdicts', () => {
    const pass = { dmarc: 'PASS', dkim: 'PASS' };
    expect(authenticateSender(input({ ...pass, fromFields: [PORTAL, 'x@attacker.example'] })).reason).toMatch(/2 From header fields/);
    expect(authenticateSender(input({ ...pass, fromFields: [] })).reason).toMatch(/0 From header fields/);
    expect(authenticateSender(input({ ...pass, fromFields: [`${PORTAL}, x@attacker.example`] })).reason).toMatch(/names 2 addresses/);
    expect(authenticateSender(input({ ...pass, fromFields: ['Portal: noreply@immobilienscout24.de;'] })).reason).toMatch(/unambiguously/);
    expect(authenticateSender(input({ ...pass, fromFields: ['"unclosed <noreply@immobilienscout24.de>'] })).reason).toMatch(/unambiguously/);
    expect(authenticateSender(input({ ...pass, fromFields: ['<noreply@immobilienscout24.de> <x@attacker.example>'] })).reason).toMatch(/unambiguously/);
    expect(authenticateSender(input({ ...pass, fromFields: ['not an address'] })).reason).toBe('The From header holds no valid address');
  });

  it('refuses when SES or the MIME parser read another address than the raw header', () => {
    expect(authenticateSender(input({ dmarc: 'PASS', sesFrom: ['x@attacker.example'] }))).toMatchObject({ authenticated: false, reason: expect.stringMatching(/^SES read/) });
    expect(authenticateSender(input({ dmarc: 'PASS', sesFrom: [] })).authenticated).toBe(false);
    expect(authenticateSender(input({ dmarc: 'PASS', sesFrom: ['noreply@immobilienscout24.de', 'x@attacker.example'] })).authenticated).toBe(false);
    expect(authenticateSender(input({ dmarc: 'PASS', sesFrom: ['noreply@immobilienscout24.de, x@attacker.example'] })).authenticated).toBe(false);
    // SES may decode the display name; any character in it is fine.
    expect(authenticateSender(input({ dmarc: 'PASS', sesFrom: ['Portal: Anfragen, <Büro> <NoReply@ImmobilienScout24.de>'] })).authenticated).toBe(true);
    expect(authenticateSender(input({ dmarc: 'PASS', parsedFrom: ['x@attacker.example'] }))).toMatchObject({ authenticated: false, reason: expect.stringMatching(/^The MIME parser read/) });
    expect(authenticateSender(input({ dmarc: 'PASS', parsedFrom: ['noreply@immobilienscout24.de', 'x@attacker.example'] })).authenticated).toBe(false);
    // Without a parse (a message refused unread), SES's view is the only cross-check.
    expect(authenticateSender(input({ dmarc: 'PASS', parsedFrom: undefined })).authenticated).toBe(true);
  });
});

describe('reading address lists', () => {
  it('reads display names, quotes, comments and angle addresses', () => {
    expect(mailboxesOf('"Doe, John" <John@Example.org>')).toEqual(['John@Example.org']);
    expect(mailboxesOf('john@example.org (John, at work)')).toEqual(['john@example.org']);
    expect(mailboxesOf('a@x.de, "B" <b@y.de>,')).toEqual(['a@x.de', 'b@y.de']);
    expect(mailboxesOf('"a\\"b" <c@d.de>')).toEqual(['c@d.de']);
    expect(mailboxesOf('(nested (comment)) <e@f.de>')).toEqual(['e@f.de']);
  });

  it('gives up on groups, unclosed constructs and stray brackets', () => {
    for (const value of ['g: a@x.de;', '<a@x.de', '"a <a@x.de>', '(a <a@x.de>', 'a@x.de>', '<a@x.de> trailing', '<<a@x.de>>']) expect(mailboxesOf(value), value).toBeUndefined();
  });

  it('takes the d= tag of a DKIM-Signature, folded or spaced', () => {
    expect(signingDomain('v=1; a=rsa-sha256;\r\n\td = Mail.Example.ORG ; s=x')).toBe('mail.example.org');
    expect(signingDomain('v=1; dd=x.de; s=y')).toBe('');
    expect(aligned('example.org', 'mail.example.org')).toBe(true);
    expect(aligned('mail.example.org', 'example.org')).toBe(false);
    expect(aligned('ample.org', 'example.org')).toBe(false);
  });
});
