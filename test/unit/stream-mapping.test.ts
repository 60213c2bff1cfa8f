import { describe, expect, it } from 'vitest';
import { PoisonRecordError, recordToEvents } from '#shared/events/stream-mapping';
import { streamRecord } from '../support/stream-records.ts';

const meta = { tenantId: 'acme', version: 1, createdAt: '2026-11-27T09:00:00.000Z', updatedAt: '2026-11-27T09:00:00.000Z' };
const contact = { ...meta, id: 'c1', lastName: 'Muster', email: 'max@example.com', newsletter: false, gdprConsent: false, archived: false, birthday: '--11-27' };
const deal = { ...meta, id: 'd1', contactId: 'c1', propertyId: 'p1', stage: 'Besichtigung', pipelineId: 'default', archived: false };
const later = (entity: Record<string, unknown>, changes: Record<string, unknown>) => ({
  ...entity,
  ...changes,
  version: (entity.version as number) + 1,
  updatedAt: '2026-11-27T10:00:00.000Z',
});

describe('stream record to domain events', () => {
  it('turns a new contact into ContactCreated, with the entity as written and no table keys', () => {
    const [event, ...rest] = recordToEvents(streamRecord('INSERT', 'CONTACT', contact, undefined, 'e1'));
    expect(rest).toEqual([]);
    expect(event).toEqual({
      source: 'crm.contacts',
      detailType: 'ContactCreated',
      detail: { tenantId: 'acme', schemaVersion: 1, occurredAt: meta.updatedAt, eventKey: 'e1#0', contact },
    });
  });

  it('names the changed fields of a contact, and leaves bookkeeping out', () => {
    const [event] = recordToEvents(streamRecord('MODIFY', 'CONTACT', later(contact, { newsletter: true, phone: '+49 1' }), contact));
    expect(event).toMatchObject({ detailType: 'ContactUpdated', detail: { changedFields: ['newsletter', 'phone'], previous: { newsletter: false } } });
  });

  it('emits nothing for a write that changes only bookkeeping fields', () => {
    expect(recordToEvents(streamRecord('MODIFY', 'CONTACT', later(contact, {}), contact))).toEqual([]);
  });

  it('names a removed field as changed', () => {
    const { birthday: _b, ...withoutBirthday } = contact;
    expect(recordToEvents(streamRecord('MODIFY', 'CONTACT', later(withoutBirthday, {}), contact))[0]?.detail).toMatchObject({ changedFields: ['birthday'] });
  });

  it('turns a deal\'s stage change into DealStageChanged, and other deal changes into nothing', () => {
    expect(recordToEvents(streamRecord('INSERT', 'DEAL', deal))[0]).toMatchObject({ source: 'crm.deals', detailType: 'DealCreated' });
    const moved = recordToEvents(streamRecord('MODIFY', 'DEAL', later(deal, { stage: 'Reserviert' }), deal, 'e9'));
    expect(moved).toEqual([
      expect.objectContaining({ detailType: 'DealStageChanged', detail: expect.objectContaining({ fromStage: 'Besichtigung', toStage: 'Reserviert', eventKey: 'e9#0' }) }),
    ]);
    expect(recordToEvents(streamRecord('MODIFY', 'DEAL', later(deal, { archived: true }), deal))).toEqual([]);
  });

  it('turns new activities, Absagen and inquiries into their Created events', () => {
    const activity = { ...meta, id: 'a1', type: 'note', category: 'Objekt archivieren', contactIds: [], propertyId: 'p1' };
    const rejection = { ...meta, id: 'r1', reason: 'Kein Kontakt mehr gewünscht', contactId: 'c1' };
    const inquiry = { ...meta, id: 'i1', messageId: '<m@x>', format: 'unstructured', status: 'received' };
    expect(recordToEvents(streamRecord('INSERT', 'ACTIVITY', activity))[0]).toMatchObject({ source: 'crm.activities', detailType: 'ActivityCreated', detail: { activity } });
    expect(recordToEvents(streamRecord('INSERT', 'REJECTION', rejection))[0]).toMatchObject({ source: 'crm.rejections', detailType: 'RejectionCreated' });
    expect(recordToEvents(streamRecord('INSERT', 'INQUIRY', inquiry))[0]).toMatchObject({ source: 'crm.inquiries', detailType: 'InquiryReceived' });
    expect(recordToEvents(streamRecord('INSERT', 'INQUIRY', { ...inquiry, status: 'refused' }))).toEqual([]);
  });

  it('turns property writes into PropertyCreated and PropertyUpdated', () => {
    const property = { ...meta, id: 'p1', unitId: 'MI-1', title: 'Altbau', portalIds: {}, archived: false };
    expect(recordToEvents(streamRecord('INSERT', 'PROPERTY', property))[0]?.detailType).toBe('PropertyCreated');
    expect(recordToEvents(streamRecord('MODIFY', 'PROPERTY', later(property, { archived: true }), property))[0]).toMatchObject({
      detailType: 'PropertyUpdated',
      detail: { changedFields: ['archived'] },
    });
  });

  it('emits nothing for tasks, users, link and uniqueness items, and removals', () => {
    expect(recordToEvents(streamRecord('INSERT', 'TASK', { ...meta, id: 't1', title: 'x', done: false }))).toEqual([]);
    expect(recordToEvents(streamRecord('INSERT', 'USER', { ...meta, id: 'u1' }))).toEqual([]);
    expect(recordToEvents(streamRecord('INSERT', 'ACTIVITY_LINK', { ...meta, id: 'a1' }))).toEqual([]);
    expect(recordToEvents(streamRecord('INSERT', 'UNIQUE', { ...meta, id: 'x' }))).toEqual([]);
    expect(recordToEvents(streamRecord('REMOVE', 'CONTACT', undefined, contact))).toEqual([]);
  });

  it('carries causedBy from the written item into the event', () => {
    const causedBy = { automationId: 'a1', executionId: 'x1', depth: 1 };
    const [event] = recordToEvents(streamRecord('MODIFY', 'CONTACT', later(contact, { archived: true, causedBy }), contact));
    expect(event?.detail.causedBy).toEqual(causedBy);
  });

  it('gives the same record the same event keys every time', () => {
    const record = streamRecord('MODIFY', 'CONTACT', later(contact, { status: 'Kunde' }), contact, 'stable');
    expect(recordToEvents(record).map((e) => e.detail.eventKey)).toEqual(recordToEvents(record).map((e) => e.detail.eventKey));
    expect(recordToEvents(record)[0]?.detail.eventKey).toBe('stable#0');
  });

  it('calls a record poison when it cannot be read', () => {
    const noImage = streamRecord('INSERT', 'CONTACT', contact);
    delete noImage.dynamodb!.NewImage;
    expect(() => recordToEvents(noImage)).toThrow(PoisonRecordError);
    const noId = streamRecord('INSERT', 'CONTACT', contact);
    delete noId.eventID;
    expect(() => recordToEvents(noId)).toThrow(PoisonRecordError);
    const broken = streamRecord('INSERT', 'CONTACT', contact);
    broken.dynamodb!.NewImage = { entity: { S: 'CONTACT' }, id: { Q: 'what' } } as never;
    expect(() => recordToEvents(broken)).toThrow(PoisonRecordError);
    const invalid = streamRecord('INSERT', 'DEAL', { ...deal, stage: undefined });
    expect(() => recordToEvents(invalid)).toThrow(PoisonRecordError);
  });
});
