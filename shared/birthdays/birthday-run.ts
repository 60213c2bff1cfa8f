import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SCHEMA_VERSION, SOURCE_OF, type DomainEvent } from '#events/catalogue';
import { birthdayPartitions, withoutTableAttributes } from '../db/keys.ts';
import type { EventPublisher } from '../events/publisher.ts';
import { ageOn, celebratedMonthDays } from './dates.ts';


export interface BirthdayRunInput {
  /** The day being celebrated, `YYYY-MM-DD`. */
  date: string;
  /** Only this tenant's contacts (an admin's back-fill); all tenants when absent (the daily run). */
  tenantId?: string;
}

export interface BirthdayRunResult {
  date: string;
  tenantId?: string;
  birthdays: number;
  published: number;
  /** Items DynamoDB read for the run (the sparse index holds only contacts to greet). */
  itemsRead: number;
  pages: number;
}

/**
 * Thrown when events could not be published. The scheduler invokes asynchronously and retries only
 * a failed delivery, not a run that throws: Lambda retries the run twice, then it goes to the
 * birthday check's on-failure queue (infra BirthdaySchedule.failedRuns) to be re-run; the event keys
 * make a re-run idempotent.
 */
export class BirthdayPublishError extends Error {}

export interface BirthdayRunDeps {
  client: DynamoDBDocumentClient;
  tableName: string;
  publisher: EventPublisher;
  now?: () => Date;
}

/**
 * Emits one ContactBirthday per contact celebrating on `date`: reads only that month-day's
 * partitions of the sparse BirthdayIndex (its shards side by side, plus 29 February's on 28
 * February of a common year), page by page, never scanning. Each event's key is (tenant, contact,
 * date), so a second run for the same date changes nothing downstream.
 */
export async function runBirthdayCheck(deps: BirthdayRunDeps, input: BirthdayRunInput): Promise<BirthdayRunResult> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const result: BirthdayRunResult = { date: input.date, ...(input.tenantId ? { tenantId: input.tenantId } : {}), birthdays: 0, published: 0, itemsRead: 0, pages: 0 };
  const events: DomainEvent<'ContactBirthday'>[] = [];

  const readPartition = async (partition: string) => {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await deps.client.send(
        new QueryCommand({
          TableName: deps.tableName,
          IndexName: 'BirthdayIndex',
          KeyConditionExpression: input.tenantId ? 'BDAY = :md AND begins_with(BDAYSK, :tenant)' : 'BDAY = :md',
          ExpressionAttributeValues: { ':md': partition, ...(input.tenantId ? { ':tenant': `${input.tenantId}#` } : {}) },
          ExclusiveStartKey: startKey,
        }),
      );
      result.pages++;
      result.itemsRead += page.ScannedCount ?? page.Count ?? 0;
      for (const item of page.Items ?? []) {
        if (item.archived === true || typeof item.birthday !== 'string') continue;
        const contact = withoutTableAttributes(item) as Record<string, unknown> & { id: string; tenantId: string };
        const age = ageOn(item.birthday, input.date);
        events.push({
          source: SOURCE_OF.ContactBirthday,
          detailType: 'ContactBirthday',
          detail: {
            tenantId: contact.tenantId,
            schemaVersion: SCHEMA_VERSION,
            occurredAt: now,
            eventKey: `birthday#${contact.tenantId}#${contact.id}#${input.date}`,
            contact: contact as never,
            date: input.date,
            ...(age !== undefined ? { age } : {}),
          },
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  };
  await Promise.all(celebratedMonthDays(input.date).flatMap(birthdayPartitions).map(readPartition));

  result.birthdays = events.length;
  const outcome = await deps.publisher.publish(events);
  result.published = events.length - outcome.failed.length;
  if (outcome.failed.length > 0) {
    throw new BirthdayPublishError(`${outcome.failed.length} of ${events.length} birthday events were not published: ${outcome.failed[0]!.error}`);
  }
  return result;
}
