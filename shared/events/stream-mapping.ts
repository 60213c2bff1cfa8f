import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isDeepStrictEqual } from 'node:util';
import { withoutTableAttributes } from '#shared/db/keys';
import { DETAIL_SCHEMAS, SCHEMA_VERSION, SOURCE_OF, type DetailType, type DomainEvent } from '#events/catalogue';

/** A stream record that can never become an event; retrying cannot help. */
export class PoisonRecordError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PoisonRecordError';
  }
}

/** Fields every write changes; a change of only these is no domain change. */
const BOOKKEEPING = new Set(['version', 'updatedAt', 'createdAt', 'causedBy', 'id', 'tenantId']);

/** The entity kinds that have events, and the key each is found under in its detail. */
const EVENTFUL: Record<string, { key: string; created: DetailType; updated?: DetailType; createdWhen?: (entity: Image) => boolean }> = {
  CONTACT: { key: 'contact', created: 'ContactCreated', updated: 'ContactUpdated' },
  PROPERTY: { key: 'property', created: 'PropertyCreated', updated: 'PropertyUpdated' },
  DEAL: { key: 'deal', created: 'DealCreated' },
  ACTIVITY: { key: 'activity', created: 'ActivityCreated' },
  REJECTION: { key: 'rejection', created: 'RejectionCreated' },
  // Refused inquiries (spam, virus, oversize) are kept for the record but trigger nothing.
  INQUIRY: { key: 'inquiry', created: 'InquiryReceived', createdWhen: (inquiry) => inquiry.status === 'received' },
};

type Image = Record<string, unknown>;

/**
 * Turns one stream record (NEW_AND_OLD_IMAGES) into its domain events: an insert into a Created
 * event, a change of a contact or property into an Updated event naming the changed fields, a deal's
 * stage change into DealStageChanged; link, uniqueness, task, user and settings items, removals and
 * bookkeeping-only changes into nothing. Each event's key is the record's eventID and its index.
 * Throws PoisonRecordError for a record that cannot be read.
 */
export function recordToEvents(record: DynamoDBRecord): DomainEvent[] {
  if (!record.eventID || !record.eventName) throw new PoisonRecordError('The record has no eventID or eventName');
  const newImage = image(record.dynamodb?.NewImage, 'NewImage');
  const oldImage = image(record.dynamodb?.OldImage, 'OldImage');
  if (record.eventName === 'REMOVE') return [];
  if (!newImage) throw new PoisonRecordError(`A ${record.eventName} record without NewImage; the stream must be NEW_AND_OLD_IMAGES`);
  const spec = EVENTFUL[String(newImage.entity)];
  if (!spec) return [];

  const entity = withoutTableAttributes(newImage);
  if (typeof entity.tenantId !== 'string' || typeof entity.id !== 'string') throw new PoisonRecordError('The item has no tenantId or id');
  const occurredAt = typeof entity.updatedAt === 'string' ? entity.updatedAt : approximateTime(record);
  const base = {
    tenantId: entity.tenantId,
    schemaVersion: SCHEMA_VERSION,
    occurredAt,
    ...(entity.causedBy ? { causedBy: entity.causedBy } : {}),
  };

  const details: Array<[DetailType, Record<string, unknown>]> = [];
  if (record.eventName === 'INSERT') {
    if (spec.createdWhen && !spec.createdWhen(entity)) return [];
    details.push([spec.created, { ...base, [spec.key]: entity }]);
  } else if (record.eventName === 'MODIFY') {
    const previous = oldImage ? withoutTableAttributes(oldImage) : undefined;
    if (spec.updated) {
      const changedFields = previous ? changed(previous, entity) : [];
      if (changedFields.length > 0) details.push([spec.updated, { ...base, [spec.key]: entity, previous, changedFields }]);
    }
    if (spec.key === 'deal' && previous && previous.stage !== entity.stage) {
      details.push(['DealStageChanged', { ...base, deal: entity, fromStage: previous.stage, toStage: entity.stage }]);
    }
  }

  return details.map(([detailType, detail], index) => {
    const parsed = DETAIL_SCHEMAS[detailType].safeParse({ ...detail, eventKey: `${record.eventID}#${index}` });
    if (!parsed.success) throw new PoisonRecordError(`${detailType} detail is invalid: ${parsed.error.message}`);
    return { source: SOURCE_OF[detailType], detailType, detail: parsed.data } as DomainEvent;
  });
}

function image(value: Record<string, LambdaAttributeValue> | undefined, name: string): Image | undefined {
  if (!value) return undefined;
  try {
    return unmarshall(value as Record<string, AttributeValue>);
  } catch (error) {
    throw new PoisonRecordError(`${name} cannot be read: ${(error as Error).message}`);
  }
}

/** Domain fields whose value differs between the two images, sorted. */
export function changed(before: Image, after: Image): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => !BOOKKEEPING.has(key) && !isDeepStrictEqual(before[key], after[key])).sort();
}

function approximateTime(record: DynamoDBRecord): string {
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return new Date(typeof seconds === 'number' ? seconds * 1000 : Date.now()).toISOString();
}
