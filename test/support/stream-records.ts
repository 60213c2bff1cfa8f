import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

let sequence = 1000;

/** A stream record as Lambda delivers it, from plain items (keys are added as CrmTable has them). */
export function streamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  kind: string,
  newItem?: Record<string, unknown>,
  oldItem?: Record<string, unknown>,
  eventID = `evt-${++sequence}`,
): DynamoDBRecord {
  const item = newItem ?? oldItem!;
  const keys = { PK: `${item.tenantId}#${kind}#${item.id}`, SK: 'ENTITY' };
  const asItem = (entity: Record<string, unknown> | undefined) =>
    entity ? (marshall({ ...entity, ...keys, entity: kind, GSI1PK: `${item.tenantId}#${kind}`, GSI1SK: item.id }, { removeUndefinedValues: true }) as never) : undefined;
  return {
    eventID,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-central-1',
    eventSourceARN: 'arn:aws:dynamodb:eu-central-1:000000000000:table/CrmTable/stream/2026-11-27T00:00:00.000',
    dynamodb: {
      ApproximateCreationDateTime: 1_795_770_000,
      Keys: marshall(keys) as never,
      NewImage: asItem(newItem),
      OldImage: asItem(oldItem),
      SequenceNumber: String(++sequence),
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
