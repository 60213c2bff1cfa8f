import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '#events/registry';
import type { Mailer } from '#shared/engine/mailer';
import { agencyWorld, executionsOf, installPreset, mailTo } from '../support/automation-world.ts';
import { tenant } from '../support/dynamo.ts';
import { startTestApi, type TestApi } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';

/** A mailer that can be told to stop in the middle of the next send, as a crashed runner would. */
const gate: { hang: boolean; release?: (error: Error) => void } = { hang: false };
const hanging = (base: Mailer): Mailer => ({
  send: (mail) => {
    if (!gate.hang) return base.send(mail);
    gate.hang = false;
    return new Promise((_, reject) => (gate.release = reject));
  },
});

let api: TestApi;
let world: Awaited<ReturnType<typeof agencyWorld>>;
const t = tenant();

beforeAll(async () => {
  api = await startTestApi({ wrapMailer: hanging });
  world = await agencyWorld(api, t);
});
afterAll(async () => {
  gate.release?.(new Error('test over'));
  await api.stack.stop();
});

const post = (body: unknown, token = world.admin) => api.call('POST', '/automations', { token, body });
const count = async () => (await api.call('GET', '/automations?limit=100', { token: world.admin })).body.items.length;
const stageAutomation = (where: unknown) => ({ name: 'Notartermin-Aufgabe', enabled: true, trigger: { event: 'DealStageChanged', where }, actions: [{ type: 'create_task', assignee: 'property_contact_person', title: 'Notartermin vorbereiten' }] });

describe('authoring: what went wrong is now refused or shown', () => {
  it('refuses a condition on a field the event does not carry, names the field meant, and stores nothing', async () => {
    const before = await count();
    const reply = await post(stageAutomation({ stage: ['Notartermin'] }));
    expect(reply.status).toBe(400);
    expect(reply.body.error.fields).toEqual([expect.objectContaining({ path: 'trigger.where.stage', code: 'unknown_path', params: expect.objectContaining({ suggestion: 'toStage' }) })]);
    const noProperty = await post(stageAutomation({ property: { marketingType: ['rent'] } }));
    expect(noProperty.status).toBe(400);
    expect(noProperty.body.error.fields[0]).toMatchObject({ path: 'trigger.where.property', code: 'unknown_path' });
    expect(await count()).toBe(before);
  });

  it('refuses a stage outside the tenant\'s pick-list and lists the allowed ones', async () => {
    const reply = await post(stageAutomation({ toStage: ['Notar'] }));
    expect(reply.status).toBe(400);
    expect(reply.body.error.fields[0]).toMatchObject({ code: 'not_in_pick_list', params: { list: 'dealStages', allowed: expect.arrayContaining(['Notartermin']) } });
    expect((await post(stageAutomation({ toStage: ['Notartermin'] }))).status).toBe(201);
  });

  it('refuses template errors with line, column and cause, and helpers that do not exist', async () => {
    const mail = (body: string) => ({ name: 'Mail', trigger: { event: 'ContactCreated' }, actions: [{ type: 'send_email', to: 'contact', subject: 'Hallo', body }] });
    const syntax = await post(mail('Hallo\n{{#if contact.firstName}}{{contact.firstName}'));
    expect(syntax.status).toBe(400);
    expect(syntax.body.error.fields[0]).toMatchObject({ path: 'actions.0.body', code: 'template_syntax', params: { line: 2, column: expect.any(Number), cause: expect.any(String) } });
    const log = await post(mail('{{greeting contact x=(log "pwned")}}'));
    expect(log.status).toBe(400);
    expect(log.body.error.fields.map((f: { path: string }) => f.path)).toContain('actions.0.body');
    const unknown = await post(mail('{{contact.nope}}'));
    expect(unknown.body.error.fields[0]).toMatchObject({ code: 'unknown_variable' });
  });

  it('tells an admin who gives a preset parameter at the top level to put it under params', async () => {
    const reply = await post({ preset: 'inquiry-create-contact', senderAddresses: ['anfragen@portal.example'] });
    expect(reply.status).toBe(400);
    expect(reply.body.error.fields).toEqual([expect.objectContaining({ path: 'senderAddresses', code: 'put_under_params' })]);
    const params = await post({ preset: 'inquiry-create-contact', params: { senderAddresses: ['no address'] } });
    expect(params.body.error.fields[0]).toMatchObject({ path: 'params.senderAddresses.0', code: 'invalid_format' });
  });

  it('accepts back the body GET returned with a changed name, and refuses a changed read-only field by name', async () => {
    const automation = (await post(stageAutomation({ toStage: ['Verkauft'] }))).body;
    const got = (await api.call('GET', `/automations/${automation.id}`, { token: world.admin })).body;
    const renamed = await api.call('PUT', `/automations/${automation.id}`, { token: world.admin, body: { ...got, name: 'Verkauft: Übergabe planen' } });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Verkauft: Übergabe planen', version: got.version + 1 });
    const forged = await api.call('PUT', `/automations/${automation.id}`, { token: world.admin, body: { ...renamed.body, createdAt: '2020-01-01T00:00:00.000Z', id: 'other' } });
    expect(forged.status).toBe(400);
    expect(forged.body.error.fields.map((f: { path: string; code: string }) => [f.path, f.code]).sort()).toEqual([['createdAt', 'read_only'], ['id', 'read_only']]);
    // The run summary changes without a new version: whatever a PUT says of it is ignored, never stored.
    const counted = await api.call('PUT', `/automations/${automation.id}`, { token: world.admin, body: { ...renamed.body, runCount: 99 } });
    expect(counted.status).toBe(200);
    expect(counted.body.runCount).toBe(renamed.body.runCount);
    const stale = await api.call('PUT', `/automations/${automation.id}`, { token: world.admin, body: { ...renamed.body, name: 'Veraltet' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
  });

  it('warns, without refusing, of e-mail while the agency has no sender address', async () => {
    const other = tenant();
    const admin = await api.token(other, 'admin');
    const reply = await api.call('POST', '/automations', { token: admin, body: { preset: 'birthday-greeting' } });
    expect(reply.status).toBe(201);
    expect(reply.body.warnings).toEqual([expect.objectContaining({ code: 'no_sender_address' })]);
    expect((await api.call('GET', `/automations/${reply.body.id}`, { token: admin })).body.warnings[0].code).toBe('no_sender_address');
  });

  it('re-checks an automation when it is enabled against the lists as they are now', async () => {
    const automation = (await post({ ...stageAutomation({ toStage: ['Notartermin'] }), enabled: false })).body;
    const settings = (await api.call('GET', '/settings', { token: world.admin })).body;
    const stages = settings.pickLists.dealStages.default.filter((s: string) => s !== 'Notartermin');
    // Another, enabled automation uses Notartermin too: drop it first.
    for (const a of (await api.call('GET', '/automations?limit=100', { token: world.admin })).body.items) {
      if (a.enabled && JSON.stringify(a.trigger).includes('Notartermin')) await api.call('POST', `/automations/${a.id}/disable`, { token: world.admin });
    }
    const put = await api.call('PUT', '/settings', { token: world.admin, body: { name: settings.name, senderAddress: settings.senderAddress, inboundAddresses: settings.inboundAddresses, version: settings.version, pickLists: { dealStages: { ...settings.pickLists.dealStages, default: stages } } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const enable = await api.call('POST', `/automations/${automation.id}/enable`, { token: world.admin });
    expect(enable.status).toBe(400);
    expect(enable.body.error.fields[0]).toMatchObject({ code: 'not_in_pick_list', params: { value: 'Notartermin' } });
    expect((await api.call('GET', `/automations/${automation.id}`, { token: world.admin })).body.enabled).toBe(false);
  });
});

describe('the trigger reference', () => {
  it('lists every trigger with its condition fields, the tenant\'s allowed values and its template variables', async () => {
    const reply = await api.call('GET', '/automation-triggers', { token: world.admin });
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((i: { event: string }) => i.event)).toEqual(DETAIL_TYPES);
    const stage = reply.body.items.find((i: { event: string }) => i.event === 'DealStageChanged');
    const toStage = stage.conditionFields.find((f: { path: string }) => f.path === 'toStage');
    expect(toStage).toMatchObject({ type: 'string', example: 'Reserviert', pickList: { list: 'dealStages', allowedByKey: { default: expect.arrayContaining(['Reserviert']) } } });
    expect(stage.templateVariables.property.map((v: { path: string }) => v.path)).toContain('unitId');
    expect(reply.body.helpers.map((h: { name: string }) => h.name)).toEqual(expect.arrayContaining(['date', 'money', 'greeting']));
    expect((await api.call('GET', '/automation-triggers', { token: world.agent })).status).toBe(403);
  });
});

describe('dry runs', () => {
  it('samples a stage change from the stage before, takes overrides, and names the condition that failed', async () => {
    const automation = (await post(stageAutomation({ toStage: ['Verhandlung'] }))).body;
    const deal = await world.must('POST', '/deals', { contactId: world.erika.id, propertyId: world.property.id, stage: 'Besichtigung' });
    const test = (body: unknown) => api.call('POST', `/automations/${automation.id}/test`, { token: world.admin, body });
    const sampled = await test({ entityId: deal.id });
    expect(sampled.body).toMatchObject({ matched: false, event: { fromStage: 'Anfrage', toStage: 'Besichtigung' } });
    expect(sampled.body.failedConditions).toEqual([expect.objectContaining({ path: 'toStage', condition: ['Verhandlung'], saw: ['Besichtigung'] })]);
    const overridden = await test({ entityId: deal.id, overrides: { fromStage: 'Besichtigung', toStage: 'Verhandlung', tenantId: 'someone-else' } });
    expect(overridden.body).toMatchObject({ matched: true, event: { toStage: 'Verhandlung', tenantId: t }, actions: [{ outcome: 'would run', preview: { title: 'Notartermin vorbereiten' } }] });
    expect(overridden.body.failedConditions).toBeUndefined();
  });
});

describe('templates in the mails sent', () => {
  it('formats money and dates in German in the tenant\'s time zone, records empty variables, and skips a run whose required field is empty', async () => {
    const automation = (
      await post({
        name: 'Reservierung bestätigen',
        enabled: true,
        trigger: { event: 'DealStageChanged', where: { toStage: ['Reserviert'] } },
        actions: [
          {
            type: 'send_email',
            to: 'contact',
            subject: 'Reserviert: {{property.unitId}} für {{money property.price}}',
            body: '{{greeting contact}},\nreserviert am {{date event.occurredAt style="long"}}. Ihre Telefonnummer: {{contact.phone}}\n{{required contact.firstName}}',
          },
        ],
      })
    ).body;
    const property = await world.must('POST', '/properties', { unitId: 'MI-2026-120', title: 'Loft', price: 489000, contactPersonId: world.anna.id });
    const named = await world.must('POST', '/contacts', { salutation: 'mr', firstName: 'Paul', lastName: 'Preis', email: 'paul@example.com' });
    const nameless = await world.must('POST', '/contacts', { lastName: 'Ohnevorname', email: 'nameless@example.com' });
    for (const contact of [named, nameless]) {
      const deal = await world.must('POST', '/deals', { contactId: contact.id, propertyId: property.id, stage: 'Verhandlung' });
      await world.must('PATCH', `/deals/${deal.id}`, { version: deal.version, stage: 'Reserviert' });
    }
    const executions = await executionsOf(api, world.admin, automation.id, 2);
    const [mail] = await mailTo(api, 'paul@example.com');
    expect(mail!.subject).toBe('Reserviert: MI-2026-120 für 489.000 €');
    expect(mail!.body.text).toMatch(/^Sehr geehrter Herr Preis,\nreserviert am \d{1,2}\. \p{L}+ \d{4}\. Ihre Telefonnummer: \nPaul$/u);
    const sent = executions.find((e) => e.status === 'succeeded');
    expect(sent!.steps[0]!.warnings).toEqual([expect.objectContaining({ code: 'empty_variable', params: { variable: 'contact.phone' } })]);
    const skipped = executions.find((e) => e.status === 'skipped');
    expect(skipped!.reason).toContain('contact.firstName');
    expect(await mailTo(api, 'nameless@example.com')).toEqual([]);
  });
});

describe('honest outcomes', () => {
  it('shows a run that archived a property and then skipped its e-mail as partial, naming the contact', async () => {
    const automation = (
      await post({
        name: 'Archivieren und melden',
        enabled: true,
        trigger: { event: 'ActivityCreated', where: { activity: { type: ['note'], category: ['Objekt archivieren'] } } },
        actions: [{ type: 'update_property', set: { archived: true } }, { type: 'send_email', to: 'contact', subject: 'Objekt archiviert', body: 'Das Objekt ist nicht mehr verfügbar.' }],
      })
    ).body;
    const property = await world.must('POST', '/properties', { unitId: 'MI-2026-099', title: 'Dachgeschoss', contactPersonId: world.anna.id });
    const contact = await world.must('POST', '/contacts', { firstName: 'Ohne', lastName: 'Adresse' });
    await world.must('POST', '/activities', { type: 'note', category: 'Objekt archivieren', contactIds: [contact.id], propertyId: property.id });
    const [execution] = await executionsOf(api, world.admin, automation.id);
    expect(execution).toMatchObject({ status: 'partial', steps: [{ status: 'succeeded' }, { status: 'skipped' }] });
    expect(execution.reason).toContain('Ohne Adresse');
    expect((await api.call('GET', `/properties/${property.id}`, { token: world.agent })).body.archived).toBe(true);
    expect((await api.call('GET', `/automations/${automation.id}`, { token: world.admin })).body).toMatchObject({ lastRunStatus: 'partial', partialCount: 1, lastError: execution.reason });
    const partial = (await api.call('GET', '/executions?status=partial', { token: world.admin })).body.items;
    expect(partial.map((e: { id: string }) => e.id)).toContain(execution.id);
  });

  it('shows a run whose send was interrupted as uncertain, and never sends that e-mail again', async () => {
    const confirmation = await installPreset(api, world.admin, 'viewing-confirmation');
    const contact = await world.must('POST', '/contacts', { lastName: 'Unterbrochen', email: 'interrupted@example.com' });
    gate.hang = true;
    const activity = await world.must('POST', '/activities', { type: 'appointment', category: 'Besichtigung', contactIds: [contact.id], propertyId: world.property.id, startsAt: '2026-12-04T09:00:00Z', endsAt: '2026-12-04T09:30:00Z' });
    await waitFor(async () => {
      const items = (await api.call('GET', `/automations/${confirmation.id}/executions`, { token: world.admin })).body.items;
      return items.find((e: any) => e.status === 'running' && e.steps[0].status === 'started');
    }, 'the send to start');
    const original = api.stack.bus.recent().find((d) => (d.event.detail.activity as { id?: string } | undefined)?.id === activity.id)!.event;
    // The runner "crashed" mid-send; EventBridge delivers the event again.
    await new EventBridgeClient({ endpoint: api.stack.bus.url }).send(
      new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: original.source, DetailType: original['detail-type'], Detail: JSON.stringify(original.detail) }] }),
    );
    const execution = await waitFor(async () => {
      const items = (await api.call('GET', `/automations/${confirmation.id}/executions`, { token: world.admin })).body.items;
      return items.find((e: any) => e.status === 'uncertain');
    }, 'the uncertain run');
    expect(execution).toMatchObject({ attempts: 2, steps: [{ status: 'uncertain', error: expect.stringContaining('not sent again') }] });
    expect((await api.call('GET', `/automations/${confirmation.id}`, { token: world.admin })).body).toMatchObject({ lastRunStatus: 'uncertain', uncertainCount: 1 });
    gate.release!(new Error('the crashed attempt ends'));
    await api.stack.bus.idle();
    expect(await mailTo(api, 'interrupted@example.com')).toEqual([]);
    expect((await api.call('GET', `/executions/${execution.id}`, { token: world.admin })).body.status).toBe('uncertain');
  });
});
