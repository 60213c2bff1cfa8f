import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCE_OF } from '#events/catalogue';
import { API_ROUTES } from '#shared/api/routes';
import { MAX_BODY_DEPTH } from '#shared/http/middleware/json-body';
import { PATTERN_LIMITS, WILDCARD_TOO_COMPLEX } from '#shared/patterns/compile';
import { tenant } from '../support/dynamo.ts';
import { useTestApi, type Reply, type TestApi } from '../support/local-api.ts';

/**
 * Bad input through the local stack's HTTP API: ids that cannot exist, bodies nested thousands
 * deep, patterns past the limits, a wildcard built to make a regular expression backtrack, and many
 * upserts of one new e-mail at once. Each answers a clean 4xx (or succeeds), quickly; none is a 500.
 */

let api: TestApi;
let admin: string;
const t = tenant();
useTestApi(t, (session) => ({ api, admin } = session));

const json = { 'content-type': 'application/json' };
const raw = (method: string, path: string, text: string) => api.call(method, path, { token: admin, raw: text, headers: json });
const fieldsOf = (reply: Reply) => (reply.body?.error?.fields ?? []) as Array<{ path: string; code: string; params?: Record<string, unknown> }>;
const task = { type: 'create_task', assignee: 'property_contact_person', title: 'Aufgabe' };
const automation = (event: string, where: unknown) => ({ name: 'Grenzfall', trigger: { event, where }, actions: [task] });

/** `{"a":{"a":…["x"]…}}` with `depth` levels of objects around the leaf array, as text (no recursion anywhere). */
const nestedWhere = (depth: number) => `${'{"a":'.repeat(depth - 1)}{"toStage":["x"]}${'}'.repeat(depth - 1)}`;
/** `$or` inside `$or`, `depth` times: each costs two levels (the array and the object). */
const nestedOr = (depth: number) => `${'{"$or":[{"fromStage":["A"]},'.repeat(depth)}{"toStage":["x"]}${']}'.repeat(depth)}`;
const automationText = (where: string) => `{"name":"Tief","trigger":{"event":"DealStageChanged","where":${where}},"actions":${JSON.stringify([task])}}`;

function expectInvalidPattern(reply: Reply, reason: string | RegExp) {
  expect(reply.status, JSON.stringify(reply.body).slice(0, 500)).toBe(400);
  const field = fieldsOf(reply).find((f) => f.code === 'invalid_pattern');
  expect(field, JSON.stringify(reply.body).slice(0, 500)).toMatchObject({ path: 'trigger.where' });
  expect(field!.params!.reason).toMatch(reason);
}

describe('ids that cannot exist', () => {
  const idRoutes = API_ROUTES.filter((route) => route.path.includes('{id}'));
  const impossible = ['x'.repeat(3_000), 'a#b', 'a b', 'a.b', 'ä', '😀', 'a'.repeat(65)];

  it.each(impossible.map((id) => [id.length > 20 ? `${id.slice(0, 10)}… (${id.length})` : id, id]))('answers %s with 404 on every {id} route, before any read', async (_, id) => {
    for (const route of idRoutes) {
      const path = route.path.replace('{id}', encodeURIComponent(id));
      const reply = await api.call(route.method, path, { token: admin, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: { version: 1 } }) });
      expect(reply.status, `${route.method} ${route.path}: ${JSON.stringify(reply.body).slice(0, 200)}`).toBe(404);
      expect(reply.body.error.code).toBe('not_found');
      expect(reply.body.error.message.length).toBeLessThan(200);
    }
  });

  it('keeps answering a well-formed unknown id with 404, and a body naming an impossible id with 400 not_found', async () => {
    expect((await api.call('GET', '/contacts/01NOSUCHCONTACT0000000000', { token: admin })).status).toBe(404);
    const reply = await api.call('POST', '/deals', { token: admin, body: { contactId: 'x'.repeat(3_000), propertyId: 'y' } });
    expect(reply.status).toBe(400);
    expect(fieldsOf(reply).map((f) => f.path)).toContain('contactId');
  });
});

describe('deeply nested bodies', () => {
  it('refuses a body nested deeper than 64 levels with 400 too_deep, however deep, on every route with a body', async () => {
    const texts = ['['.repeat(120_000) + ']'.repeat(120_000), `{"lastName":${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}}`, `${'['.repeat(MAX_BODY_DEPTH + 1)}${']'.repeat(MAX_BODY_DEPTH + 1)}`];
    const writes = API_ROUTES.filter((route) => route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH');
    for (const route of writes) {
      for (const text of texts) {
        const reply = await raw(route.method, route.path.replace('{id}', '01NOSUCHRECORD00000000000').replace('{domain}', 'example.com'), text);
        expect(reply.status, `${route.method} ${route.path}`).toBe(400);
        expect(fieldsOf(reply)).toEqual([{ path: '(body)', code: 'too_deep', message: 'Objects and arrays nest at most 64 levels deep', params: { maximum: 64 } }]);
      }
    }
  });

  it('takes a body nested exactly 64 levels (and judges it by its schema)', async () => {
    const reply = await raw('POST', '/contacts', `${'['.repeat(MAX_BODY_DEPTH)}${']'.repeat(MAX_BODY_DEPTH)}`);
    expect(reply.status).toBe(400);
    expect(fieldsOf(reply)[0]!.code).toBe('invalid_type');
  });

  it('finds a "__proto__" key 60 levels down, and counts brackets inside strings as text', async () => {
    const deepProto = await raw('POST', '/contacts', `{"lastName":"X","notes":${'{"a":'.repeat(60)}{"__proto__":1}${'}'.repeat(60)}}`);
    expect(fieldsOf(deepProto)[0]).toMatchObject({ path: `notes.${'a.'.repeat(60)}__proto__`, code: 'forbidden_key' });
    const brackets = await raw('POST', '/contacts', JSON.stringify({ lastName: `[{"\\${'['.repeat(80)}` }));
    expect(brackets.status, JSON.stringify(brackets.body)).toBe(201);
  });
});

describe('patterns past the limits', () => {
  it('refuses a where nested 30 deep as invalid_pattern, and one nested 3,000 deep as too deep a body', async () => {
    expectInvalidPattern(await raw('POST', '/automations', automationText(nestedWhere(30))), 'Event pattern nests deeper than 16 levels');
    // 30 $or levels nest 61 deep: before, DynamoDB refused to store it (a 500).
    expectInvalidPattern(await raw('POST', '/automations', automationText(nestedOr(30))), 'Event pattern nests deeper than 16 levels');
    const deeper = await raw('POST', '/automations', automationText(nestedWhere(3_000)));
    expect(deeper.status).toBe(400);
    expect(fieldsOf(deeper)[0]!.code).toBe('too_deep');
    const deeperOr = await raw('POST', '/automations', automationText(nestedOr(3_000)));
    expect(fieldsOf(deeperOr)[0]!.code).toBe('too_deep');
  });

  it('takes a where as deep as the limit allows', async () => {
    const deepest = { deal: { $or: [{ stage: ['Reserviert'] }, { $or: [{ pipelineId: ['default'] }, { stage: [{ 'anything-but': { prefix: 'Ab' } }] }] }] } };
    const reply = await api.call('POST', '/automations', { token: admin, body: automation('DealStageChanged', deepest) });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  });

  it('refuses a where over 2,048 characters, past 1,000 combinations, or with too many wildcards, with the reason', async () => {
    const long = { toStage: Array.from({ length: 200 }, (_, i) => `Stufe ${i}`) };
    expect(JSON.stringify(long).length).toBeGreaterThan(PATTERN_LIMITS.maxSize);
    expectInvalidPattern(await api.call('POST', '/automations', { token: admin, body: automation('DealStageChanged', long) }), /characters long; the limit is 2048/);

    const or = (field: string, values: string[]) => ({ $or: values.map((value) => ({ [field]: [value] })) });
    const stages = ['Anfrage', 'Besichtigung', 'Verhandlung', 'Reserviert', 'Notartermin'];
    // 5 × 5 × 40 = 1,000 combinations: the most a pattern may stand for.
    const combinations = { deal: or('stage', stages), ...or('toStage', stages), causedBy: or('automationId', Array.from({ length: 40 }, (_, i) => `a${i}`)) };
    const most = await api.call('POST', '/automations', { token: admin, body: automation('DealStageChanged', combinations) });
    expect(most.status, JSON.stringify(most.body).slice(0, 500)).toBe(201);
    const many = { ...combinations, causedBy: or('automationId', Array.from({ length: 41 }, (_, i) => `a${i}`)) };
    expectInvalidPattern(await api.call('POST', '/automations', { token: admin, body: automation('DealStageChanged', many) }), /more than 1000 patterns/);

    const stars = { inquiry: { extracted: { message: [{ wildcard: '*a*a*a*a*a*b' }] } } };
    expectInvalidPattern(await api.call('POST', '/automations', { token: admin, body: automation('InquiryReceived', stars) }), WILDCARD_TOO_COMPLEX);
    const onOneField = { inquiry: { extracted: { message: [{ wildcard: '*a*a*a*a*b' }, { wildcard: '*c*c*c*c*d' }, { 'anything-but': { wildcard: '*e' } }] } } };
    expectInvalidPattern(await api.call('POST', '/automations', { token: admin, body: automation('InquiryReceived', onOneField) }), WILDCARD_TOO_COMPLEX);
  });
});

describe('the 1 KB condition that exhausted memory', () => {
  it('refuses 23 sibling fields each with a two-branch $or (2^23 alternatives) at once, without building them', async () => {
    const fields = Object.fromEntries(
      Array.from({ length: 23 }, (_, i) => [`f${i}`, { $or: [{ a: [`x${i}`] }, { b: [`y${i}`] }] }]),
    );
    const where = { inquiry: { extracted: fields } };
    expect(JSON.stringify(where).length).toBeLessThan(2_048);
    // It used to take seconds and gigabytes, then the process died; now it is refused before anything is built.
    const reply = await api.call('POST', '/automations', { token: admin, body: automation('InquiryReceived', where) });
    expectInvalidPattern(reply, /more than 1000 patterns/);
    expect((await api.call('GET', '/automations', { token: admin })).status).toBe(200);
  });
});

describe('the wildcard that stalled the runner', () => {
  const where = { inquiry: { extracted: { message: [{ wildcard: '*a*a*a*a*b' }] } } };
  const detail = (message: string) => {
    const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../events/fixtures/v1/InquiryReceived.json'), 'utf8'));
    return { ...fixture, tenantId: t, eventKey: `k-${message.length}#0`, inquiry: { ...fixture.inquiry, tenantId: t, extracted: { ...fixture.inquiry.extracted, message } } };
  };

  it('is saved, and tested in a dry run against a message of 250 "a"s at once', async () => {
    const saved = await api.call('POST', '/automations', { token: admin, body: { ...automation('InquiryReceived', where), enabled: true } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const started = performance.now();
    const dry = await api.call('POST', `/automations/${saved.body.id}/test`, { token: admin, body: { event: detail('a'.repeat(250)) } });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(dry.status, JSON.stringify(dry.body).slice(0, 500)).toBe(200);
    expect(dry.body.matched).toBe(false);
    expect(dry.body.failedConditions).toMatchObject([{ path: 'inquiry.extracted.message' }]);
  });

  it('lets the runner handle the event at once (it blocked the process for about a minute)', async () => {
    for (const message of ['a'.repeat(250), 'a'.repeat(100_000)]) {
      const started = performance.now();
      const outcomes = await api.stack.engine.handle({ source: SOURCE_OF.InquiryReceived, 'detail-type': 'InquiryReceived', detail: detail(message) });
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(outcomes).toEqual([]);
    }
  });
});

describe('parallel upserts of one new e-mail', () => {
  it.each([8, 24])('answers %i upserts at once with one 201 and 200 for the rest, all on one contact', async (count) => {
    const email = `race-${count}-${t}@example.com`;
    const replies = await Promise.all(
      Array.from({ length: count }, (_, i) => api.call('POST', '/contacts?upsert=true', { token: admin, body: { email, lastName: `Race ${i}`, phone: `+49 30 ${1000 + i}` } })),
    );
    const statuses = replies.map((r) => r.status).sort((a, b) => b - a);
    expect(statuses, JSON.stringify(replies.filter((r) => r.status >= 300).map((r) => r.body))).toEqual([201, ...Array<number>(count - 1).fill(200)]);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    const [contact] = (await api.call('GET', `/contacts?email=${encodeURIComponent(email)}`, { token: admin })).body.items;
    // One create and count - 1 merges: every upsert was applied, none lost.
    expect(contact.version).toBe(count);
  });
});
