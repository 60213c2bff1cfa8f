import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { type agencyWorld, executionsOf, installPreset, mailTo } from '../support/automation-world.ts';
import type { TestApi } from '../support/local-api.ts';
import { useFaultProxyWorld, type SesFaultProxy } from '../support/ses-fault-proxy.ts';
import { tenant } from '../support/dynamo.ts';
import { waitFor } from '../support/wait.ts';

let api: TestApi;
let world: Awaited<ReturnType<typeof agencyWorld>>;
let proxy: SesFaultProxy;
let t: string;
useFaultProxyWorld((session) => ({ api, world, proxy, tenantId: t } = session));

const publish = (source: string, detailType: string, detail: unknown) =>
  new EventBridgeClient({ endpoint: api.stack.bus.url }).send(new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }] }));

async function viewing(contactId: string) {
  return world.must('POST', '/activities', {
    type: 'appointment', category: 'Besichtigung', contactIds: [contactId], propertyId: world.property.id, startsAt: '2026-12-04T09:00:00Z', endsAt: '2026-12-04T09:30:00Z',
  });
}

describe('faults and bad input', () => {
  let confirmation: { id: string };

  it('runs an event delivered twice, and twice at once, once: one execution, one e-mail', async () => {
    confirmation = await installPreset(api, world.admin, 'viewing-confirmation');
    const contact = await world.must('POST', '/contacts', { lastName: 'Doppelt', email: 'twice@example.com' });
    const activity = await viewing(contact.id);
    const original = await waitFor(() => api.stack.bus.recent().find((d) => (d.event.detail.activity as { id?: string } | undefined)?.id === activity.id)?.event, 'the ActivityCreated event');
    await executionsOf(api, world.admin, confirmation.id);
    await publish(original.source, original['detail-type'], original.detail);
    await Promise.all([publish(original.source, original['detail-type'], original.detail), publish(original.source, original['detail-type'], original.detail)]);
    await api.stack.bus.idle();
    const executions = (await api.call('GET', `/automations/${confirmation.id}/executions`, { token: world.admin })).body.items.filter((e: any) => e.eventKey === original.detail.eventKey);
    expect(executions).toHaveLength(1);
    expect(await mailTo(api, 'twice@example.com')).toHaveLength(1);
  });

  it('fails a run while SES throttles, retries it, and sends once when SES recovers', async () => {
    const contact = await world.must('POST', '/contacts', { lastName: 'Gedrosselt', email: 'throttled@example.com' });
    proxy.fail(2, 'Throttling');
    await viewing(contact.id);
    const execution = await waitFor(async () => {
      const items = (await api.call('GET', `/automations/${confirmation.id}/executions`, { token: world.admin })).body.items as any[];
      return items.find((e) => e.steps[0]?.result?.to === 'throttled@example.com' && e.status === 'succeeded');
    }, 'the run to succeed after the throttling');
    expect(execution).toMatchObject({ attempts: 3, steps: [{ status: 'succeeded', attempts: 3 }] });
    expect(await mailTo(api, 'throttled@example.com')).toHaveLength(1);
  });

  it('records a rejected message as failed with the SES error and does not retry it', async () => {
    const contact = await world.must('POST', '/contacts', { lastName: 'Abgelehnt', email: 'rejected@example.com' });
    proxy.fail(1, 'MessageRejected', 'Email address is not verified.');
    await viewing(contact.id);
    const failed = await waitFor(async () => {
      const items = (await api.call('GET', '/executions?status=failed', { token: world.admin })).body.items as any[];
      return items.find((e) => e.error?.includes('MessageRejected'));
    }, 'the failed execution');
    expect(failed).toMatchObject({ retryable: false, attempts: 1, steps: [{ status: 'failed' }] });
    const automation = (await api.call('GET', `/automations/${confirmation.id}`, { token: world.admin })).body;
    expect(automation).toMatchObject({ lastRunStatus: 'failed', lastError: expect.stringMatching(/MessageRejected/), failureCount: expect.any(Number) });
    await new Promise((r) => setTimeout(r, 500));
    expect(await mailTo(api, 'rejected@example.com')).toEqual([]);
    expect(proxy.refused).toBe(3);
  });

  it('skips a contact without e-mail, an archived contact, and one deleted meanwhile, each with its reason', async () => {
    const noMail = await world.must('POST', '/contacts', { lastName: 'Ohne Mail' });
    await viewing(noMail.id);
    const archived = await world.must('POST', '/contacts', { lastName: 'Archiviert', email: 'archived@example.com', archived: true });
    await viewing(archived.id);
    await publish('crm.activities', 'ActivityCreated', {
      tenantId: t, schemaVersion: 1, occurredAt: new Date().toISOString(), eventKey: 'deleted-contact#0',
      activity: { id: 'gone-activity', tenantId: t, version: 1, type: 'appointment', category: 'Besichtigung', contactIds: ['deleted-contact'], startsAt: '2026-12-05T09:00:00Z', endsAt: '2026-12-05T10:00:00Z' },
    });
    const reasons = await waitFor(async () => {
      const items = (await api.call('GET', '/executions?status=skipped', { token: world.admin })).body.items as any[];
      const found = items.map((e) => e.reason);
      return found.length >= 3 ? found : undefined;
    }, 'three skipped runs');
    expect(reasons).toEqual(
      expect.arrayContaining([`The contact Ohne Mail (${noMail.id}) has no e-mail address`, `The contact Archiviert (${archived.id}) is archived`, 'The contact deleted-contact no longer exists']),
    );
    expect(await mailTo(api, 'archived@example.com')).toEqual([]);
  });

  it('never lets an automation trigger itself, and stops chains at a fixed depth', async () => {
    const create = async (name: string, status: string) =>
      (await api.call('POST', '/automations', { token: world.admin, body: { name, enabled: true, trigger: { event: 'ContactUpdated', where: { changedFields: ['status'] } }, actions: [{ type: 'update_contact', set: { status } }] } })).body;
    const ping = await create('Ping', 'Interessent');
    const pong = await create('Pong', 'Kunde');
    const contact = await world.must('POST', '/contacts', { lastName: 'Pingpong' });
    await world.must('PATCH', `/contacts/${contact.id}`, { version: 1, status: 'Inaktiv' });
    const reasons = async () =>
      [
        ...(await api.call('GET', `/automations/${ping.id}/executions`, { token: world.admin })).body.items,
        ...(await api.call('GET', `/automations/${pong.id}/executions`, { token: world.admin })).body.items,
      ].map((e: any) => e.reason ?? e.status);
    await waitFor(async () => ((await reasons()).some((r) => /stopped at depth 3/.test(r)) ? true : undefined), 'the chain to stop');
    // The chain ends: the number of runs stops growing (runs race and retry version conflicts, so wait until it is quiet).
    let all = await reasons();
    for (;;) {
      await new Promise((r) => setTimeout(r, 1_500));
      const now = await reasons();
      if (now.length === all.length) break;
      all = now;
    }
    expect(all.some((r) => /never triggers itself/.test(r))).toBe(true);
    // Two automations, depth limit 3: at most 2 + 4 + 8 + 16 runs.
    expect(all.length).toBeLessThanOrEqual(30);
    await api.call('POST', `/automations/${ping.id}/disable`, { token: world.admin });
    await api.call('POST', `/automations/${pong.id}/disable`, { token: world.admin });
  });
});

describe('the automation API', () => {
  it('refuses a template naming a field that does not exist, and an invalid pattern, naming each', async () => {
    const reply = await api.call('POST', '/automations', {
      token: world.admin,
      body: {
        name: 'Kaputt',
        trigger: { event: 'ContactCreated', where: { contact: { status: [{ prefix: ['x'] }] } } },
        actions: [{ type: 'send_email', to: 'contact', subject: 'Hallo {{contact.vorname}}', body: '{{{contact.lastName}}} {{property.title}}' }],
      },
    });
    expect(reply.status).toBe(400);
    const paths = reply.body.error.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['trigger.where', 'actions.0.subject', 'actions.0.body']));
    expect(reply.body.error.fields.find((f: { path: string }) => f.path === 'actions.0.subject').message).toMatch(/contact.vorname/);
  });

  it('lets only admins manage automations', async () => {
    expect((await api.call('GET', '/automations', { token: world.agent })).status).toBe(403);
    expect((await api.call('GET', '/automation-presets', { token: world.agent })).status).toBe(403);
  });

  it('lists the presets with their parameters', async () => {
    const presets = (await api.call('GET', '/automation-presets', { token: world.admin })).body.items;
    expect(presets.map((p: { key: string }) => p.key)).toHaveLength(10);
    expect(presets.find((p: { key: string }) => p.key === 'inquiry-create-contact').params.properties).toHaveProperty('senderAddresses');
  });

  it('dry-runs an automation against an entity or an event without sending anything', async () => {
    const birthday = await installPreset(api, world.admin, 'birthday-greeting');
    const before = (await mailTo(api, 'erika@example.com')).length;
    const test = await api.call('POST', `/automations/${birthday.id}/test`, { token: world.admin, body: { entityId: world.erika.id } });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ matched: true, actions: [{ type: 'send_email', outcome: 'would run', preview: { to: 'erika@example.com', subject: 'Alles Gute zum Geburtstag, Erika!' } }] });
    const reservation = await installPreset(api, world.admin, 'reserved-task');
    const deal = await world.must('POST', '/deals', { contactId: world.erika.id, propertyId: world.property.id });
    const miss = await api.call('POST', `/automations/${reservation.id}/test`, {
      token: world.admin,
      body: { event: { deal, fromStage: 'Anfrage', toStage: 'Besichtigung' } },
    });
    expect(miss.body).toMatchObject({ matched: false, actions: [{ type: 'create_task', preview: { assigneeId: world.anna.id } }] });
    expect((await mailTo(api, 'erika@example.com')).length).toBe(before);
    expect((await api.call('GET', `/automations/${birthday.id}/executions`, { token: world.admin })).body.items).toEqual([]);
    expect((await api.call('GET', `/tasks?assigneeId=${world.anna.id}`, { token: world.agent })).body.items).toEqual([]);
  });

  it('updates with the current version only, and deletes', async () => {
    const automation = await installPreset(api, world.admin, 'note-archive-property', { category: 'Finanzierung' });
    const current = (await api.call('GET', `/automations/${automation.id}`, { token: world.admin })).body;
    const { id, tenantId, version, createdAt, updatedAt, runCount, failureCount, ...definition } = current;
    const renamed = await api.call('PUT', `/automations/${automation.id}`, { token: world.admin, body: { ...definition, name: 'Umbenannt', version } });
    expect(renamed.body).toMatchObject({ name: 'Umbenannt', version: version + 1, enabled: true });
    expect((await api.call('PUT', `/automations/${automation.id}`, { token: world.admin, body: { ...definition, version } })).status).toBe(409);
    expect((await api.call('DELETE', `/automations/${automation.id}`, { token: world.admin })).status).toBe(204);
    expect((await api.call('GET', `/automations/${automation.id}`, { token: world.admin })).status).toBe(404);
    expect((await api.call('GET', `/automations/${automation.id}`, { token: await api.token(tenant(), 'admin') })).status).toBe(404);
  });
});
