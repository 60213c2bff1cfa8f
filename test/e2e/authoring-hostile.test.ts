import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PICK_LISTS } from '#shared/settings/pick-lists';
import type { TestApi } from '../support/local-api.ts';
import { definition, fieldsOf, hostileWorld, refused, runsOf, useFaultyApi } from '../support/hostile-world.ts';
import { executionsOf } from '../support/automation-world.ts';

/**
 * Hostile and mistaken authoring through the local stack's HTTP API: keys, operands, action values,
 * PUT bodies, pick-list races, cursors, other tenants, dry runs and templates. Each test states the
 * correct behaviour.
 */

let api: TestApi;
useFaultyApi((started) => (api = started));
const world = () => hostileWorld(api);

describe('conditions: hostile keys and operands', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });

  it('refuses a "__proto__" key in trigger.where instead of dropping it silently', async () => {
    const raw = '{"name":"Proto","trigger":{"event":"DealStageChanged","where":{"__proto__":{"toStage":["Verkauft"]},"toStage":["Reserviert"]}},"actions":[{"type":"create_task","assignee":"property_contact_person","title":"T"}]}';
    const reply = await api.call('POST', '/automations', { token: w.admin, raw, headers: { 'content-type': 'application/json' } });
    refused(reply, 'trigger.where.__proto__', 'forbidden_key');
  });

  it('refuses a "__proto__" key in preset params instead of dropping it silently', async () => {
    const raw = '{"preset":"reserved-task","params":{"__proto__":{"stage":"Verkauft"}}}';
    const reply = await api.call('POST', '/automations', { token: w.admin, raw, headers: { 'content-type': 'application/json' } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(400);
    expect(fieldsOf(reply)[0]).toMatchObject({ path: 'params.__proto__', code: 'forbidden_key' });
  });

  it('refuses keys named like Object.prototype members, nested "__proto__", numeric keys and keys under a leaf', async () => {
    refused(await w.post(definition('DealStageChanged', { constructor: ['x'] })), 'trigger.where.constructor', 'unknown_path');
    refused(await w.post(definition('DealStageChanged', { deal: JSON.parse('{"__proto__":{"stage":["Reserviert"]}}') })), 'trigger.where.deal.__proto__', 'forbidden_key');
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

  it('warns that a stage change can never match when it asks deal.stage (the stage after the change) for another stage than toStage', async () => {
    const reply = await w.post(definition('DealStageChanged', { deal: { stage: ['Besichtigung'] }, toStage: ['Reserviert'] }));
    expect(reply.status).toBe(201);
    expect(reply.body.warnings).toEqual([expect.objectContaining({ code: 'never_matches' })]);
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

  it('answers a where with thousands of unknown keys or wrong operands with a bounded list of errors (not megabytes)', async () => {
    const unknown = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, [1]]));
    const operands = { toStage: Array.from({ length: 40_000 }, () => 1) };
    for (const where of [unknown, operands]) {
      const reply = await w.post(definition('DealStageChanged', where));
      expect(reply.status).toBe(400);
      expect(fieldsOf(reply).length).toBeLessThanOrEqual(100);
      // An 80 KB body answered with 7 MB exceeds Lambda's 6 MB response limit: API Gateway would answer 502.
      expect(JSON.stringify(reply.body).length).toBeLessThan(256 * 1024);
    }
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
    const ignored = await put({ ...got, lastError: null }); // the run summary is the server's: ignored
    expect(ignored.status).toBe(200);
    const warned = await put({ ...ignored.body, warnings: [{ code: 'forged' }] });
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

describe('no 500s', () => {
  it('answers a cursor from another list, or a forged one of the own tenant, with 400 invalid_cursor', async () => {
    const w = await world();
    await w.post(definition('DealStageChanged', { toStage: ['Verkauft'] }));
    await w.post(definition('DealStageChanged', { toStage: ['Reserviert'] }));
    const page = (await w.call('GET', '/automations?limit=1')).body;
    expect(page.nextCursor).toEqual(expect.any(String));
    const forged = Buffer.from(JSON.stringify({ PK: `${w.t}#AUTOMATION#x` })).toString('base64url');
    for (const [path, cursor, token] of [
      ['/executions', page.nextCursor, w.admin],
      ['/executions?status=failed', page.nextCursor, w.admin],
      [`/contacts/${w.contact.id}/executions`, page.nextCursor, w.agent],
      ['/automations', forged, w.admin],
      [`/contacts/${w.contact.id}/executions`, forged, w.agent],
    ] as const) {
      const reply = await w.call('GET', `${path}${path.includes('?') ? '&' : '?'}cursor=${cursor}`, undefined, token);
      expect(reply.status, `${path}: ${JSON.stringify(reply.body)}`).toBe(400);
      expect(reply.body.error.fields[0]).toMatchObject({ path: 'cursor', code: 'invalid_cursor' });
    }
  });

  it('keeps running the other automations of a trigger when one stored pattern no longer compiles', async () => {
    const w = await world();
    // Saved before today's checks (or before a future limit): the API would refuse it now.
    await api.stack.automations.create(w.t, { name: 'Alt', enabled: true, trigger: { event: 'ActivityCreated', where: { activity: { type: 'note' } } }, actions: [{ type: 'create_task', assignee: 'contact_owner', title: 'Alt', dueInDays: 1 }] } as never);
    const good = (await w.post(definition('ActivityCreated', { activity: { type: ['note'] } }, [{ type: 'create_task', assignee: 'contact_owner', title: 'Neu' }], true))).body;
    await w.must('POST', '/activities', { type: 'note', category: 'Allgemein', contactIds: [w.contact.id] });
    const [execution] = await executionsOf(api, w.admin, good.id);
    expect(execution.status).toBe('succeeded');
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
    const proto = `{"overrides":{"__proto__":{"toStage":"Verkauft"}}}`;
    const refusedProto = await api.call('POST', `/automations/${automation.id}/test`, { token: w.admin, raw: proto, headers: { 'content-type': 'application/json' } });
    expect(refusedProto.status).toBe(400);
    expect(fieldsOf(refusedProto)[0]).toMatchObject({ path: 'overrides.__proto__', code: 'forbidden_key' });
    const raw = `{"overrides":{"tenantId":"x","schemaVersion":2,"eventKey":"k"}}`;
    const reply = await api.call('POST', `/automations/${automation.id}/test`, { token: w.admin, raw, headers: { 'content-type': 'application/json' } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toMatchObject({ matched: false, event: { tenantId: w.t, schemaVersion: 1 } });
    expect(reply.body.failedConditions).toEqual([expect.objectContaining({ path: 'toStage', condition: ['Verkauft'] })]);
  });

  it('reports an override of the wrong type as invalid_type at overrides.<field>, not as required', async () => {
    const w = await world();
    const automation = (await w.post(definition('ContactBirthday', undefined, [{ type: 'create_task', assignee: 'contact_owner', title: 'Gratulieren' }]))).body;
    const reply = await w.call('POST', `/automations/${automation.id}/test`, { overrides: { age: 'sechsundvierzig' } });
    expect(reply.status).toBe(400);
    expect(fieldsOf(reply)).toEqual([expect.objectContaining({ path: 'overrides.age', code: 'invalid_type' })]);
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

  it('refuses deeply nested sub-expressions with a 400 (never a 500, never a template that cannot render)', async () => {
    const w = await world();
    for (const depth of [1_500, 1_700]) {
      const body = `{{date ${'(required '.repeat(depth)}contact.createdAt${')'.repeat(depth)}}}`;
      expect(body.length).toBeLessThanOrEqual(20_000);
      const reply = await w.post(definition('ContactCreated', undefined, [{ type: 'send_email', to: 'contact', subject: 'Hallo', body }]));
      expect(reply.status, `depth ${depth}: ${JSON.stringify(reply.body).slice(0, 300)}`).toBe(400);
      expect(fieldsOf(reply)[0]).toMatchObject({ path: 'actions.0.body', code: expect.stringMatching(/^template_|helper_arguments|not_allowed/) });
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
