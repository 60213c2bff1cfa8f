import { describe, expect, it } from 'vitest';
import { AutomationFields, type AutomationDefinition, type AutomationInput } from '#shared/automations/model';
import { PRESETS } from '#shared/automations/presets';
import { checkPickListUses, pickListValuesUsed, removedValuesInUse, type PickListField, type PickListResolver } from '#shared/automations/pick-list-usage';
import { defaultPickListResolver } from '#shared/settings/pick-list-fields';
import { DEFAULT_PICK_LISTS, mergePickLists } from '#shared/settings/pick-lists';

/** A small resolver of its own, as the trigger registry will provide one. */
const FIELDS: Record<string, PickListField> = {
  toStage: { list: 'dealStages', keyPath: 'deal.pipelineId' },
  'deal.stage': { list: 'dealStages', keyPath: 'deal.pipelineId' },
  'activity.category': { list: 'activityCategories', keyPath: 'activity.type' },
  'rejection.reason': { list: 'rejectionReasons' },
};
const resolve: PickListResolver = (_event, path) => (Object.hasOwn(FIELDS, path) ? FIELDS[path] : undefined);

const define = (event: AutomationInput['trigger']['event'], where: Record<string, unknown> | undefined, actions: AutomationInput['actions'] = [{ type: 'update_contact', set: { archived: true } }]): AutomationDefinition =>
  AutomationFields.parse({ name: 'Test', trigger: { event, ...(where ? { where } : {}) }, actions });

const valuesOf = (definition: AutomationDefinition, r: PickListResolver = resolve) => pickListValuesUsed(definition, r);

describe('the pick-list values an automation uses', () => {
  it('reports exact strings of mapped fields with their location', () => {
    expect(valuesOf(define('ActivityCreated', { activity: { type: ['note'], category: ['Objekt archivieren'], propertyId: [{ exists: true }] } }))).toEqual([
      { path: 'trigger.where.activity.category', list: 'activityCategories', keys: ['note'], value: 'Objekt archivieren' },
    ]);
  });

  it('reports anything-but strings, single and listed, but no prefix, suffix, wildcard or ignore-case matcher', () => {
    const uses = valuesOf(
      define('DealStageChanged', {
        toStage: ['Reserviert', { 'anything-but': 'Abgesagt' }, { 'anything-but': ['Verkauft', 7] }, { prefix: 'Ver' }, { suffix: 't' }, { wildcard: 'A*' }, { 'equals-ignore-case': 'anfrage' }, { 'anything-but': { prefix: 'X' } }, 3],
      }),
    );
    expect(uses.map((u) => u.value)).toEqual(['Reserviert', 'Abgesagt', 'Verkauft']);
    expect(uses.every((u) => u.keys === undefined)).toBe(true);
  });

  it('ignores fields the resolver does not map, and exists and numeric matchers', () => {
    expect(valuesOf(define('ContactUpdated', { contact: { status: ['Kunde'], lastName: ['Kunde'] }, changedFields: ['status'] }))).toEqual([]);
    expect(valuesOf(define('DealStageChanged', { toStage: [{ exists: true }], deal: { version: [{ numeric: ['>', 1] }] } }))).toEqual([]);
  });

  it('pairs each value with the keys of its own $or branch', () => {
    const uses = valuesOf(
      define('ActivityCreated', {
        $or: [
          { activity: { type: ['note'], category: ['Objekt archivieren'] } },
          { activity: { type: ['appointment', 'call'], category: ['Besichtigung'] } },
          { activity: { category: ['Rückruf'] } },
        ],
      }),
    );
    expect(uses).toEqual([
      { path: 'trigger.where.$or.0.activity.category', list: 'activityCategories', keys: ['note'], value: 'Objekt archivieren' },
      { path: 'trigger.where.$or.1.activity.category', list: 'activityCategories', keys: ['appointment', 'call'], value: 'Besichtigung' },
      { path: 'trigger.where.$or.2.activity.category', list: 'activityCategories', value: 'Rückruf' },
    ]);
  });

  it('combines a key outside an $or with the values inside it, and nested $or at a lower level', () => {
    const uses = valuesOf(
      define('DealStageChanged', {
        deal: { pipelineId: ['vermietung'], $or: [{ stage: ['Bewerbung'] }, { stage: [{ 'anything-but': ['Abgesagt'] }] }] },
        $or: [{ toStage: ['Mietvertrag'] }, { deal: { pipelineId: ['default'] } }],
      }),
    );
    // Branches asking for both pipelines at once can match no deal and use nothing.
    expect(uses).toEqual([
      { path: 'trigger.where.deal.$or.0.stage', list: 'dealStages', keys: ['vermietung'], value: 'Bewerbung' },
      { path: 'trigger.where.$or.0.toStage', list: 'dealStages', keys: ['vermietung'], value: 'Mietvertrag' },
      { path: 'trigger.where.deal.$or.1.stage', list: 'dealStages', keys: ['vermietung'], value: 'Abgesagt' },
    ]);
  });

  it('takes keys only from key fields matched by plain strings', () => {
    const [use] = valuesOf(define('ActivityCreated', { activity: { type: [{ prefix: 'no' }], category: ['Allgemein'] } }));
    expect(use).toEqual({ path: 'trigger.where.activity.category', list: 'activityCategories', value: 'Allgemein' });
  });

  it('still reports every value of a pattern with more $or combinations than it pairs, without keys', () => {
    const alternatives = (n: number, value: string) => Array.from({ length: n }, (_, i) => ({ [`f${i}`]: [value] }));
    const where = { activity: { type: ['note'], category: ['Allgemein'] }, $or: [...alternatives(40, 'a'), { rejection: { reason: ['Sonstiges'] } }], deal: { $or: alternatives(40, 'b') } };
    const uses = valuesOf(define('ActivityCreated', where));
    expect(uses).toEqual([
      { path: 'trigger.where.activity.category', list: 'activityCategories', value: 'Allgemein' },
      { path: 'trigger.where.$or.40.rejection.reason', list: 'rejectionReasons', value: 'Sonstiges' },
    ]);
  });

  it('reports the values actions write: move_deal, update_contact, create_contact and update_property', () => {
    const uses = valuesOf(
      define('InquiryReceived', undefined, [
        { type: 'create_contact' },
        { type: 'update_contact', set: { status: 'Kunde' } },
        { type: 'update_contact', set: { newsletter: false } },
        { type: 'update_property', set: { status: 'Reserviert' } },
        { type: 'move_deal', stage: 'Notartermin' },
      ]),
    );
    expect(uses).toEqual([
      { path: 'actions.0.defaults.status', list: 'contactStatuses', value: 'Interessent' },
      { path: 'actions.1.set.status', list: 'contactStatuses', value: 'Kunde' },
      { path: 'actions.3.set.status', list: 'propertyStatuses', value: 'Reserviert' },
      { path: 'actions.4.stage', list: 'dealStages', value: 'Notartermin' },
    ]);
  });

  it('finds every value of the presets in the default lists', () => {
    for (const preset of PRESETS) {
      const uses = pickListValuesUsed(AutomationFields.parse(preset.build(preset.params.parse({}) as Record<string, unknown>)), defaultPickListResolver);
      expect(checkPickListUses(uses, DEFAULT_PICK_LISTS), preset.key).toEqual([]);
    }
  });
});

describe('the default resolver', () => {
  it('maps stages, categories, reasons and statuses, and previous.status by the event\'s entity', () => {
    expect(defaultPickListResolver('DealStageChanged', 'fromStage')).toEqual({ list: 'dealStages', keyPath: 'deal.pipelineId' });
    expect(defaultPickListResolver('DealCreated', 'deal.stage')).toEqual({ list: 'dealStages', keyPath: 'deal.pipelineId' });
    expect(defaultPickListResolver('ActivityCreated', 'activity.category')).toEqual({ list: 'activityCategories', keyPath: 'activity.type' });
    expect(defaultPickListResolver('RejectionCreated', 'rejection.reason')).toEqual({ list: 'rejectionReasons' });
    expect(defaultPickListResolver('ContactUpdated', 'previous.status')).toEqual({ list: 'contactStatuses' });
    expect(defaultPickListResolver('PropertyUpdated', 'previous.status')).toEqual({ list: 'propertyStatuses' });
    expect(defaultPickListResolver('ContactUpdated', 'contact.lastName')).toBeUndefined();
    expect(defaultPickListResolver('ContactUpdated', 'constructor')).toBeUndefined();
  });
});

describe('checking the values an automation uses', () => {
  it('accepts values in the lists and refuses others with the allowed values', () => {
    const uses = valuesOf(define('DealStageChanged', { deal: { pipelineId: ['vermietung'] }, toStage: ['Vermietet', 'Verkauft'] }));
    expect(checkPickListUses(uses, DEFAULT_PICK_LISTS)).toEqual([
      expect.objectContaining({
        path: 'trigger.where.toStage',
        code: 'not_in_pick_list',
        params: { list: 'dealStages', key: 'vermietung', keys: ['vermietung'], allowed: DEFAULT_PICK_LISTS.dealStages.vermietung, value: 'Verkauft' },
      }),
    ]);
  });

  it('compares exactly, as EventBridge does, and suggests the list\'s spelling', () => {
    const [error] = checkPickListUses([{ path: 'actions.0.stage', list: 'dealStages', value: 'reserviert' }], DEFAULT_PICK_LISTS);
    expect(error).toMatchObject({ code: 'not_in_pick_list', params: { suggestion: 'Reserviert', value: 'reserviert' } });
    expect(error!.message).toMatch(/write it as "Reserviert"/);
  });

  it('accepts a value that is in any pipeline when the pattern does not name one', () => {
    expect(checkPickListUses([{ path: 'p', list: 'dealStages', value: 'Mietvertrag' }], DEFAULT_PICK_LISTS)).toEqual([]);
  });
});

describe('values removed while automations use them', () => {
  const reserved = { id: 'a1', name: 'Reserviert-Aufgabe', uses: [{ path: 'trigger.where.toStage', list: 'dealStages' as const, value: 'Reserviert' }] };
  const archive = { id: 'a2', name: 'Archivieren', uses: [{ path: 'trigger.where.activity.category', list: 'activityCategories' as const, keys: ['note'], value: 'Objekt archivieren' }] };

  it('names the list, the value and every automation using it', () => {
    const twin = { ...reserved, id: 'a3', name: 'Zweite' };
    const next = mergePickLists(DEFAULT_PICK_LISTS, { dealStages: { ...DEFAULT_PICK_LISTS.dealStages, default: ['Anfrage', 'Abgesagt'] } });
    expect(removedValuesInUse([reserved, twin, archive], DEFAULT_PICK_LISTS, next)).toEqual([
      {
        path: 'pickLists.dealStages.default',
        code: 'pick_list_value_in_use',
        message: '"Reserviert" is used by the enabled automations "Reserviert-Aufgabe", "Zweite"',
        params: { list: 'dealStages', key: 'default', value: 'Reserviert', automations: [{ id: 'a1', name: 'Reserviert-Aufgabe' }, { id: 'a3', name: 'Zweite' }] },
      },
    ]);
  });

  it('treats a change of case as a removal, since the pattern compares exactly', () => {
    const next = mergePickLists(DEFAULT_PICK_LISTS, { activityCategories: { note: ['objekt archivieren'] } });
    expect(removedValuesInUse([archive], DEFAULT_PICK_LISTS, next)).toEqual([
      expect.objectContaining({ path: 'pickLists.activityCategories.note', params: expect.objectContaining({ value: 'Objekt archivieren' }) }),
    ]);
  });

  it('lets a value go from one sub-list while the automation\'s other sub-lists keep it', () => {
    const next = mergePickLists(DEFAULT_PICK_LISTS, { activityCategories: { call: ['Rückruf'] } });
    const incoming = { id: 'i', name: 'Eingang', uses: [{ path: 'p', list: 'activityCategories' as const, keys: ['call', 'email'], value: 'Eingehend' }] };
    expect(removedValuesInUse([incoming], DEFAULT_PICK_LISTS, next)).toEqual([]);
    const callsOnly = { ...incoming, uses: [{ ...incoming.uses[0]!, keys: ['call'] }] };
    expect(removedValuesInUse([callsOnly], DEFAULT_PICK_LISTS, next)).toEqual([expect.objectContaining({ path: 'pickLists.activityCategories.call' })]);
  });

  it('does not hold on to values that were not in the lists before', () => {
    const legacy = { id: 'l', name: 'Alt', uses: [{ path: 'p', list: 'rejectionReasons' as const, value: 'Zu teuer' }] };
    expect(removedValuesInUse([legacy], DEFAULT_PICK_LISTS, mergePickLists(DEFAULT_PICK_LISTS, { rejectionReasons: ['Sonstiges'] }))).toEqual([]);
  });

  it('counts a removed pipeline as removing its stages', () => {
    const rent = { id: 'r', name: 'Vermietet', uses: [{ path: 'p', list: 'dealStages' as const, keys: ['vermietung'], value: 'Vermietet' }] };
    expect(removedValuesInUse([rent], DEFAULT_PICK_LISTS, mergePickLists(DEFAULT_PICK_LISTS, { dealStages: { default: ['Anfrage'] } }))).toEqual([
      expect.objectContaining({ path: 'pickLists.dealStages.vermietung', params: expect.objectContaining({ key: 'vermietung', value: 'Vermietet' }) }),
    ]);
  });
});
