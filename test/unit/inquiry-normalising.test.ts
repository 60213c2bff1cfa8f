import { describe, expect, it } from 'vitest';
import { email, extracted, isoDate, line, phone, salutation, splitName, text } from '#shared/inbound/text';

/** How the values an inquiry yields are normalised: one line, plain text, known spellings, real dates. */

describe('values of an inquiry', () => {
  it('makes a single line of a value: control characters and runs of space become one space, blank is nothing', () => {
    expect(line('  Sabine\r\n\tKrüger\u0085 \u2028Berlin  ')).toBe('Sabine Krüger Berlin');
    expect(line('a\u0000\u001f\u007fb')).toBe('a b');
    expect(line(12345)).toBe('12345');
    expect(line(' \r\n ')).toBeNull();
    expect(line('')).toBeNull();
    for (const value of [null, undefined, true, {}, ['x']]) expect(line(value)).toBeNull();
    expect(line('x'.repeat(250))).toHaveLength(200);
    expect(line('abcdef', 3)).toBe('abc');
  });

  it('keeps the line breaks and tabs of a text, drops other control characters, trims and caps it', () => {
    expect(text('  Guten Tag,\r\n\n\tich\u0000 interessiere\u0007 mich\u000b.\u001f\u007f  ')).toBe('Guten Tag,\r\n\n\tich interessiere mich.');
    expect(text('\u0000 \n ')).toBeNull();
    expect(text(5)).toBeNull();
    expect(text('x'.repeat(6000))).toHaveLength(5000);
    expect(text('abcdef', 4)).toBe('abcd');
  });

  it('reads the usual spellings of a salutation, and nothing else', () => {
    for (const value of ['Herr', 'herr', 'Hr.', 'Mr', 'mister', 'Male', 'm', ' HERR ']) expect(salutation(value), value).toBe('mr');
    for (const value of ['Frau', 'Fr.', 'Ms', 'Mrs.', 'female', 'W', 'f']) expect(salutation(value), value).toBe('ms');
    for (const value of ['Divers', 'Firma', 'Herrn Dr', '', null, 1]) expect(salutation(value), String(value)).toBeNull();
  });

  it('takes an e-mail address trimmed and lower-cased, and only one that looks like an address', () => {
    expect(email('  Sabine.Krueger@Example.COM ')).toBe('sabine.krueger@example.com');
    for (const value of ['sabine', 'sabine@example', '@example.com', 'a b@example.com', 'a@b@example.com', '<a@example.com>', 'a@example.com,b@example.com', 'a@exa"mple.com', '"a"@example.com', 'a;b@example.com', 'a(b)@example.com', null]) {
      expect(email(value), String(value)).toBeNull();
    }
    expect(email(`${'a'.repeat(250)}@example.com`)).toBeNull();
  });

  it('takes a phone number with at least one digit, on one line, at most 40 characters', () => {
    expect(phone(' +49 30\n1234 ')).toBe('+49 30 1234');
    expect(phone('keine Angabe')).toBeNull();
    expect(phone('0'.repeat(50))).toHaveLength(40);
    expect(phone(null)).toBeNull();
  });

  it('splits a display name into first and last name, at the last space or after "Last, First"', () => {
    expect(splitName('Sabine Krüger')).toEqual({ firstName: 'Sabine', lastName: 'Krüger' });
    expect(splitName('"Anna Maria Schmidt"')).toEqual({ firstName: 'Anna Maria', lastName: 'Schmidt' });
    expect(splitName('Krüger, Sabine')).toEqual({ firstName: 'Sabine', lastName: 'Krüger' });
    expect(splitName(' Krüger ,  Sabine , Dr. ')).toEqual({ firstName: 'Sabine', lastName: 'Krüger' });
    expect(splitName('Krüger')).toEqual({ firstName: null, lastName: 'Krüger' });
    expect(splitName('Krüger,')).toEqual({ firstName: null, lastName: 'Krüger' });
    expect(splitName(' ')).toEqual({ firstName: null, lastName: null });
    expect(splitName(null)).toEqual({ firstName: null, lastName: null });
    expect(splitName(`${'a'.repeat(110)} ${'b'.repeat(80)}`)).toEqual({ firstName: 'a'.repeat(100), lastName: 'b'.repeat(80) });
  });

  it('reads a date written as OpenImmo feeds write it, and refuses a day the calendar does not have', () => {
    expect(isoDate('2026-11-20')).toBe('2026-11-20');
    expect(isoDate('2026-11-20T10:15:00+01:00')).toBe('2026-11-20');
    expect(isoDate('20.11.2026')).toBe('2026-11-20');
    expect(isoDate('1.2.2026')).toBe('2026-02-01');
    expect(isoDate(' 29.02.2028 ')).toBe('2028-02-29');
    for (const value of ['29.02.2026', '2026-02-30', '2026-13-01', '32.01.2026', '20.11.26', '20.11.2026 10:00', 'gestern', '', null, 20261120]) {
      expect(isoDate(value), String(value)).toBeNull();
    }
  });

  it('names every field of an extracted inquiry, absent as null or empty', () => {
    expect(extracted('unstructured', { email: 'a@example.com' })).toEqual({
      format: 'unstructured', portal: null, salutation: null, firstName: null, lastName: null, email: 'a@example.com', phone: null, message: null,
      propertyRef: null, portalObjectId: null, preferredContact: [], wishes: [], sentOn: null, address: null,
    });
  });
});
