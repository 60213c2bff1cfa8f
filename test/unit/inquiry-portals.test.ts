import { describe, expect, it } from 'vitest';
import type { Mail } from '#shared/inbound/mail';
import { digestId, messageIdKey, messageIdOf } from '#shared/inbound/message-id';
import { parsePortalText } from '#shared/inbound/portal-text';
import { portalOf } from '#shared/inbound/portals';

/** Which portal an inquiry came from, what its labelled lines say, and the Message-ID it is kept by. */

const mail = (text: string | null, from: Partial<Mail['from']> = {}): Mail => ({
  messageId: '<m@x>', from: { name: null, address: 'noreply@immobilienscout24.de', ...from }, fromAddresses: [], fromText: null, replyTo: null, subject: 'Anfrage', date: null, text, html: null, attachments: [],
});

describe('the portal of an inquiry', () => {
  it('is known by its name, an alias, or a sender on its domain or a subdomain of it', () => {
    expect(portalOf('ImmobilienScout24')?.key).toBe('immoscout24');
    expect(portalOf('Immo Scout 24')?.key).toBe('immoscout24');
    expect(portalOf('eBay-Kleinanzeigen')?.name).toBe('Kleinanzeigen');
    expect(portalOf('noreply@IMMOWELT.de')?.name).toBe('Immowelt');
    expect(portalOf('anfragen@mail.immonet.de')?.name).toBe('Immonet');
    expect(portalOf('x@immobilien.de')?.key).toBe('immobilien-de');
  });

  it('is none for a look-alike domain, a name on no list, or nothing', () => {
    for (const value of ['x@notimmowelt.de', 'x@immowelt.de.evil.example', 'immowelt@example.com', 'Immobilien', '', null, undefined]) {
      expect(portalOf(value), String(value)).toBeUndefined();
    }
  });
});

describe('a portal\'s plain-text inquiry', () => {
  const body = [
    'Sie haben eine neue Anfrage.',
    'Scout-ID: 148923311',
    'Ihre Objekt-Nr.: MI-2026-014',
    'Anrede: Frau',
    'Vorname: Sabine',
    'Nachname: Krüger',
    'E-Mail: Sabine.Krueger@Example.com',
    'Telefon:   +49 30 1234',
    'E-Mail: zweite@example.com',
    'Nachricht des Interessenten:',
    'Guten Tag,',
    '',
    'ich möchte die Wohnung sehen.',
  ].join('\r\n');

  it('reads the labelled lines (the first of each label), the message after its heading, and the portal by the sender', () => {
    expect(parsePortalText(mail(body))).toEqual({
      format: 'portal-text', portal: 'ImmobilienScout24', salutation: 'ms', firstName: 'Sabine', lastName: 'Krüger', email: 'sabine.krueger@example.com', phone: '+49 30 1234',
      message: 'Guten Tag,\n\nich möchte die Wohnung sehen.', propertyRef: 'MI-2026-014', portalObjectId: '148923311', preferredContact: [], wishes: [], sentOn: null, address: null,
    });
  });

  it('takes the portal from the sender\'s name, else names the sender', () => {
    expect(parsePortalText(mail(body, { address: 'anfrage@example.org', name: 'Immowelt' }))?.portal).toBe('Immowelt');
    expect(parsePortalText(mail(body, { address: 'anfrage@example.org', name: 'Makler\nPortal' }))?.portal).toBe('Makler Portal');
    expect(parsePortalText(mail(body, { address: null, name: null }))?.portal).toBeNull();
  });

  it('needs an e-mail address and three labelled fields', () => {
    expect(parsePortalText(mail('Vorname: A\nNachname: B\nTelefon: 1'))).toBeUndefined();
    expect(parsePortalText(mail('Vorname: A\nE-Mail: a@example.com'))).toBeUndefined();
    expect(parsePortalText(mail('Vorname: A\nName: B\nEmail: a@example.com'))).toMatchObject({ firstName: 'A', lastName: 'B', email: 'a@example.com', message: null });
    expect(parsePortalText(mail(null))).toBeUndefined();
  });

  it('reads a label of 2 to 40 characters before the first colon, and stops at the message heading', () => {
    expect(parsePortalText(mail(`Vorname: A\nName: B\nEmail: a@example.com\nTel: 0${'\n'}Anfrage:\nTelefon: 99`))).toMatchObject({ phone: '0', message: 'Telefon: 99' });
    expect(parsePortalText(mail(`X: 1\n${' '.repeat(39)}Vorname: A\nName: B\nEmail: a@example.com`))).toMatchObject({ firstName: 'A' });
    expect(parsePortalText(mail(`Vorname: A\nName: B\nEmail: a@example.com\nHandy${' '.repeat(40)}: 0171`))).toMatchObject({ phone: null });
  });
});

describe('the Message-ID an inquiry is kept by', () => {
  it('is the first <…> of the header, or the trimmed value without brackets, on one line', () => {
    expect(messageIdOf(' (comment) <abc@Example.COM> <second@x> ')).toBe('<abc@Example.COM>');
    expect(messageIdOf(' abc@example.com ')).toBe('abc@example.com');
    expect(messageIdOf('<a\r\n  b@x>')).toBe('<a b@x>');
    expect(messageIdOf('> no <open')).toBe('> no <open');
    expect(messageIdOf('<unclosed@x')).toBe('<unclosed@x');
    expect(messageIdOf(' \u0000 ')).toBeNull();
    expect(messageIdOf(null)).toBeNull();
    expect(messageIdOf(undefined)).toBeNull();
  });

  it('is compared with its domain part lower-cased and its local part as sent', () => {
    expect(messageIdKey('<AbC@Example.COM>')).toBe('<AbC@example.com>');
    expect(messageIdKey('<a@b@Example.COM>')).toBe('<a@b@example.com>');
    expect(messageIdKey('NoDomain')).toBe('NoDomain');
  });

  it('stands in for a header too long to keep by its SHA-256', () => {
    expect(digestId('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(digestId(Buffer.from('abc'))).toBe(digestId('abc'));
  });
});
