import { describe, expect, it } from 'vitest';
import { conditionProblems } from '#shared/automations/conditions';
import { AutomationFields } from '#shared/automations/model';
import { closest } from '#shared/automations/suggest';
import { conditionFields, pickListOf, templateScope, templateVariables } from '#shared/automations/trigger-reference';
import { validateDefinition } from '#shared/automations/validate';
import { automationWarnings } from '#shared/automations/warnings';
import { ValidationError } from '#shared/errors';
import { explainMismatch } from '#shared/patterns/explain';
import { flattenEvent } from '#shared/patterns/match';
import { DEFAULT_PICK_LISTS } from '#shared/settings/pick-lists';

const codes = (where: Record<string, unknown>, event: Parameters<typeof conditionProblems>[1]) => conditionProblems(where, event).map((p) => [p.path, p.code]);

const refusal = (definition: unknown) => {
  try {
    validateDefinition(AutomationFields.parse(definition), DEFAULT_PICK_LISTS);
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  return [];
};

describe('conditions checked against the trigger registry', () => {
  it('refuses a key the event does not carry and suggests the field meant', () => {
    const [problem] = conditionProblems({ stage: ['Notartermin'] }, 'DealStageChanged');
    expect(problem).toMatchObject({ path: 'trigger.where.stage', code: 'unknown_path', params: { field: 'stage', suggestion: 'toStage' } });
    expect(problem!.message).toContain('did you mean "toStage"?');
  });

  it('refuses an entity the event does not carry and lists what it carries', () => {
    const [problem] = conditionProblems({ property: { marketingType: ['rent'] } }, 'DealStageChanged');
    expect(problem).toMatchObject({ path: 'trigger.where.property', code: 'unknown_path' });
    expect(problem!.params!.available).toEqual(expect.arrayContaining(['deal', 'fromStage', 'toStage', 'causedBy']));
    expect(problem!.params!.available).not.toContain('property');
  });

  it('accepts the fields each event carries, records of any key and the previous entity', () => {
    expect(codes({ toStage: ['Reserviert'], fromStage: [{ 'anything-but': 'Abgesagt' }], deal: { stage: [{ prefix: 'Res' }] } }, 'DealStageChanged')).toEqual([]);
    expect(codes({ property: { portalIds: { immoscout24: [{ exists: true }] }, price: [{ numeric: ['>', 100000] }] } }, 'PropertyUpdated')).toEqual([]);
    expect(codes({ previous: { status: ['Interessent'] }, changedFields: ['status'], causedBy: { automationId: [{ exists: false }] } }, 'ContactUpdated')).toEqual([]);
    // EventBridge tests existence of leaves only: on an object it would always be "absent".
    expect(codes({ causedBy: [{ exists: false }] }, 'ContactUpdated')).toEqual([['trigger.where.causedBy', 'not_a_value']]);
    expect(codes({ inquiry: { extracted: { portal: [{ 'equals-ignore-case': 'immoscout24' }] }, fromAddress: [{ suffix: '@immobilienscout24.de' }] } }, 'InquiryReceived')).toEqual([]);
  });

  it('refuses operands that do not fit the field\'s type', () => {
    expect(codes({ contact: { firstName: [{ numeric: ['>', 3] }], archived: ['true'], newsletter: [{ prefix: 't' }] } }, 'ContactCreated')).toEqual([
      ['trigger.where.contact.firstName.0', 'operand_type'],
      ['trigger.where.contact.archived.0', 'operand_type'],
      ['trigger.where.contact.newsletter.0', 'operand_type'],
    ]);
    expect(codes({ property: { price: ['489000'] } }, 'PropertyCreated')).toEqual([['trigger.where.property.price.0', 'operand_type']]);
    expect(codes({ property: { unitId: [{ cidr: '10.0.0.0/8' }] } }, 'PropertyCreated')).toEqual([['trigger.where.property.unitId.0', 'operand_type']]);
    expect(codes({ property: { title: [{ 'anything-but': [1, 2] }] } }, 'PropertyCreated')).toEqual([['trigger.where.property.title.0', 'operand_type']]);
  });

  it('refuses a value outside an enum with the allowed values', () => {
    const [problem] = conditionProblems({ activity: { type: ['meeting'] } }, 'ActivityCreated');
    expect(problem).toMatchObject({ code: 'invalid_value', params: { value: 'meeting', allowed: ['appointment', 'note', 'call', 'email', 'letter'] } });
    expect(codes({ changedFields: ['newsleter'] }, 'ContactUpdated')).toEqual([['trigger.where.changedFields.0', 'invalid_value']]);
  });

  it('refuses a leaf where an object is, and an object where a value is', () => {
    expect(codes({ deal: ['x'] }, 'DealCreated')).toEqual([['trigger.where.deal', 'not_a_value']]);
    expect(codes({ toStage: { de: ['x'] } }, 'DealStageChanged')).toEqual([['trigger.where.toStage', 'not_an_object']]);
  });

  it('checks every $or alternative under its own path', () => {
    expect(codes({ $or: [{ toStage: ['Reserviert'] }, { stagee: ['Verkauft'] }] }, 'DealStageChanged')).toEqual([['trigger.where.$or.1.stagee', 'unknown_path']]);
  });

  it('maps pick-list fields of every trigger, the previous entity and stage fields included', () => {
    expect(pickListOf('DealStageChanged', 'toStage')).toEqual({ list: 'dealStages', keyPath: 'deal.pipelineId' });
    expect(pickListOf('ActivityCreated', 'activity.category')).toEqual({ list: 'activityCategories', keyPath: 'activity.type' });
    expect(pickListOf('ContactUpdated', 'previous.status')).toEqual({ list: 'contactStatuses' });
    expect(pickListOf('RejectionCreated', 'rejection.reason')).toEqual({ list: 'rejectionReasons' });
    expect(pickListOf('NoSuchEvent', 'toStage')).toBeUndefined();
  });

  it('derives examples from the fixtures and template variables from the entities a run loads', () => {
    expect(conditionFields('DealStageChanged').find((f) => f.path === 'toStage')).toMatchObject({ type: 'string', example: 'Reserviert' });
    expect(Object.keys(templateVariables('DealStageChanged')).sort()).toEqual(['contact', 'contactPerson', 'deal', 'event', 'owner', 'property', 'tenant']);
    expect(templateScope('InquiryReceived').fields.contact?.has('email')).toBe(true);
    expect(templateScope('ContactBirthday').fields.event?.has('age')).toBe(true);
    expect(templateScope('ContactBirthday').fields.property).toBeUndefined();
  });
});

describe('pick-list values and action values checked on save', () => {
  const rejection = { name: 'x', trigger: { event: 'RejectionCreated', where: { rejection: { reason: ['kein kontakt mehr gewünscht'] } } }, actions: [{ type: 'update_contact', set: { archived: true } }] };

  it('refuses a value outside the tenant\'s list and names the spelling of the list', () => {
    const [problem] = refusal(rejection);
    expect(problem).toMatchObject({ path: 'trigger.where.rejection.reason', code: 'not_in_pick_list', params: { list: 'rejectionReasons', suggestion: 'Kein Kontakt mehr gewünscht' } });
  });

  it('accepts equals-ignore-case and prefix for pick-list fields', () => {
    expect(refusal({ ...rejection, trigger: { event: 'RejectionCreated', where: { rejection: { reason: [{ 'equals-ignore-case': 'kein kontakt mehr gewünscht' }, { prefix: 'Kein' }] } } } })).toEqual([]);
  });

  it('refuses stages, statuses and categories of actions outside the lists', () => {
    const fields = refusal({
      name: 'x',
      trigger: { event: 'DealStageChanged', where: { toStage: ['Notartermin'] } },
      actions: [{ type: 'move_deal', stage: 'Notar' }, { type: 'update_contact', set: { status: 'VIP' } }],
    });
    expect(fields.map((f) => [f.path, f.code])).toEqual([
      ['actions.0.stage', 'not_in_pick_list'],
      ['actions.1.set.status', 'not_in_pick_list'],
    ]);
  });

  it('refuses an invalid pattern with the compiler\'s reason and a code', () => {
    const [problem] = refusal({ ...rejection, trigger: { event: 'RejectionCreated', where: { rejection: { reason: [{ wildcard: '**' }] } } } });
    expect(problem).toMatchObject({ path: 'trigger.where', code: 'invalid_pattern' });
    expect(problem!.message).toContain('Consecutive wildcard');
  });
});

describe('explaining a non-match', () => {
  it('names the condition that failed and the value the event had', () => {
    const [mismatch] = explainMismatch({ toStage: ['Notartermin'], deal: { pipelineId: ['default'] } }, flattenEvent({ toStage: 'Reserviert', deal: { pipelineId: 'default' } }));
    expect(mismatch).toEqual({ path: 'toStage', condition: ['Notartermin'], saw: ['Reserviert'], message: 'toStage is "Reserviert"; the trigger needs "Notartermin"' });
  });

  it('says when the event lacks the field, and explains each failed $or alternative', () => {
    expect(explainMismatch({ activity: { propertyId: [{ exists: true }] } }, flattenEvent({ activity: {} }))[0]).toMatchObject({ path: 'activity.propertyId', saw: null });
    const [or] = explainMismatch({ $or: [{ a: [1] }, { b: [2] }] }, flattenEvent({ a: 0, b: 0 }));
    expect(or).toMatchObject({ path: '(event)', anyOf: [[{ path: 'a', saw: [0] }], [{ path: 'b', saw: [0] }]] });
    expect(explainMismatch({ $or: [{ a: [1] }, { b: [2] }] }, flattenEvent({ a: 0, b: 2 }))).toEqual([]);
  });
});

describe('warnings', () => {
  const definition = (trigger: unknown, actions: unknown[]) => AutomationFields.parse({ name: 'x', trigger, actions });
  const mail = { type: 'send_email', to: 'contact', subject: 'Hallo', body: 'Hallo' };

  it('warns of e-mail while the agency has no sender address', () => {
    expect(automationWarnings(definition({ event: 'ContactCreated' }, [mail]), {}).map((w) => w.code)).toEqual(['no_sender_address']);
    expect(automationWarnings(definition({ event: 'ContactCreated' }, [mail]), { senderAddress: 'info@acme.example' })).toEqual([]);
  });

  it('warns of triggers that can never match', () => {
    const never = (trigger: unknown) => automationWarnings(definition(trigger, [{ type: 'update_contact', set: { archived: true } }]), {}).map((w) => w.code);
    expect(never({ event: 'DealStageChanged', where: { fromStage: ['Reserviert'], toStage: ['Reserviert'] } })).toEqual(['never_matches']);
    expect(never({ event: 'ContactBirthday', where: { contact: { archived: [true] } } })).toEqual(['never_matches']);
    expect(never({ event: 'InquiryReceived', where: { inquiry: { status: ['refused'] } } })).toEqual(['never_matches']);
    expect(never({ event: 'DealStageChanged', where: { fromStage: ['Besichtigung'], toStage: ['Reserviert'] } })).toEqual([]);
  });

  it('warns of an inquiry automation that would act on unauthenticated senders', () => {
    const create = [{ type: 'create_contact' }];
    expect(automationWarnings(definition({ event: 'InquiryReceived', where: { inquiry: { fromAddress: ['noreply@portal.example'] } } }, create), {}).map((w) => w.code)).toEqual(['unauthenticated_sender']);
    expect(automationWarnings(definition({ event: 'InquiryReceived', where: { inquiry: { authenticated: [true] } } }, create), {})).toEqual([]);
  });

  it('warns of a birthday greeting sent as transactional, and of an invitation for any activity', () => {
    const ctx = { senderAddress: 'info@acme.example' };
    expect(automationWarnings(definition({ event: 'ContactBirthday' }, [mail]), ctx).map((w) => w.code)).toEqual(['marketing_without_consent_check']);
    expect(automationWarnings(definition({ event: 'ActivityCreated' }, [{ ...mail, attachIcs: true }]), ctx).map((w) => w.code)).toEqual(['invitation_without_appointment']);
    expect(automationWarnings(definition({ event: 'ActivityCreated', where: { activity: { type: ['appointment'] } } }, [{ ...mail, attachIcs: true }]), ctx)).toEqual([]);
  });
});

describe('suggestions', () => {
  it('suggests a close path, a path with the same last segment, or nothing', () => {
    expect(closest('contact.frstName', ['contact.firstName', 'contact.lastName'])).toBe('contact.firstName');
    expect(closest('stage', ['deal.stage', 'occurredAt'])).toBe('deal.stage');
    expect(closest('zzzzzz', ['deal.stage', 'toStage'])).toBeUndefined();
  });
});
