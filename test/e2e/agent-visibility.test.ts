import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencyWorld, executionsOf, installPreset, mailTo } from '../support/automation-world.ts';
import { tenant } from '../support/dynamo.ts';
import { startTestApi, type TestApi } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';

let api: TestApi;
let world: Awaited<ReturnType<typeof agencyWorld>>;
const t = tenant();
const INBOUND = `anfragen@${t}.acme.example`;
const SUBJECT = 'Ihr Besichtigungstermin am 03.12.2026 um 14:00 Uhr';

beforeAll(async () => {
  api = await startTestApi();
  world = await agencyWorld(api, t, INBOUND);
});
afterAll(() => api.stack.stop());

/** The events the local bus delivered, newest first, as `GET /_local/events` lists them. */
async function busEvents(type: string): Promise<Array<{ source: string; 'detail-type': string; detail: Record<string, any> }>> {
  const body = (await (await fetch(`${api.stack.apiUrl}/_local/events?limit=500`)).json()) as { items: Array<{ event: any }> };
  return body.items.map((d) => d.event).filter((e) => e['detail-type'] === type && e.detail.tenantId === t);
}

const emailsOf = async (contactId: string, token = world.agent) =>
  (await api.call('GET', `/activities?contactId=${contactId}&type=email`, { token })).body.items as any[];

/** Books a Besichtigung for the contact on the world's property, as an agent would. */
const bookViewing = (contactId: string) =>
  world.must('POST', '/activities', {
    type: 'appointment', category: 'Besichtigung', contactIds: [contactId], propertyId: world.property.id,
    startsAt: '2026-12-03T13:00:00Z', endsAt: '2026-12-03T13:45:00Z',
  });

/** Waits until the stream and the bus have nothing left to do for a moment. */
async function settle() {
  await new Promise((r) => setTimeout(r, 700));
  await api.stack.bus.idle();
}

let confirmation: { id: string; name: string };
let viewing: { id: string };
let run: any;

describe('agents see the e-mails automations send', () => {
  it('records the viewing confirmation as one email activity on the contact, which an agent lists', async () => {
    confirmation = await installPreset(api, world.admin, 'viewing-confirmation');
    viewing = await bookViewing(world.erika.id);
    [run] = await executionsOf(api, world.admin, confirmation.id);
    expect(run).toMatchObject({ status: 'succeeded', contactId: world.erika.id });
    const [mail] = await mailTo(api, 'erika@example.com');
    expect(mail!.subject).toBe(SUBJECT);

    const emails = await emailsOf(world.erika.id);
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      id: run.steps[0].result.activityId,
      type: 'email',
      title: mail!.subject,
      recipient: 'erika@example.com',
      automationName: 'Besichtigungstermin bestätigen',
      contactIds: [world.erika.id],
      propertyId: world.property.id,
      causedBy: { automationId: confirmation.id, executionId: run.id, depth: 1 },
    });
    expect(emails[0]).not.toHaveProperty('category');
    expect(emails[0].body.trim()).toBe(mail!.body.text!.replace(/\r\n/g, '\n').trim());
    const onProperty = (await api.call('GET', `/activities?propertyId=${world.property.id}&type=email`, { token: world.agent })).body.items;
    expect(onProperty.map((a: any) => a.id)).toEqual([emails[0].id]);
  });

  it('raises ActivityCreated for the email activity, carrying its provenance', async () => {
    const [email] = await emailsOf(world.erika.id);
    const event = await waitFor(async () => (await busEvents('ActivityCreated')).find((e) => e.detail.activity.id === email.id), 'the email activity\'s event');
    expect(event.source).toBe('crm.activities');
    expect(event.detail).toMatchObject({
      causedBy: { automationId: confirmation.id, executionId: run.id, depth: 1 },
      activity: { type: 'email', recipient: 'erika@example.com', automationName: 'Besichtigungstermin bestätigen' },
    });
  });

  it('leaves one email activity and one mail when the viewing\'s event is delivered again', async () => {
    const original = (await busEvents('ActivityCreated')).find((e) => e.detail.activity.id === viewing.id)!;
    const bus = new EventBridgeClient({ endpoint: api.stack.bus.url, region: 'eu-central-1' });
    try {
      const put = await bus.send(new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: original.source, DetailType: original['detail-type'], Detail: JSON.stringify(original.detail) }] }));
      expect(put.FailedEntryCount).toBe(0);
    } finally {
      bus.destroy();
    }
    await settle();
    expect((await busEvents('ActivityCreated')).filter((e) => e.detail.eventKey === original.detail.eventKey)).toHaveLength(2);
    expect(await emailsOf(world.erika.id)).toHaveLength(1);
    expect(await mailTo(api, 'erika@example.com')).toHaveLength(1);
    expect((await api.call('GET', `/automations/${confirmation.id}/executions`, { token: world.admin })).body.items).toHaveLength(1);
  });
});

describe('GET /contacts/{id}/executions', () => {
  it('shows an agent the runs that acted on the contact', async () => {
    const reply = await api.call('GET', `/contacts/${world.erika.id}/executions`, { token: world.agent });
    expect(reply.status).toBe(200);
    expect(reply.body.items).toMatchObject([{ id: run.id, status: 'succeeded', automationId: confirmation.id, automationName: 'Besichtigungstermin bestätigen', contactId: world.erika.id }]);
    expect(reply.body).not.toHaveProperty('nextCursor');
    expect(Object.keys(reply.body.items[0]).filter((k) => /^GSI|^PK$|^SK$/.test(k))).toEqual([]);
    expect((await api.call('GET', `/contacts/${world.erika.id}/executions?status=succeeded`, { token: world.admin })).body.items).toHaveLength(1);
    expect((await api.call('GET', `/contacts/${world.erika.id}/executions?status=failed`, { token: world.agent })).body.items).toEqual([]);
  });

  it('answers 404 for another tenant\'s contact and for an unknown one, 401 without a token', async () => {
    const stranger = await api.token(tenant(), 'agent');
    const foreign = await api.call('GET', `/contacts/${world.erika.id}/executions`, { token: stranger });
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(foreign.body)).not.toContain(run.id);
    expect((await api.call('GET', '/contacts/01NOSUCHCONTACT/executions', { token: world.agent })).status).toBe(404);
    expect((await api.call('GET', `/contacts/${world.erika.id}/executions`)).status).toBe(401);
  });

  it('refuses mistaken query parameters with 400 naming each', async () => {
    for (const [query, field] of [['status=done', 'status'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['automationId=x', 'automationId'], ['cursor=bm90LWEtY3Vyc29y', 'cursor']]) {
      const reply = await api.call('GET', `/contacts/${world.erika.id}/executions?${query}`, { token: world.agent });
      expect(reply.status, query).toBe(400);
      expect(reply.body.error.fields.map((f: any) => f.path), query).toContain(field);
    }
  });
});

describe('email activities from clients', () => {
  it('refuses automationName (an automation\'s field) and a recipient on anything but an e-mail', async () => {
    const forged = await api.call('POST', '/activities', { token: world.agent, body: { type: 'email', contactIds: [world.erika.id], title: 'x', automationName: 'Besichtigungstermin bestätigen' } });
    expect(forged.status).toBe(400);
    expect(forged.body.error.fields).toContainEqual(expect.objectContaining({ path: 'automationName', code: 'unknown_field' }));
    const provenance = await api.call('POST', '/activities', { token: world.agent, body: { type: 'email', contactIds: [world.erika.id], causedBy: { automationId: confirmation.id, executionId: 'x', depth: 0 } } });
    expect(provenance.status).toBe(400);
    const note = await api.call('POST', '/activities', { token: world.agent, body: { type: 'note', contactIds: [world.erika.id], recipient: 'erika@example.com' } });
    expect(note.status).toBe(400);
    expect(note.body.error.fields.map((f: any) => f.path)).toEqual(['recipient']);
    const bad = await api.call('POST', '/activities', { token: world.agent, body: { type: 'email', contactIds: [world.erika.id], recipient: 'nicht-adresse\r\nBcc: x@y.z' } });
    expect(bad.status).toBe(400);
    expect(await emailsOf(world.erika.id)).toHaveLength(1);
  });

  it('keeps the recipient an agent gives an email activity', async () => {
    const reply = await api.call('POST', '/activities', { token: world.agent, body: { type: 'email', contactIds: [world.erika.id], title: 'Unterlagen geschickt', recipient: 'Erika@Example.com' } });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ type: 'email', recipient: 'erika@example.com' });
    expect(reply.body).not.toHaveProperty('automationName');
    expect(reply.body).not.toHaveProperty('causedBy');
    // Its event is delivered before the next tests install automations on email activities.
    await waitFor(async () => (await busEvents('ActivityCreated')).find((e) => e.detail.activity.id === reply.body.id), 'the event of the agent\'s email activity');
    await api.stack.bus.idle();
  });
});

describe('automations on email activities', () => {
  it('run for the e-mails agents record, never for those automations send', async () => {
    const copy = await world.must('POST', '/automations', {
      name: 'Kopie jeder Kunden-E-Mail an Anna',
      enabled: true,
      trigger: { event: 'ActivityCreated', where: { activity: { type: ['email'] } } },
      actions: [{ type: 'send_email', to: { address: 'anna@acme.example' }, subject: 'Kopie: {{activity.title}}', body: 'An {{activity.recipient}}:\n\n{{activity.body}}' }],
    }, world.admin);
    const paul = await world.must('POST', '/contacts', { firstName: 'Paul', lastName: 'Probst', email: 'paul@example.com' });
    await bookViewing(paul.id);
    await waitFor(async () => ((await emailsOf(paul.id)).length === 1 ? true : undefined), 'the confirmation to Paul');
    const confirmation = await waitFor(async () => (await busEvents('ActivityCreated')).find((e) => e.detail.activity.contactIds?.includes(paul.id) && e.detail.activity.type === 'email'), 'the event of the confirmation');
    expect(confirmation.detail.causedBy).toBeDefined();
    await world.must('POST', '/activities', { type: 'email', contactIds: [paul.id], title: 'Exposé geschickt', recipient: 'paul@example.com' });

    const [run] = await executionsOf(api, world.admin, copy.id);
    await settle();
    expect((await api.call('GET', `/automations/${copy.id}/executions`, { token: world.admin })).body.items).toHaveLength(1);
    expect(run).toMatchObject({ status: 'succeeded', event: { activity: { title: 'Exposé geschickt' } } });
    const copies = (await mailTo(api, 'anna@acme.example')).filter((m) => m.subject.startsWith('Kopie:'));
    expect(copies.map((m) => m.subject)).toEqual(['Kopie: Exposé geschickt']);
    // The copy is itself recorded on Paul, and sets off nothing either.
    const emails = await emailsOf(paul.id);
    expect(emails.map((a) => [a.automationName ?? '(agent)', a.recipient, a.causedBy?.depth ?? 0]).sort()).toEqual([
      ['(agent)', 'paul@example.com', 0],
      ['Besichtigungstermin bestätigen', 'paul@example.com', 1],
      ['Kopie jeder Kunden-E-Mail an Anna', 'anna@acme.example', 1],
    ]);
    await world.must('POST', `/automations/${copy.id}/disable`, undefined, world.admin);

    const listed = await api.call('GET', `/contacts/${paul.id}/executions?limit=1`, { token: world.agent });
    expect(listed.body.items).toHaveLength(1);
    const next = await api.call('GET', `/contacts/${paul.id}/executions?limit=1&cursor=${encodeURIComponent(listed.body.nextCursor)}`, { token: world.agent });
    expect([...listed.body.items, ...next.body.items].map((e: any) => e.automationName).sort()).toEqual(['Besichtigungstermin bestätigen', 'Kopie jeder Kunden-E-Mail an Anna']);
  });

  it('leave automations\' e-mails alone when they ask for "causedBy": {"automationId": [{"exists": false}]}', async () => {
    const manual = await world.must('POST', '/automations', {
      name: 'Aufgabe zu jeder selbst erfassten E-Mail',
      enabled: true,
      trigger: { event: 'ActivityCreated', where: { activity: { type: ['email'] }, causedBy: { automationId: [{ exists: false }] } } },
      actions: [{ type: 'create_task', assignee: { userId: world.anna.id }, title: 'E-Mail nachverfolgen: {{activity.title}}' }],
    }, world.admin);
    const lena = await world.must('POST', '/contacts', { firstName: 'Lena', lastName: 'Lorenz', email: 'lena@example.com' });
    await bookViewing(lena.id);
    await waitFor(async () => ((await emailsOf(lena.id)).length === 1 ? true : undefined), 'the confirmation to Lena');
    await world.must('POST', '/activities', { type: 'email', contactIds: [lena.id], title: 'Exposé geschickt', recipient: 'lena@example.com' });

    const [only] = await executionsOf(api, world.admin, manual.id);
    await settle();
    expect((await api.call('GET', `/automations/${manual.id}/executions`, { token: world.admin })).body.items).toHaveLength(1);
    expect(only.event.activity).toMatchObject({ title: 'Exposé geschickt' });
    const tasks = (await api.call('GET', `/tasks?assigneeId=${world.anna.id}`, { token: world.agent })).body.items;
    expect(tasks.map((task: any) => task.title)).toEqual(['E-Mail nachverfolgen: Exposé geschickt']);
  });
});
