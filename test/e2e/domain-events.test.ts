import { EventBridgeClient, PutEventsCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DETAIL_SCHEMAS, isDetailType } from '#events/catalogue';
import { createDocumentClient } from '#shared/aws/clients';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { useTestApi, type TestApi } from '../support/local-api.ts';
import { tenant } from '../support/dynamo.ts';
import { waitFor } from '../support/wait.ts';

let api: TestApi;
let token: string;
let admin: string;
const t = tenant();

useTestApi(t, (session) => ({ api, admin, agent: token } = session));

/** The events of this file's tenant that reached the bus, as [detail-type, entity id] in arrival order. */
const seen = () =>
  api.stack.bus
    .recent()
    .filter((d) => d.event.detail.tenantId === t)
    .map((d) => d.event);

const entityId = (detail: Record<string, any>) => (detail.contact ?? detail.property ?? detail.deal ?? detail.activity ?? detail.rejection ?? detail.inquiry)?.id;

async function settle(count: number) {
  await waitFor(() => (seen().length >= count ? true : undefined), `${count} events`);
  await new Promise((r) => setTimeout(r, 300));
  return seen();
}

const post = async (path: string, body: unknown, as = token) => {
  const reply = await api.call('POST', path, { token: as, body });
  expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300);
  return reply.body;
};
const patch = async (path: string, body: unknown) => (await api.call('PATCH', path, { token, body })).body;

describe('domain events from API writes', () => {
  it('yields exactly the catalogue\'s events, in order per entity, each valid and keyed', async () => {
    const user = await post('/users', { firstName: 'Anna', lastName: 'Agent', email: 'anna@acme.example' }, admin);
    const contact = await post('/contacts', { lastName: 'Muster', email: 'max@example.com' });
    await patch(`/contacts/${contact.id}`, { version: 1, newsletter: true });
    const property = await post('/properties', { unitId: 'EV-1', title: 'Altbau', contactPersonId: user.id });
    await patch(`/properties/${property.id}`, { version: 1, status: 'Reserviert' });
    const deal = await post('/deals', { contactId: contact.id, propertyId: property.id });
    await patch(`/deals/${deal.id}`, { version: 1, stage: 'Reserviert' });
    await patch(`/deals/${deal.id}`, { version: 2, note: 'Finanzierung steht' });
    const viewing = await post('/activities', {
      type: 'appointment', category: 'Besichtigung', contactIds: [contact.id], propertyId: property.id, startsAt: '2026-12-03T13:00:00Z', endsAt: '2026-12-03T13:30:00Z',
    });
    const rejection = await post('/rejections', { reason: 'Kein Kontakt mehr gewünscht', contactId: contact.id, dealId: deal.id });
    const task = await post('/tasks', { title: 'Exposé', assigneeId: user.id });
    await patch(`/tasks/${task.id}`, { version: 1, done: true });
    await api.call('DELETE', `/contacts/${contact.id}`, { token });

    const events = await settle(10);
    const summary = events.map((e) => [e['detail-type'], entityId(e.detail)]);
    const perEntity = (id: string) => summary.filter(([, entity]) => entity === id).map(([type]) => type);
    expect(perEntity(contact.id)).toEqual(['ContactCreated', 'ContactUpdated', 'ContactUpdated']);
    expect(perEntity(property.id)).toEqual(['PropertyCreated', 'PropertyUpdated']);
    expect(perEntity(deal.id)).toEqual(['DealCreated', 'DealStageChanged', 'DealStageChanged']);
    expect(perEntity(viewing.id)).toEqual(['ActivityCreated']);
    expect(perEntity(rejection.id)).toEqual(['RejectionCreated']);
    expect(events).toHaveLength(10);

    const stageChanges = events.filter((e) => e['detail-type'] === 'DealStageChanged').map((e) => [e.detail.fromStage, e.detail.toStage]);
    expect(stageChanges).toEqual([
      ['Anfrage', 'Reserviert'],
      ['Reserviert', 'Abgesagt'],
    ]);
    const updates = events.filter((e) => e['detail-type'] === 'ContactUpdated').map((e) => e.detail.changedFields);
    expect(updates).toEqual([['newsletter'], ['archived']]);

    for (const event of events) {
      expect(isDetailType(event['detail-type'])).toBe(true);
      const parsed = DETAIL_SCHEMAS[event['detail-type'] as keyof typeof DETAIL_SCHEMAS].safeParse(event.detail);
      expect(parsed.success, `${event['detail-type']}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      expect(event.source).toMatch(/^crm\./);
    }
    expect(new Set(events.map((e) => e.detail.eventKey)).size).toBe(events.length);
    expect(api.stack.bus.recent().find((d) => d.event.detail.eventKey === events[0]!.detail.eventKey)?.targets).toEqual(['contacts']);
  });

  it('lists the recent events at GET /_local/events', async () => {
    const reply = await fetch(`${api.stack.apiUrl}/_local/events?limit=3`);
    expect(reply.status).toBe(200);
    const { items } = (await reply.json()) as { items: Array<{ event: { detail: { tenantId: string } } }> };
    expect(items).toHaveLength(3);
  });

  it('delivers an event once when the bus was unreachable for a while', async () => {
    const before = seen().length;
    await api.stack.bus.stop();
    const contact = await post('/contacts', { lastName: 'Geduldig' });
    await new Promise((r) => setTimeout(r, 1_200));
    expect(seen()).toHaveLength(before);
    await api.stack.bus.start();
    await waitFor(() => (seen().some((e) => entityId(e.detail) === contact.id) ? true : undefined), 'the delayed event', 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(seen().filter((e) => entityId(e.detail) === contact.id).map((e) => e['detail-type'])).toEqual(['ContactCreated']);
  });

  it('sets a poison item aside and publishes the writes after it', async () => {
    const doc = createDocumentClient(new DynamoDBClient({ endpoint: api.stack.dynamoEndpoint }));
    await doc.send(new PutCommand({ TableName: api.stack.tableNames.CRM_TABLE_NAME, Item: { PK: `${t}#CONTACT#broken`, SK: 'ENTITY', entity: 'CONTACT', id: 'broken' } }));
    const contact = await post('/contacts', { lastName: 'Nach dem Gift' });
    await waitFor(() => (seen().some((e) => entityId(e.detail) === contact.id) ? true : undefined), 'the event after the poison record');
    // Set aside in the same batch or the one before: under load the good record's event may be seen first.
    await waitFor(() => (api.stack.poison.records.length > 0 ? true : undefined), 'the poison record to be set aside');
    expect(api.stack.poison.records.map((p) => p.reason)).toEqual([expect.stringMatching(/tenantId/)]);
  });
});

describe('the local EventBridge endpoint', () => {
  const client = () => new EventBridgeClient({ endpoint: api.stack.bus.url, region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const event = { id: '1', account: '123456789012', source: 'crm.deals', time: '2026-11-27T09:00:00Z', region: 'eu-central-1', 'detail-type': 'DealStageChanged', detail: { toStage: 'Reserviert' } };

  it('answers TestEventPattern as AWS does', async () => {
    const test = (pattern: unknown) => client().send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(event) }));
    expect((await test({ detail: { toStage: ['Reserviert'] } })).Result).toBe(true);
    expect((await test({ detail: { toStage: [{ prefix: 'Abg' }] } })).Result).toBe(false);
    await expect(test({ detail: { toStage: [{ prefix: ['x'] }] } })).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
  });

  it('validates PutEvents entries as AWS does', async () => {
    const result = await client().send(
      new PutEventsCommand({
        Entries: [
          { Source: 'crm.test', DetailType: 'Probe', Detail: '{"tenantId":"nobody"}' },
          { DetailType: 'Probe', Detail: '{}' },
          { Source: 'crm.test', DetailType: 'Probe', Detail: '[1' },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ok', 'InvalidArgument', 'MalformedDetail']);
    const tooMany = Array.from({ length: 11 }, () => ({ Source: 'crm.test', DetailType: 'Probe', Detail: '{}' }));
    await expect(client().send(new PutEventsCommand({ Entries: tooMany }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
