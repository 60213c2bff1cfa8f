import { describe, expect, it } from 'vitest';
import { ActivityInput } from '#shared/model/activity';
import { isValidBirthday } from '#shared/model/birthday';
import { ContactInput, ContactPatch } from '#shared/model/contact';
import { DealInput } from '#shared/model/deal';
import { PropertyInput } from '#shared/model/property';
import { TenantSettingsPut } from '#shared/model/tenant';
import { UserInput } from '#shared/model/user';
import { fieldErrors } from '#shared/validation';

const paths = (result: { success: boolean; error?: unknown }) =>
  result.success ? [] : fieldErrors(result.error as Parameters<typeof fieldErrors>[0]).map((f) => f.path);

describe('contact schema', () => {
  it('fills the defaults and lower-cases the e-mail address', () => {
    const contact = ContactInput.parse({ lastName: 'Muster', email: '  Max.Muster@Example.COM ' });
    expect(contact).toEqual({ lastName: 'Muster', email: 'max.muster@example.com', newsletter: false, gdprConsent: false, archived: false });
  });

  it('refuses a contact that cannot be identified', () => {
    expect(paths(ContactInput.safeParse({ firstName: 'Max' }))).toEqual(['lastName']);
  });

  it('names every failing field and every unknown one', () => {
    const result = ContactInput.safeParse({ lastName: '', email: 'no-mail', birthday: '1980-02-30', salutation: 'herr', shoeSize: 44 });
    expect(paths(result).sort()).toEqual(['birthday', 'email', 'lastName', 'salutation', 'shoeSize']);
  });

  it('refuses line breaks in single-line fields', () => {
    expect(paths(ContactInput.safeParse({ lastName: 'Muster\r\nBcc: x@evil.example' }))).toEqual(['lastName']);
  });

  it('accepts a patch that clears a field with null and refuses an empty patch', () => {
    expect(ContactPatch.parse({ version: 3, phone: null })).toEqual({ version: 3, phone: null });
    expect(ContactPatch.safeParse({ version: 3 }).success).toBe(false);
    expect(paths(ContactPatch.safeParse({ phone: '+49 30 1234' }))).toEqual(['version']);
  });
});

describe('birthdays', () => {
  it.each([
    ['1980-04-12', true],
    ['--04-12', true],
    ['--02-29', true],
    ['2000-02-29', true],
    ['1900-02-29', false],
    ['2023-02-29', false],
    ['1980-13-01', false],
    ['1980-04-31', false],
    ['--00-10', false],
    ['12.04.1980', false],
  ])('%s is %s', (value, valid) => {
    expect(isValidBirthday(value)).toBe(valid);
  });
});

describe('activity schema', () => {
  it('needs a start and an end for an appointment, the end after the start', () => {
    expect(paths(ActivityInput.safeParse({ type: 'appointment' })).sort()).toEqual(['endsAt', 'startsAt']);
    expect(
      paths(ActivityInput.safeParse({ type: 'appointment', startsAt: '2026-12-01T10:00:00Z', endsAt: '2026-12-01T09:00:00Z' })),
    ).toEqual(['endsAt']);
  });

  it('takes a note with a category and no times', () => {
    expect(ActivityInput.parse({ type: 'note', category: 'Objekt archivieren', body: 'Verkauft' })).toMatchObject({ contactIds: [] });
  });

  it('refuses a contact named twice', () => {
    expect(paths(ActivityInput.safeParse({ type: 'call', contactIds: ['a', 'a'] }))).toEqual(['contactIds']);
  });
});

describe('other entities', () => {
  it('gives a deal the default pipeline and stage', () => {
    expect(DealInput.parse({ contactId: 'c1', propertyId: 'p1' })).toMatchObject({ stage: 'Anfrage', pipelineId: 'default', archived: false });
  });

  it('checks a property\'s unit id, postal code and portal ids', () => {
    const result = PropertyInput.safeParse({ unitId: 'MI 2026', title: 'Altbau', address: { postalCode: '!' }, portalIds: { ImmoScout: 'x' } });
    expect(paths(result).sort()).toEqual(['address.postalCode', 'portalIds.ImmoScout', 'unitId']);
  });

  it('makes users agents unless said otherwise', () => {
    expect(UserInput.parse({ firstName: 'Anna', lastName: 'Agent', email: 'anna@acme.example' }).role).toBe('agent');
  });

  it('defaults the time zone to Europe/Berlin and refuses unknown zones', () => {
    expect(TenantSettingsPut.parse({ name: 'Acme' }).timeZone).toBe('Europe/Berlin');
    expect(paths(TenantSettingsPut.safeParse({ name: 'Acme', timeZone: 'Mars/Olympus' }))).toEqual(['timeZone']);
  });
});
