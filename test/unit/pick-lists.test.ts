import { describe, expect, it } from 'vitest';
import { ValidationError, type FieldError } from '#shared/errors';
import { TenantSettingsPut } from '#shared/model/tenant';
import { parseOrThrow } from '#shared/validation';
import {
  DEFAULT_PICK_LISTS,
  PickListCheck,
  PickLists,
  PickListsPatch,
  allowedValues,
  assertPickListsSize,
  canonicalValue,
  mergePickLists,
  notInPickList,
  requirePickValue,
  withDefaultLists,
} from '#shared/settings/pick-lists';

/** The field errors of a body parse that must fail. */
const refusal = (patch: unknown): FieldError[] => {
  try {
    parseOrThrow(PickListsPatch, patch);
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  throw new Error('parsed');
};

describe('the default pick-lists', () => {
  it('pass their own schema', () => {
    expect(PickLists.parse(DEFAULT_PICK_LISTS)).toEqual(DEFAULT_PICK_LISTS);
  });

  it('hold an estate agency\'s stages, categories, reasons and statuses in German', () => {
    expect(DEFAULT_PICK_LISTS.dealStages).toEqual({
      default: ['Anfrage', 'Besichtigung', 'Verhandlung', 'Reserviert', 'Notartermin', 'Verkauft', 'Abgesagt'],
      vermietung: ['Anfrage', 'Besichtigung', 'Bewerbung', 'Mietvertrag', 'Vermietet', 'Abgesagt'],
    });
    expect(DEFAULT_PICK_LISTS.activityCategories.note).toContain('Objekt archivieren');
    expect(DEFAULT_PICK_LISTS.activityCategories.appointment).toContain('Besichtigung');
    expect(DEFAULT_PICK_LISTS.rejectionReasons).toContain('Kein Kontakt mehr gewünscht');
    expect(DEFAULT_PICK_LISTS.contactStatuses).toEqual(['Interessent', 'Kunde', 'Eigentümer', 'Tippgeber', 'Inaktiv']);
    expect(DEFAULT_PICK_LISTS.propertyStatuses).toContain('Archiviert');
  });

  it('cannot be changed by accident', () => {
    expect(() => (DEFAULT_PICK_LISTS.contactStatuses as string[]).push('Neu')).toThrow(TypeError);
    expect(Object.isFrozen(DEFAULT_PICK_LISTS.dealStages.default)).toBe(true);
  });
});

describe('the pick-list schema', () => {
  it('trims values and brings them to NFC', () => {
    const parsed = PickListsPatch.parse({ contactStatuses: ['  Kunde ', 'Eigentu\u0308mer'] });
    expect(parsed.contactStatuses).toEqual(['Kunde', 'Eigentümer']);
  });

  it('refuses values that repeat another in different case or spacing, naming the first', () => {
    const fields = refusal({ contactStatuses: ['Kunde', 'KUNDE'], dealStages: { default: ['Anfrage', ' anfrage'] } });
    expect(fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'contactStatuses.1', code: 'duplicate_value', params: { value: 'KUNDE', duplicateOf: 'Kunde' } }),
        expect.objectContaining({ path: 'dealStages.default.1', code: 'duplicate_value' }),
      ]),
    );
  });

  it('refuses line breaks, control characters, empty values and values over 60 characters (reasons 200)', () => {
    const fields = refusal({ contactStatuses: ['Ku\nnde', 'Tab\there', '   ', 'x'.repeat(61)], rejectionReasons: ['y'.repeat(201)] });
    expect(fields.map((f) => [f.path, f.code]).sort()).toEqual([
      ['contactStatuses.0', 'invalid'],
      ['contactStatuses.1', 'invalid'],
      ['contactStatuses.2', 'too_small'],
      ['contactStatuses.3', 'too_big'],
      ['rejectionReasons.0', 'too_big'],
    ]);
    expect(PickListsPatch.parse({ rejectionReasons: ['y'.repeat(200)] }).rejectionReasons).toHaveLength(1);
  });

  it('refuses 10,000 values with one error for the list, not one per value', () => {
    const fields = refusal({ rejectionReasons: Array.from({ length: 10_000 }, (_, i) => `Grund\n${i}`) });
    expect(fields).toEqual([expect.objectContaining({ path: 'rejectionReasons', code: 'too_big', params: expect.objectContaining({ maximum: 100 }) })]);
  });

  it('requires the default pipeline, a stage in every pipeline, and at least one Absage reason', () => {
    expect(refusal({ dealStages: { vermietung: ['Anfrage'] } })).toEqual([expect.objectContaining({ path: 'dealStages.default', code: 'required' })]);
    expect(refusal({ dealStages: { default: ['Anfrage'], leer: [] } })).toEqual([expect.objectContaining({ path: 'dealStages.leer', code: 'too_small' })]);
    expect(refusal({ rejectionReasons: [] })).toEqual([expect.objectContaining({ path: 'rejectionReasons', code: 'too_small' })]);
  });

  it('lets category and status lists be empty, which leaves those fields unset', () => {
    expect(PickListsPatch.parse({ contactStatuses: [], activityCategories: { call: [] } })).toEqual({ contactStatuses: [], activityCategories: { call: [] } });
  });

  it('refuses pipeline ids that are not ids, repeat another in case, or are __proto__, and more than 10 pipelines', () => {
    expect(refusal({ dealStages: { default: ['A'], 'Miete & Kauf': ['A'] } }).map((f) => f.path)).toEqual(['dealStages.Miete & Kauf']);
    expect(refusal({ dealStages: { default: ['A'], DEFAULT: ['B'] } })).toEqual([expect.objectContaining({ path: 'dealStages.DEFAULT', code: 'duplicate_value' })]);
    expect(refusal(JSON.parse('{"dealStages":{"default":["A"],"__proto__":["B"]}}')).map((f) => f.path)).toEqual(['dealStages.__proto__']);
    const many = Object.fromEntries([['default', ['A']], ...Array.from({ length: 10 }, (_, i) => [`p${i}`, ['A']])]);
    expect(refusal({ dealStages: many }).map((f) => f.path)).toEqual(['dealStages']);
  });

  it('refuses unknown lists and unknown activity types', () => {
    expect(refusal({ taskStates: ['offen'], activityCategories: { visit: ['A'] } }).map((f) => [f.path, f.code])).toEqual([
      ['activityCategories.visit', 'unknown_field'],
      ['taskStates', 'unknown_field'],
    ]);
  });

  it('is part of the settings body, under pickLists', () => {
    expect(TenantSettingsPut.parse({ name: 'Acme', pickLists: { contactStatuses: ['A'] } }).pickLists).toEqual({ contactStatuses: ['A'] });
    expect(TenantSettingsPut.parse({ name: 'Acme' }).pickLists).toBeUndefined();
  });

  it('refuses lists whose stored form would exceed 100 KB', () => {
    const long = (p: string) => Array.from({ length: 100 }, (_, i) => `${p}${i} ${'€'.repeat(50)}`);
    const lists = { ...DEFAULT_PICK_LISTS, dealStages: Object.fromEntries(['default', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((p) => [p, long(p)])) as PickLists['dealStages'] };
    expect(() => PickLists.parse(lists)).not.toThrow();
    expect(() => assertPickListsSize(lists)).toThrow(expect.objectContaining({ status: 400, fields: [expect.objectContaining({ path: 'pickLists', code: 'too_big' })] }));
    expect(() => assertPickListsSize(DEFAULT_PICK_LISTS)).not.toThrow();
  });
});

describe('merging a settings change into the stored lists', () => {
  it('replaces the lists the change names and keeps the others', () => {
    const merged = mergePickLists(DEFAULT_PICK_LISTS, { contactStatuses: ['Neu'] });
    expect(merged.contactStatuses).toEqual(['Neu']);
    expect(merged.rejectionReasons).toBe(DEFAULT_PICK_LISTS.rejectionReasons);
  });

  it('replaces deal stages as a whole, so a pipeline left out is removed', () => {
    expect(mergePickLists(DEFAULT_PICK_LISTS, { dealStages: { default: ['Neu'] } }).dealStages).toEqual({ default: ['Neu'] });
  });

  it('replaces activity categories per activity type', () => {
    const merged = mergePickLists(DEFAULT_PICK_LISTS, { activityCategories: { note: ['Intern'] } });
    expect(merged.activityCategories).toEqual({ ...DEFAULT_PICK_LISTS.activityCategories, note: ['Intern'] });
  });

  it('changes nothing without a change', () => {
    expect(mergePickLists(DEFAULT_PICK_LISTS, undefined)).toBe(DEFAULT_PICK_LISTS);
  });

  it('completes lists stored before a list existed with the defaults', () => {
    expect(withDefaultLists(undefined)).toBe(DEFAULT_PICK_LISTS);
    expect(withDefaultLists({ contactStatuses: ['A'], activityCategories: { note: ['B'] } as never })).toEqual({
      ...DEFAULT_PICK_LISTS,
      contactStatuses: ['A'],
      activityCategories: { ...DEFAULT_PICK_LISTS.activityCategories, note: ['B'] },
    });
  });
});

describe('checking a value against a list', () => {
  const statuses = DEFAULT_PICK_LISTS.contactStatuses;

  it('finds the list\'s spelling regardless of case, outer and repeated white space and composition', () => {
    expect(canonicalValue(DEFAULT_PICK_LISTS.activityCategories.note, '  objekt   ARCHIVIEREN ')).toBe('Objekt archivieren');
    expect(canonicalValue(statuses, 'eigentu\u0308mer')).toBe('Eigentümer');
    expect(canonicalValue(statuses, 'Interessenten')).toBeUndefined();
    expect(canonicalValue([], 'Kunde')).toBeUndefined();
  });

  it('names the list, the allowed values and the value in a not_in_pick_list error', () => {
    expect(notInPickList({ path: 'stage', list: 'dealStages', key: 'vermietung' }, ['Anfrage', 'Vermietet'], 'Verkauft')).toEqual({
      path: 'stage',
      code: 'not_in_pick_list',
      message: 'Not one of "Anfrage", "Vermietet" (pick-list dealStages.vermietung)',
      params: { list: 'dealStages', key: 'vermietung', allowed: ['Anfrage', 'Vermietet'], value: 'Verkauft' },
    });
    expect(notInPickList({ path: 'category', list: 'activityCategories', key: 'call' }, [], 'X').message).toMatch(/empty/);
  });

  it('shortens the message of a long list but keeps every value in params', () => {
    const allowed = Array.from({ length: 40 }, (_, i) => `Wert ${i}`);
    const error = notInPickList({ path: 'status', list: 'contactStatuses' }, allowed, 'X');
    expect(error.message).toMatch(/and 28 more/);
    expect(error.params!.allowed).toHaveLength(40);
  });

  it('collects every failing field of a request before refusing it', () => {
    const check = new PickListCheck();
    expect(check.value(statuses, 'kunde', { path: 'status', list: 'contactStatuses' })).toBe('Kunde');
    expect(check.value(statuses, undefined, { path: 'status', list: 'contactStatuses' })).toBeUndefined();
    expect(check.value(statuses, null, { path: 'status', list: 'contactStatuses' })).toBeNull();
    check.value(statuses, 'VIP', { path: 'a', list: 'contactStatuses' });
    check.value(statuses, 'Promi', { path: 'b', list: 'contactStatuses' });
    expect(() => check.done()).toThrow(expect.objectContaining({ status: 400, fields: [expect.objectContaining({ path: 'a' }), expect.objectContaining({ path: 'b' })] }));
  });

  it('returns the list\'s spelling or throws a 400 for a single value', () => {
    expect(requirePickValue(statuses, 'INAKTIV', { path: 'status', list: 'contactStatuses' })).toBe('Inaktiv');
    expect(() => requirePickValue(statuses, 'VIP', { path: 'status', list: 'contactStatuses' })).toThrow(ValidationError);
  });

  it('gives the values of a keyed list for some keys, all keys, or none for an unknown key', () => {
    expect(allowedValues(DEFAULT_PICK_LISTS, 'dealStages', ['vermietung'])).toContain('Mietvertrag');
    expect(allowedValues(DEFAULT_PICK_LISTS, 'dealStages')).toEqual(expect.arrayContaining(['Verkauft', 'Vermietet']));
    expect(allowedValues(DEFAULT_PICK_LISTS, 'dealStages', ['constructor', 'gibtsnicht'])).toEqual([]);
    expect(allowedValues(DEFAULT_PICK_LISTS, 'rejectionReasons', ['ignored'])).toBe(DEFAULT_PICK_LISTS.rejectionReasons);
  });
});
