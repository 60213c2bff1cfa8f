import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { LocalStack } from '#infra/local/stack';
import { CRM_TABLE } from '#infra/tables';
import { birthdayIndexKey } from '#shared/db/keys';
import { createDocumentClient } from '#shared/aws/clients';
import { runBirthdayCheck } from '#shared/birthdays/birthday-run';
import { dateInZone } from '#shared/birthdays/dates';
import { MemoryPoisonSink } from '#shared/events/poison-sink';
import { EventPublisher } from '#shared/events/publisher';
import { createStreamHandler } from '#shared/events/stream-handler';
import { round } from './support.ts';

function countingPublisher(stack: LocalStack) {
  let calls = 0;
  const publisher = new EventPublisher(new EventBridgeClient({ endpoint: stack.bus.url }), 'crm', { onCall: () => void calls++ });
  return { publisher, calls: () => calls };
}

/** Section 2a: PutEvents calls for 100 stream records, delivered in batches of 10 as the event source does. */
export async function putEventsPerStreamRecords(stack: LocalStack, records = 100): Promise<{ records: number; calls: number }> {
  const { publisher, calls } = countingPublisher(stack);
  const handler = createStreamHandler({ publisher, poison: new MemoryPoisonSink(), log: () => undefined });
  const all: DynamoDBRecord[] = Array.from({ length: records }, (_, i) => {
    const item = { PK: `bench#REJECTION#r${i}`, SK: 'ENTITY', entity: 'REJECTION', id: `r${i}`, tenantId: 'bench-stream', version: 1, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), reason: 'Zu teuer', contactId: 'c1' };
    return { eventID: `bench-${i}`, eventName: 'INSERT', eventSource: 'aws:dynamodb', dynamodb: { NewImage: marshall(item) as never, SequenceNumber: String(i), StreamViewType: 'NEW_AND_OLD_IMAGES' } };
  });
  for (let i = 0; i < all.length; i += 10) await handler({ Records: all.slice(i, i + 10) });
  return { records, calls: calls() };
}

async function writeContacts(stack: LocalStack, contacts: Array<Record<string, unknown>>): Promise<void> {
  const doc = createDocumentClient(new DynamoDBClient({ endpoint: stack.dynamoEndpoint }));
  const table = stack.tableNames[CRM_TABLE.envVar]!;
  const batches: Array<Record<string, unknown>[]> = [];
  for (let i = 0; i < contacts.length; i += 25) batches.push(contacts.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        let pending = { [table]: batch.map((Item) => ({ PutRequest: { Item } })) };
        while (Object.keys(pending).length) {
          const result = await doc.send(new BatchWriteCommand({ RequestItems: pending }));
          pending = (result.UnprocessedItems ?? {}) as typeof pending;
        }
      }
    }),
  );
}

/** A contact item as the contact store writes it, birthday index keys included. */
function contactItem(tenantId: string, id: string, birthday: string): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    PK: `${tenantId}#CONTACT#${id}`, SK: 'ENTITY', entity: 'CONTACT', GSI1PK: `${tenantId}#CONTACT`, GSI1SK: id, BDAY: birthdayIndexKey(tenantId, id, birthday), BDAYSK: `${tenantId}#${id}`,
    id, tenantId, version: 1, createdAt: now, updatedAt: now, lastName: `Kontakt ${id}`, birthday, newsletter: false, gdprConsent: false, archived: false,
  };
}

/** Section 2b: PutEvents calls for 1,000 birthday events. */
export async function putEventsPerBirthdays(stack: LocalStack, count = 1000): Promise<{ events: number; calls: number }> {
  const monthDay = '02-14';
  await writeContacts(stack, Array.from({ length: count }, (_, i) => contactItem('bench-bday', `c${String(i).padStart(5, '0')}`, `--${monthDay}`)));
  const { publisher, calls } = countingPublisher(stack);
  const table = stack.tableNames[CRM_TABLE.envVar]!;
  const result = await runBirthdayCheck({ client: createDocumentClient(new DynamoDBClient({ endpoint: stack.dynamoEndpoint })), tableName: table, publisher }, { date: '2027-02-14', tenantId: 'bench-bday' });
  return { events: result.published, calls: calls() };
}

/** Section 3: items read by a birthday run over `total` contacts in 50 tenants, per birthday found. */
export async function birthdayScale(stack: LocalStack, total: number): Promise<{ contacts: number; birthdays: number; itemsRead: number; pages: number; readsPerBirthday: number; writeSeconds: number }> {
  const started = performance.now();
  const contacts: Array<Record<string, unknown>> = [];
  for (let i = 0; i < total; i++) {
    const day = new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 365) * 86_400_000).toISOString().slice(5, 10);
    const birthday = i % 3 === 0 ? `--${day}` : `${1950 + (i % 50)}-${day}`;
    contacts.push(contactItem(`scale-${i % 50}`, `s${i}`, birthday));
  }
  await writeContacts(stack, contacts);
  const writeSeconds = (performance.now() - started) / 1000;
  const date = dateInZone(new Date(), 'Europe/Berlin');
  // Events go nowhere here: only the reading is measured.
  const publisher = { publish: async () => ({ failed: [], calls: 0 }) } as unknown as EventPublisher;
  const result = await runBirthdayCheck({ client: createDocumentClient(new DynamoDBClient({ endpoint: stack.dynamoEndpoint })), tableName: stack.tableNames[CRM_TABLE.envVar]!, publisher }, { date });
  return { contacts: total, birthdays: result.birthdays, itemsRead: result.itemsRead, pages: result.pages, readsPerBirthday: round(result.itemsRead / Math.max(1, result.birthdays), 3), writeSeconds: round(writeSeconds, 1) };
}
