import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { withoutTableAttributes } from '#shared/db/keys';
import { DETAIL_SCHEMAS, SCHEMA_VERSION, SOURCE_OF, type DetailType, type DomainEvent } from '#events/catalogue';
import { DETAIL_TYPES, TRIGGERS, type TriggerDescriptor } from '#events/registry';

/** A stream record that can never become an event; retrying cannot help. */
export class PoisonRecordError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PoisonRecordError';
  }
}

/** The registry's events by the kind of item they are raised for (`CONTACT`, `DEAL`, ...). */
const BY_KIND = new Map<string, Array<[DetailType, TriggerDescriptor]>>();
for (const type of DETAIL_TYPES) {
  const descriptor = TRIGGERS[type];
  const kind = descriptor.subject.toUpperCase();
  BY_KIND.set(kind, [...(BY_KIND.get(kind) ?? []), [type, descriptor]]);
}

type Image = Record<string, unknown>;

/**
 * Turns one stream record (NEW_AND_OLD_IMAGES) into its domain events, as each descriptor's
 * `publication` says: an insert into a Created event, a change into an Updated event naming the
 * changed fields, a deal's stage change into DealStageChanged; link, uniqueness, task, user and
 * settings items, removals and bookkeeping-only changes into nothing. Each event's key is the record's eventID and its index.
 * Throws PoisonRecordError for a record that cannot be read.
 */
export function recordToEvents(record: DynamoDBRecord): DomainEvent[] {
  if (!record.eventID || !record.eventName) throw new PoisonRecordError('The record has no eventID or eventName');
  const newImage = image(record.dynamodb?.NewImage, 'NewImage');
  const oldImage = image(record.dynamodb?.OldImage, 'OldImage');
  if (record.eventName === 'REMOVE') return [];
  if (!newImage) throw new PoisonRecordError(`A ${record.eventName} record without NewImage; the stream must be NEW_AND_OLD_IMAGES`);
  const candidates = BY_KIND.get(String(newImage.entity));
  if (!candidates) return [];

  const entity = withoutTableAttributes(newImage);
  if (typeof entity.tenantId !== 'string' || typeof entity.id !== 'string') throw new PoisonRecordError('The item has no tenantId or id');
  const occurredAt = typeof entity.updatedAt === 'string' ? entity.updatedAt : approximateTime(record);
  const base = {
    tenantId: entity.tenantId,
    schemaVersion: SCHEMA_VERSION,
    occurredAt,
    ...(entity.causedBy ? { causedBy: entity.causedBy } : {}),
  };
  const previous = oldImage ? withoutTableAttributes(oldImage) : undefined;

  const details: Array<[DetailType, Record<string, unknown>]> = [];
  for (const [type, { subject, publication }] of candidates) {
    if (record.eventName === 'INSERT' && publication.on === 'insert' && (publication.when?.(entity) ?? true)) {
      details.push([type, { ...base, [subject]: entity }]);
    } else if (record.eventName === 'MODIFY' && publication.on === 'modify' && previous) {
      const own = publication.detail(previous, entity);
      if (own) details.push([type, { ...base, [subject]: entity, ...own }]);
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

function approximateTime(record: DynamoDBRecord): string {
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return new Date(typeof seconds === 'number' ? seconds * 1000 : Date.now()).toISOString();
}
