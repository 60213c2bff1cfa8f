import { describe, expect, it } from 'vitest';
import { PoisonRecordError, recordToEvents } from '#shared/events/stream-mapping';
import { streamRecord } from '../support/stream-records.ts';

/** Why a stream record is poison, in words an operator can act on; and when an event occurred. */

const meta = { tenantId: 'acme', version: 1, createdAt: '2026-11-27T09:00:00.000Z', updatedAt: '2026-11-27T09:00:00.000Z' };
const contact = { ...meta, id: 'c1', lastName: 'Muster', email: 'max@example.com', newsletter: false, gdprConsent: false, archived: false };
const deal = { ...meta, id: 'd1', contactId: 'c1', propertyId: 'p1', stage: 'Besichtigung', pipelineId: 'default', archived: false };

/** The error the record is refused with. */
function poison(record: ReturnType<typeof streamRecord>): PoisonRecordError {
  try {
    recordToEvents(record);
  } catch (error) {
    expect(error).toBeInstanceOf(PoisonRecordError);
    return error as PoisonRecordError;
  }
  throw new Error('the record became events');
}

describe('a poison stream record', () => {
  it('is named as such and says what is missing', () => {
    const noId = streamRecord('INSERT', 'CONTACT', contact);
    delete noId.eventID;
    expect(poison(noId)).toMatchObject({ name: 'PoisonRecordError', message: 'The record has no eventID or eventName' });
    const noName = streamRecord('INSERT', 'CONTACT', contact);
    delete noName.eventName;
    expect(poison(noName).message).toBe('The record has no eventID or eventName');

    const noImage = streamRecord('MODIFY', 'CONTACT', contact, contact);
    delete noImage.dynamodb!.NewImage;
    expect(poison(noImage).message).toBe('A MODIFY record without NewImage; the stream must be NEW_AND_OLD_IMAGES');
  });

  it('names the image that cannot be read', () => {
    const badNew = streamRecord('INSERT', 'CONTACT', contact);
    badNew.dynamodb!.NewImage = { entity: { S: 'CONTACT' }, id: { Q: 'what' } } as never;
    expect(poison(badNew).message).toMatch(/^NewImage cannot be read: ./);
    const badOld = streamRecord('MODIFY', 'CONTACT', contact, contact);
    badOld.dynamodb!.OldImage = { id: { Q: 'what' } } as never;
    expect(poison(badOld).message).toMatch(/^OldImage cannot be read: ./);
  });

  it('refuses an item without its tenant or its id', () => {
    expect(poison(streamRecord('INSERT', 'CONTACT', { ...contact, tenantId: 7 })).message).toBe('The item has no tenantId or id');
    expect(poison(streamRecord('INSERT', 'CONTACT', { ...contact, id: 7 })).message).toBe('The item has no tenantId or id');
  });

  it('names the event whose detail the catalogue refuses', () => {
    expect(poison(streamRecord('INSERT', 'DEAL', { ...deal, stage: undefined })).message).toMatch(/^DealCreated detail is invalid: ./);
  });
});

describe('when an event occurred', () => {
  it('is when the item was last written, else when the stream saw the write', () => {
    // Written half an hour before the stream saw it (the fixture's ApproximateCreationDateTime is 09:00).
    const written = recordToEvents(streamRecord('INSERT', 'CONTACT', { ...contact, updatedAt: '2026-11-27T08:30:00.000Z' }));
    expect(written[0]?.detail.occurredAt).toBe('2026-11-27T08:30:00.000Z');
    const { updatedAt: _u, ...unstamped } = contact;
    const seen = recordToEvents(streamRecord('INSERT', 'CONTACT', unstamped));
    expect(seen[0]?.detail.occurredAt).toBe(new Date(1_795_770_000 * 1000).toISOString());
  });
});

describe('the kind of write', () => {
  it('raises Created events for an insert only and Updated events for a change only', () => {
    const changed = { ...contact, version: 2, newsletter: true, updatedAt: '2026-11-27T10:00:00.000Z' };
    // An insert that carries an old image (a put over an item the stream missed) is still an insert.
    expect(recordToEvents(streamRecord('INSERT', 'CONTACT', changed, contact)).map((e) => e.detailType)).toEqual(['ContactCreated']);
    expect(recordToEvents(streamRecord('MODIFY', 'CONTACT', changed, contact)).map((e) => e.detailType)).toEqual(['ContactUpdated']);
    expect(recordToEvents(streamRecord('MODIFY', 'CONTACT', changed)).map((e) => e.detailType)).toEqual([]);
    expect(recordToEvents(streamRecord('REMOVE', 'CONTACT', undefined, contact))).toEqual([]);
  });
});
