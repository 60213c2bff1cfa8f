import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '#shared/db/cursor';
import { birthdayMonthDay, childListKey, entityKey, kindListKey, normaliseEmail, uniqueKey } from '#shared/db/keys';
import { ValidationError } from '#shared/errors';

describe('key building', () => {
  it('starts every key with the tenant id', () => {
    expect(entityKey('acme', 'CONTACT', '01J')).toEqual({ PK: 'acme#CONTACT#01J', SK: 'ENTITY' });
    expect(kindListKey('acme', 'DEAL')).toBe('acme#DEAL');
    expect(childListKey('acme', 'CONTACT', 'c1', 'DEAL')).toBe('acme#CONTACT#c1#DEAL');
    expect(uniqueKey('acme', 'email', 'a@b.de')).toEqual({ PK: 'acme#UNIQUE#email#a@b.de', SK: 'UNIQUE' });
  });

  it('keeps global uniqueness items apart from every tenant', () => {
    expect(uniqueKey(null, 'inbound', 'in@acme.example').PK).toBe('GLOBAL#UNIQUE#inbound#in@acme.example');
  });

  it('refuses empty parts', () => {
    expect(() => entityKey('', 'CONTACT', 'x')).toThrow(/tenantId/);
    expect(() => entityKey('acme', 'CONTACT', '')).toThrow(/id/);
  });

  it('takes the month-day of birthdays with and without a year', () => {
    expect(birthdayMonthDay('1980-11-27')).toBe('11-27');
    expect(birthdayMonthDay('--02-29')).toBe('02-29');
    expect(() => birthdayMonthDay('27.11.1980')).toThrow();
  });

  it('normalises e-mail addresses', () => {
    expect(normaliseEmail('  Max@Example.COM ')).toBe('max@example.com');
  });
});

describe('cursors', () => {
  const key = { PK: 'acme#CONTACT#01J', SK: 'ENTITY', GSI1PK: 'acme#CONTACT', GSI1SK: '01J' };

  it('round-trips the last evaluated key', () => {
    expect(decodeCursor(encodeCursor(key), 'acme')).toEqual(key);
    expect(encodeCursor(undefined)).toBeUndefined();
  });

  it('refuses another tenant\'s cursor and garbage', () => {
    expect(() => decodeCursor(encodeCursor(key), 'other')).toThrow(ValidationError);
    expect(() => decodeCursor('not-base64-json', 'acme')).toThrow(ValidationError);
    expect(() => decodeCursor(Buffer.from('[1]').toString('base64url'), 'acme')).toThrow(ValidationError);
    expect(() => decodeCursor(Buffer.from('{"PK":{"S":"acme#x"}}').toString('base64url'), 'acme')).toThrow(ValidationError);
  });

  it('accepts a cursor only in the list that made it: its index, its partition, its keys and no others', () => {
    const contacts = { index: 'GSI1', partition: 'acme#CONTACT' };
    expect(decodeCursor(encodeCursor(key), 'acme', contacts)).toEqual(key);
    expect(() => decodeCursor(encodeCursor(key), 'acme', { index: 'GSI1', partition: 'acme#DEAL' })).toThrow(ValidationError);
    expect(() => decodeCursor(encodeCursor(key), 'acme', { index: 'GSI2', partition: 'acme#CONTACT' })).toThrow(ValidationError);
    expect(() => decodeCursor(encodeCursor({ PK: 'acme#CONTACT#01J', SK: 'ENTITY' }), 'acme', contacts)).toThrow(ValidationError);
    expect(() => decodeCursor(encodeCursor({ ...key, extra: 'x' }), 'acme', contacts)).toThrow(ValidationError);
  });
});
