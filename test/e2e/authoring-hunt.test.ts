import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PICK_LISTS } from '#shared/settings/pick-lists';
import type { Mailer } from '#shared/engine/mailer';
import { agencyWorld, executionsOf, mailTo } from '../support/automation-world.ts';
import { tenant } from '../support/dynamo.ts';
import { startTestApi, type Reply, type TestApi } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Hostile and mistaken input against the automation authoring feature, through the local stack's
 * HTTP API. Each test states the correct behaviour; where it fails, the feature has a defect.
 * Every test works in a tenant of its own, with recipients of its own, so mail counts are exact.
 */

/** Faults the mailer plays, by recipient: throttling (nothing sent), a timeout after SES took the mail, a send that hangs. */
const faults = {
  throttle: new Map<string, number>(),
  timeoutAfterSend: new Set<string>(),
  hang: new Set<string>(),
  release: [] as Array<(error: Error) => void>,
};
const faulty = (base: Mailer): Mailer => ({
  send: async (mail) => {
    if (faults.hang.delete(mail.to)) return new Promise((_, reject) => faults.release.push(reject));
    const throttles = faults.throttle.get(mail.to) ?? 0;
    if (throttles > 0) {
      faults.throttle.set(mail.to, throttles - 1);
      throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' });
    }
    const sent = await base.send(mail);
    if (faults.timeoutAfterSend.delete(mail.to)) throw Object.assign(new Error('Connection timed out after SES accepted the request'), { name: 'TimeoutError' });
    return sent;
  },
});

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ wrapMailer: faulty });
});
afterAll(async () => {
  for (const release of faults.release) release(new Error('test over'));
  await api.stack.stop();
});

/** A tenant of its own: settings, a contact person, an owner, a property and a contact, every address unique to the tenant. */
async function world() {
  const t = tenant();
  const w = await agencyWorld(api, t, `in-${t}@crm.example`);
  const owner = await w.must('POST', '/users', { firstName: 'Otto', lastName: 'Owner', email: `owner-${t}@acme.example` }, w.admin);
  const person = await w.must('POST', '/users', { firstName: 'Anna', lastName: 'Agent', email: `person-${t}@acme.example` }, w.admin);
  const property = await w.must('POST', '/properties', { unitId: `U-${t}`, title: 'Altbau', contactPersonId: person.id });
  const contact = await w.must('POST', '/contacts', { salutation: 'ms', firstName: 'Erika', lastName: 'Muster', email: `c-${t}@example.com`, ownerId: owner.id, newsletter: true, gdprConsent: true });
  const call = (method: string, path: string, body?: unknown, token = w.admin) => api.call(method, path, { token, body });
  const post = (body: unknown) => call('POST', '/automations', body);
  const get = async (id: string) => (await call('GET', `/automations/${id}`)).body;
  return { ...w, t, owner, person, property, contact, call, post, get };
}

const task = { type: 'create_task', assignee: 'property_contact_person', title: 'Aufgabe' } as const;
const definition = (event: string, where?: unknown, actions: unknown[] = [task], enabled = false) => ({ name: 'Jagd', enabled, trigger: { event, ...(where === undefined ? {} : { where }) }, actions });
const fieldsOf = (reply: Reply) => (reply.body?.error?.fields ?? []) as Array<{ path: string; code: string; params?: Record<string, unknown> }>;

function refused(reply: Reply, path: string, code: string) {
  expect(reply.status, JSON.stringify(reply.body).slice(0, 2_000)).toBe(400);
  expect(fieldsOf(reply)).toEqual(expect.arrayContaining([expect.objectContaining({ path, code })]));
}

/** Waits until the automation has counted `runs` runs. */
const runsOf = (w: Awaited<ReturnType<typeof world>>, id: string, runs: number) =>
  waitFor(async () => {
    const automation = await w.get(id);
    return automation.runCount >= runs ? automation : undefined;
  }, `${runs} run(s) of ${id}`, 15_000);

describe('conditions: hostile keys and operands', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });

  it('refuses a "__proto__" key in trigger.where instead of dropping it silently', async () => {
    const raw = '{"name":"Proto","trigger":{"event":"DealStageChanged","where":{"__proto__":{"toStage":["Verkauft"]},"toStage":["Reserviert"]}},"actions":[{"type":"create_task","assignee":"property_contact_person","title":"T"}]}';
    const reply = await api.call('POST', '/automations', { token: w.admin, raw, headers: { 'content-type': 'application/json' } });
    refused(reply, 'trigger.where.__proto__', 'unknown_path');
  });

  it('refuses a "__proto__" key in preset params instead of dropping it silently', async () => {
    const raw = '{"preset":"reserved-task","params":{"__proto__":{"stage":"Verkauft"}}}';
    const reply = await api.call('POST', '/automations', { token: w.admin, raw, headers: { 'content-type': 'application/json' } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(400);
    expect(fieldsOf(reply)[0]).toMatchObject({ path: 'params.__proto__', code: 'unknown_field' });
  });

  it('refuses keys named like Object.prototype members, nested "__proto__", numeric keys and keys under a leaf', async () => {
    refused(await w.post(definition('DealStageChanged', { constructor: ['x'] })), 'trigger.where.constructor', 'unknown_path');
    refused(await w.post(definition('DealStageChanged', { deal: JSON.parse('{"__proto__":{"stage":["Reserviert"]}}') })), 'trigger.where.deal.__proto__', 'unknown_path');
    refused(await w.post(definition('DealStageChanged', { deal: { hasOwnProperty: ['x'] } })), 'trigger.where.deal.hasOwnProperty', 'unknown_path');
    refused(await w.post(definition('DealStageChanged', { 0: ['x'] })), 'trigger.where.0', 'unknown_path');
    refused(await w.post(definition('ActivityCreated', { activity: { contactIds: { 0: ['x'] } } })), 'trigger.where.activity.contactIds', 'not_an_object');
    refused(await w.post(definition('DealStageChanged', { toStage: { $or: [{ a: ['x'] }, { b: ['y'] }] } })), 'trigger.where.toStage', 'not_an_object');
  });

  it('checks paths and values inside $or at every depth, and accepts dotted keys as EventBridge flattens them', async () => {
    refused(await w.post(definition('DealStageChanged', { $or: [{ toStage: ['Reserviert'] }, { deal: { $or: [{ stage: ['Verkauft'] }, { stag: ['x'] }] } }] })), 'trigger.where.$or.1.deal.$or.1.stag', 'unknown_path');
    refused(await w.post(definition('DealStageChanged', { $or: [{ $or: [{ toStage: ['Reserviert'] }, { fromStage: ['Nope'] }] }, { deal: { stage: ['Verkauft'] } }] })), 'trigger.where.$or.0.$or.1.fromStage', 'not_in_pick_list');
    const dotted = await w.post(definition('DealStageChanged', { 'deal.stage': ['Reserviert'] }));
    expect(dotted.status, JSON.stringify(dotted.body)).toBe(201);
    refused(await w.post(definition('DealStageChanged', { 'deal.stage': ['Reservirt'] })), 'trigger.where.deal.stage', 'not_in_pick_list');
  });

  it('checks operand types: anything-but variants, numeric, exists on an object, cidr', async () => {
    refused(await w.post(definition('DealStageChanged', { toStage: [{ 'anything-but': [1, 2] }] })), 'trigger.where.toStage.0', 'operand_type');
    refused(await w.post(definition('DealStageChanged', { toStage: [{ 'anything-but': ['Reserviert', 'Nope'] }] })), 'trigger.where.toStage', 'not_in_pick_list');
    refused(await w.post(definition('DealStageChanged', { toStage: [{ numeric: ['>', 1] }] })), 'trigger.where.toStage.0', 'operand_type');
    refused(await w.post(definition('DealStageChanged', { causedBy: [{ exists: false }] })), 'trigger.where.causedBy', 'not_a_value');
    refused(await w.post(definition('DealStageChanged', { deal: { causedBy: { depth: [{ 'anything-but': { prefix: '1' } }] } } })), 'trigger.where.deal.causedBy.depth.0', 'operand_type');
    refused(await w.post(definition('DealStageChanged', { deal: { note: [{ cidr: '10.0.0.0/8' }] } })), 'trigger.where.deal.note.0', 'operand_type');
    const ok = await w.post(definition('DealStageChanged', { causedBy: { automationId: [{ exists: false }] }, deal: { causedBy: { depth: [{ numeric: ['<', 2] }] } } }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it('refuses a condition on changedFields that the event never lists (bookkeeping fields)', async () => {
    for (const field of ['updatedAt', 'version', 'causedBy']) {
      refused(await w.post(definition('PropertyUpdated', { changedFields: [field] })), 'trigger.where.changedFields.0', 'invalid_value');
    }
  });

  it('refuses a condition on a pipeline the tenant does not have', async () => {
    refused(await w.post(definition('DealStageChanged', { deal: { pipelineId: ['vermitung'] } })), 'trigger.where.deal.pipelineId', 'not_in_pick_list');
  });

  it('refuses a pattern whose $or alternatives multiply past what a matcher can hold (160,000 combinations in under 2 KB)', async () => {
    const alternatives = (leaf: (i: number) => unknown) => Array.from({ length: 20 }, (_, i) => leaf(i));
    const where = {
      $or: alternatives((i) => ({ deal: { note: [`r${i}`] } })),
      deal: { $or: alternatives((i) => ({ contactId: [`c${i}`] })), causedBy: { $or: alternatives((i) => ({ executionId: [`e${i}`] })) } },
      causedBy: { $or: alternatives((i) => ({ automationId: [`a${i}`] })) },
    };
    expect(JSON.stringify(where).length).toBeLessThan(2_048);
    refused(await w.post(definition('DealStageChanged', where)), 'trigger.where', 'invalid_pattern');
  });

  it('answers a where with thousands of unknown keys with a bounded list of errors', async () => {
    const where = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, [1]]));
    const reply = await w.post(definition('DealStageChanged', where));
    expect(reply.status).toBe(400);
    expect(fieldsOf(reply).length).toBeLessThanOrEqual(100);
    expect(JSON.stringify(reply.body).length).toBeLessThan(256 * 1024);
  });
});

describe('actions: values checked the same way as conditions', () => {
  it('refuses move_deal to a stage outside the pipeline the trigger restricts to', async () => {
    const w = await world();
    refused(await w.post(definition('DealCreated', { deal: { pipelineId: ['default'] } }, [{ type: 'move_deal', stage: 'Bewerbung' }])), 'actions.0.stage', 'not_in_pick_list');
  });

  it('never moves a deal to a stage of another pipeline', async () => {
    const w = await world();
    const automation = (await w.post(definition('DealCreated', undefined, [{ type: 'move_deal', stage: 'Bewerbung' }], true))).body;
    const deal = await w.must('POST', '/deals', { contactId: w.contact.id, propertyId: w.property.id });
    const [execution] = await executionsOf(api, w.admin, automation.id);
    const now = (await w.call('GET', `/deals/${deal.id}`, undefined, w.agent)).body;
    expect(now.pipelineId).toBe('default');
    expect(DEFAULT_PICK_LISTS.dealStages.default).toContain(now.stage);
    expect(execution.status).not.toBe('succeeded');
  });

  it('gives every validation error params (marketing mail to someone other than the contact)', async () => {
    const w = await world();
    const reply = await w.post(definition('ContactCreated', undefined, [{ type: 'send_email', to: 'contact_owner', subject: 'News', body: 'News', purpose: 'marketing' }]));
    refused(reply, 'actions.0.purpose', 'marketing_to_contacts_only');
    expect(fieldsOf(reply)[0]!.params).toBeDefined();
  });
});

describe('PUT accepts the body GET returned', () => {
  it('answers a PUT of a stale GET body with 409 version_conflict, not 400 read_only', async () => {
    const w = await world();
    const created = (await w.post(definition('DealStageChanged', { toStage: ['Verkauft'] }))).body;
    const got = await w.get(created.id);
    expect((await w.call('PUT', `/automations/${created.id}`, { ...got, name: 'Erste Änderung' })).status).toBe(200);
    const stale = await w.call('PUT', `/automations/${created.id}`, { ...got, name: 'Zweite Änderung' });
    expect(stale.status, JSON.stringify(stale.body)).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
  });

  it('accepts the GET body after the automation ran in between (runs change the counters, not the version)', async () => {
    const w = await world();
    const created = (await w.post(definition('ActivityCreated', { activity: { type: ['note'] } }, [{ type: 'create_task', assignee: 'contact_owner', title: 'Notiz lesen' }], true))).body;
    const got = await w.get(created.id);
    await w.must('POST', '/activities', { type: 'note', category: 'Allgemein', contactIds: [w.contact.id] });
    const ran = await runsOf(w, created.id, 1);
    expect(ran.version).toBe(got.version);
    const put = await w.call('PUT', `/automations/${created.id}`, { ...got, name: 'Notiz: Aufgabe für den Betreuer' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ name: 'Notiz: Aufgabe für den Betreuer', runCount: 1 });
  });

  it('ignores changed warnings, refuses unknown fields and a changed id or tenant', async () => {
    const w = await world();
    const created = (await w.post(definition('DealStageChanged', { toStage: ['Verkauft'] }))).body;
    const got = await w.get(created.id);
    const put = (body: unknown) => w.call('PUT', `/automations/${created.id}`, body);
    expect(fieldsOf(await put({ ...got, extra: 1 }))).toEqual([expect.objectContaining({ path: 'extra', code: 'unknown_field' })]);
    refused(await put({ ...got, tenantId: 'someone-else' }), 'tenantId', 'read_only');
    refused(await put({ ...got, lastError: null }), 'lastError', 'read_only');
    const warned = await put({ ...got, warnings: [{ code: 'forged' }] });
    expect(warned.status).toBe(200);
    expect(warned.body.warnings).toEqual([]);
  });
});

describe('pick-lists and enabled automations', () => {
  it('never leaves an enabled automation using a value that a concurrent settings change removed', async () => {
    const w = await world();
    const automation = (await w.post(definition('DealStageChanged', { toStage: ['Notartermin'] }))).body;
    const settings = api.stack.stores.settings;
    const original = settings.get.bind(settings);
    let gate: (() => void) | undefined;
    let read: (() => void) | undefined;
    const hasRead = new Promise<void>((resolve) => (read = resolve));
    const opened = new Promise<void>((resolve) => (gate = resolve));
    let armed = true;
    // The enable reads the lists, then waits while the settings change runs to its end.
    settings.get = async (tenantId: string) => {
      const value = await original(tenantId);
      if (armed && tenantId === w.t) {
        armed = false;
        read!();
        await opened;
      }
      return value;
    };
    try {
      const enabling = w.call('POST', `/automations/${automation.id}/enable`);
      await hasRead;
      const current = (await w.call('GET', '/settings')).body;
      const stages = current.pickLists.dealStages.default.filter((s: string) => s !== 'Notartermin');
      const put = await w.call('PUT', '/settings', { name: current.name, senderAddress: current.senderAddress, inboundAddresses: current.inboundAddresses, version: current.version, pickLists: { dealStages: { ...current.pickLists.dealStages, default: stages } } });
      gate!();
      const enabled = await enabling;
      const bothSucceeded = put.status === 200 && enabled.status === 200;
      expect(bothSucceeded, `settings ${put.status}, enable ${enabled.status}`).toBe(false);
    } finally {
      settings.get = original;
      gate?.();
    }
  });

  it('refuses removing a value an enabled automation writes (update_property status) and one it tests with anything-but', async () => {
    const w = await world();
    await w.post(definition('PropertyUpdated', { property: { status: [{ 'anything-but': 'Akquise' }] } }, [{ type: 'update_property', set: { status: 'Vermarktung' } }], true));
    const current = (await w.call('GET', '/settings')).body;
    const put = await w.call('PUT', '/settings', { name: current.name, senderAddress: current.senderAddress, inboundAddresses: current.inboundAddresses, version: current.version, pickLists: { propertyStatuses: ['In Vorbereitung', 'Reserviert'] } });
    expect(put.status).toBe(409);
    expect(put.body.error.fields.map((f: { params: { value: string } }) => f.params.value).sort()).toEqual(['Akquise', 'Vermarktung']);
  });
});

describe('cross-tenant access', () => {
  it('answers 404 for another tenant\'s automation, execution and contact, and never shows its data', async () => {
    const a = await world();
    const b = await world();
    const automation = (await a.post(definition('ActivityCreated', { activity: { type: ['note'] } }, [{ type: 'create_task', assignee: 'contact_owner', title: 'Notiz' }], true))).body;
    await a.must('POST', '/activities', { type: 'note', category: 'Allgemein', contactIds: [a.contact.id] });
    const [execution] = await executionsOf(api, a.admin, automation.id);
    for (const [method, path, body] of [
      ['GET', `/automations/${automation.id}`],
      ['PUT', `/automations/${automation.id}`, { ...automation, version: automation.version }],
      ['DELETE', `/automations/${automation.id}`],
      ['POST', `/automations/${automation.id}/enable`],
      ['POST', `/automations/${automation.id}/disable`],
      ['POST', `/automations/${automation.id}/test`, {}],
      ['GET', `/automations/${automation.id}/executions`],
      ['GET', `/executions/${execution.id}`],
    ] as const) {
      const reply = await b.call(method, path, body);
      expect(reply.status, `${method} ${path}: ${JSON.stringify(reply.body)}`).toBe(404);
      expect(reply.body.error.code).toBe('not_found');
    }
    const contactRuns = await b.call('GET', `/contacts/${a.contact.id}/executions`, undefined, b.agent);
    expect(contactRuns.status).toBe(404);
    expect((await b.call('GET', `/executions?automationId=${automation.id}`)).body.items).toEqual([]);
    // A dry run of b's own automation over an event naming a's records shows nothing of a.
    const own = (await b.post(definition('DealCreated', undefined, [{ type: 'send_email', to: 'contact', subject: 'Hallo {{contact.lastName}}', body: '{{contact.email}} {{property.title}}' }]))).body;
    const dry = await b.call('POST', `/automations/${own.id}/test`, {
      event: { deal: { id: 'd1', tenantId: a.t, version: 1, contactId: a.contact.id, propertyId: a.property.id, stage: 'Anfrage' } },
      overrides: { tenantId: a.t, eventKey: 'forged' },
    });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.event).toMatchObject({ tenantId: b.t, eventKey: 'dry-run' });
    expect(JSON.stringify(dry.body)).not.toContain(a.contact.email);
    expect(JSON.stringify(dry.body)).not.toContain(a.property.unitId);
  });
});

describe('dry runs', () => {
  it('keeps its own tenant and never lets an override reach the prototype', async () => {
    const w = await world();
    const automation = (await w.post(definition('DealStageChanged', { toStage: ['Verkauft'] }))).body;
    const raw = `{"overrides":{"__proto__":{"toStage":"Verkauft"},"tenantId":"x","schemaVersion":2,"eventKey":"k"}}`;
    const reply = await api.call('POST', `/automations/${automation.id}/test`, { token: w.admin, raw, headers: { 'content-type': 'application/json' } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toMatchObject({ matched: false, event: { tenantId: w.t, schemaVersion: 1 } });
    expect(reply.body.failedConditions).toEqual([expect.objectContaining({ path: 'toStage', condition: ['Verkauft'] })]);
  });

  it('names the failed alternatives of a nested $or', async () => {
    const w = await world();
    const automation = (await w.post(definition('DealStageChanged', { deal: { $or: [{ pipelineId: ['vermietung'] }, { stage: ['Verkauft'] }] } }))).body;
    const reply = await w.call('POST', `/automations/${automation.id}/test`, {});
    expect(reply.body.matched).toBe(false);
    expect(reply.body.failedConditions).toEqual([
      expect.objectContaining({ path: 'deal', anyOf: [[expect.objectContaining({ path: 'deal.pipelineId' })], [expect.objectContaining({ path: 'deal.stage' })]] }),
    ]);
  });
});

describe('templates: hostile input that is refused or works', () => {
  it('refuses what steps outside the documented helpers and accepts odd but valid syntax', async () => {
    const w = await world();
    const mail = (body: string) => w.post(definition('ContactCreated', undefined, [{ type: 'send_email', to: 'contact', subject: 'Hallo', body }]));
    for (const [body, code] of [
      ['{{lookup contact "firstName"}}', 'unknown_helper'],
      ['{{#each contact}}x{{/each}}', 'unknown_helper'],
      ['{{#with contact}}{{firstName}}{{/with}}', 'unknown_helper'],
      ['{{#*inline "x"}}y{{/inline}}', 'not_allowed'],
      ['{{> partial}}', 'not_allowed'],
      ['{{{contact.firstName}}}', 'not_allowed'],
      ['{{@root.contact.firstName}}', 'not_allowed'],
      ['{{contact.constructor.name}}', 'unknown_variable'],
      ['{{contact.__proto__}}', 'unknown_variable'],
      ['{{#if contact.firstName includeZero=true}}x{{/if}}', 'helper_arguments'],
      ['{{date contact.createdAt style=(required contact.firstName)}}', 'helper_arguments'],
      ['{{greeting tenant}}', 'helper_arguments'],
      ['{{number contact.version decimals=7}}', 'helper_arguments'],
      ['{{#if contact.firstName}}a{{else each contact}}b{{/if}}', 'unknown_helper'],
      ['Zeile\n  {{#if contact.firstName}}\n{{/unless}}', 'template_syntax'],
    ] as const) {
      const reply = await mail(body);
      expect(reply.status, body).toBe(400);
      expect(fieldsOf(reply).map((f) => f.code), body).toContain(code);
    }
    for (const body of [
      '{{#if contact.firstName}}a{{else if contact.lastName}}b{{else unless contact.email}}c{{else}}d{{/if}}',
      '{{!-- {{> x}} {{{y}}} --}}Hallo',
      '{{   contact.firstName\n\t }} {{~contact.lastName~}}',
      '{{date (required contact.createdAt) style="long"}}',
      'Grüße 😀 {{contact.firstName}} 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    ]) {
      const reply = await mail(body);
      expect(reply.status, `${body}: ${JSON.stringify(reply.body)}`).toBe(201);
    }
  });

  it('bounds the problems of a huge template and names line and column of the first', async () => {
    const w = await world();
    const body = `${'x\n'.repeat(100)}${'{{contact.nope}} {{nope.x}} {{date}} '.repeat(500)}`;
    const reply = await w.post(definition('ContactCreated', undefined, [{ type: 'send_email', to: 'contact', subject: 'Hallo', body }]));
    expect(reply.status).toBe(400);
    expect(fieldsOf(reply).length).toBeLessThanOrEqual(20);
    expect(fieldsOf(reply)[0]!.params).toMatchObject({ line: 101, column: 3 });
  });
});

describe('honest outcomes and counters', () => {
  const publishAgain = async (activityId: string) => {
    const original = await waitFor(() => api.stack.bus.recent().find((d) => (d.event.detail.activity as { id?: string } | undefined)?.id === activityId)?.event, 'the ActivityCreated event');
    await new EventBridgeClient({ endpoint: api.stack.bus.url }).send(
      new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: original.source, DetailType: original['detail-type'], Detail: JSON.stringify(original.detail) }] }),
    );
  };
  const appointment = (w: Awaited<ReturnType<typeof world>>, category: string, contactId = w.contact.id) =>
    w.must('POST', '/activities', { type: 'appointment', category, contactIds: [contactId], propertyId: w.property.id, startsAt: '2026-12-04T09:00:00Z', endsAt: '2026-12-04T09:30:00Z' });

  it('counts a run that succeeded after a transient failure once, and not as a failure', async () => {
    const w = await world();
    const automation = (await w.post(definition('ActivityCreated', { activity: { type: ['appointment'], category: ['Beratung'] } }, [{ type: 'send_email', to: 'contact', subject: 'Termin', body: 'Bis bald' }], true))).body;
    faults.throttle.set(w.contact.email, 1);
    await appointment(w, 'Beratung');
    const execution = await waitFor(async () => (await executionsOf(api, w.admin, automation.id)).find((e) => e.status === 'succeeded'), 'the succeeded run');
    expect(execution.attempts).toBe(2);
    await api.stack.bus.idle();
    expect(await w.get(automation.id)).toMatchObject({ runCount: 1, failureCount: 0, lastRunStatus: 'succeeded' });
  });

  it('never reports a run as failed ("nothing changed") when a step changed something before a transient error', async () => {
    const w = await world();
    const automation = (
      await w.post(definition('ActivityCreated', { activity: { type: ['appointment'], category: ['Bewertung'] } }, [task, { type: 'send_email', to: 'contact', subject: 'Termin', body: 'Bis bald' }], true))
    ).body;
    faults.throttle.set(w.contact.email, 10);
    await appointment(w, 'Bewertung');
    const execution = await waitFor(async () => {
      const items = (await w.call('GET', `/automations/${automation.id}/executions`)).body.items as any[];
      return items.find((e) => e.attempts >= 3 && e.steps[1].status === 'failed');
    }, 'the third attempt');
    await api.stack.bus.idle();
    faults.throttle.delete(w.contact.email);
    expect(execution.steps[0]).toMatchObject({ status: 'succeeded', result: { taskId: expect.any(String) } });
    const final = (await w.call('GET', `/executions/${execution.id}`)).body;
    expect(final.status).not.toBe('failed');
  });

  it('keeps a run uncertain when a step after the interrupted send is skipped', async () => {
    const w = await world();
    const orphan = await w.must('POST', '/contacts', { lastName: 'Ohne Betreuer', email: `orphan-${w.t}@example.com` });
    const automation = (
      await w.post(
        definition('ActivityCreated', { activity: { type: ['appointment'], category: ['Übergabe'] } }, [{ type: 'send_email', to: 'contact', subject: 'Übergabe', body: 'Bis bald' }, { type: 'create_task', assignee: 'contact_owner', title: 'Nachfassen' }], true),
      )
    ).body;
    faults.hang.add(orphan.email);
    let execution: any;
    try {
      const activity = await appointment(w, 'Übergabe', orphan.id);
      await waitFor(async () => {
        const items = (await w.call('GET', `/automations/${automation.id}/executions`)).body.items as any[];
        return items.find((e) => e.steps[0].status === 'started');
      }, 'the send to start');
      await publishAgain(activity.id);
      execution = await waitFor(async () => {
        const items = (await w.call('GET', `/automations/${automation.id}/executions`)).body.items as any[];
        return items.find((e) => e.status !== 'running' && e.attempts === 2);
      }, 'the resumed run');
    } finally {
      // The crashed attempt ends, so the bus can settle for the tests after this one.
      for (const release of faults.release.splice(0)) release(new Error('the crashed attempt ends'));
    }
    expect(execution.steps.map((s: { status: string }) => s.status)).toEqual(['uncertain', 'skipped']);
    expect(execution.status).toBe('uncertain');
    expect((await w.get(automation.id)).uncertainCount).toBe(1);
  });

  it('never sends an e-mail twice when SES took it and the answer timed out', async () => {
    const w = await world();
    const automation = (await w.post(definition('ActivityCreated', { activity: { type: ['appointment'], category: ['Notartermin'] } }, [{ type: 'send_email', to: 'contact', subject: 'Notartermin', body: 'Bis bald' }], true))).body;
    faults.timeoutAfterSend.add(w.contact.email);
    await appointment(w, 'Notartermin');
    await executionsOf(api, w.admin, automation.id);
    await api.stack.bus.idle();
    expect(await mailTo(api, w.contact.email)).toHaveLength(1);
  });

  it('sends one e-mail per automation for one activity, although each e-mail is recorded as an activity', async () => {
    const w = await world();
    const toOwner = (await w.post(definition('ActivityCreated', undefined, [{ type: 'send_email', to: 'contact_owner', subject: 'Neue Aktivität', body: 'Bei {{contact.lastName}}' }], true))).body;
    const toPerson = (await w.post(definition('ActivityCreated', undefined, [{ type: 'send_email', to: 'property_contact_person', subject: 'Neue Aktivität', body: 'Bei {{contact.lastName}}' }], true))).body;
    await w.must('POST', '/activities', { type: 'note', category: 'Allgemein', contactIds: [w.contact.id], propertyId: w.property.id });
    await executionsOf(api, w.admin, toOwner.id);
    await executionsOf(api, w.admin, toPerson.id);
    await new Promise((r) => setTimeout(r, 1_500));
    await api.stack.bus.idle();
    expect(await mailTo(api, w.owner.email)).toHaveLength(1);
    expect(await mailTo(api, w.person.email)).toHaveLength(1);
  });
});
