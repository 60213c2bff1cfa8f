import { describe, expect, it } from 'vitest';
import { DevAuth } from '#infra/local/dev-auth';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestApi, type TestApi } from '../support/local-api.ts';
import { tenant } from '../support/dynamo.ts';

let api: TestApi;
let admin: string;
let agent: string;
const t = tenant();

useTestApi(t, (session) => ({ api, admin, agent } = session));

describe('the API refuses what it must', () => {
  it('answers 401 without a token, with a forged one and with an expired one', async () => {
    expect((await api.call('GET', '/contacts')).status).toBe(401);
    const stranger = await DevAuth.load(join(mkdtempSync(join(tmpdir(), 'forger-')), 'keys.json'));
    expect((await api.call('GET', '/contacts', { token: await stranger.sign({ tenantId: t, role: 'admin' }) })).status).toBe(401);
    const expired = await api.stack.auth.sign({ tenantId: t, role: 'admin', expiresIn: '-1m' });
    expect((await api.call('GET', '/contacts', { token: expired })).status).toBe(401);
    expect((await api.call('GET', '/contacts', { token: 'not.a.jwt' })).status).toBe(401);
  });

  it('answers 403 when an agent does an admin\'s work', async () => {
    for (const [method, path, body] of [
      ['GET', '/settings'],
      ['PUT', '/settings', { name: 'Mine now' }],
      ['POST', '/users', { firstName: 'E', lastName: 'Vil', email: 'e@vil.example' }],
    ] as const) {
      const reply = await api.call(method, path, { token: agent, body });
      expect(reply.status, `${method} ${path}`).toBe(403);
      expect(reply.body.error.code).toBe('forbidden');
    }
    expect((await api.call('GET', '/users', { token: agent })).status).toBe(200);
  });

  it('answers 404 for an unknown route and for another tenant\'s record', async () => {
    expect((await api.call('GET', '/nothing-here', { token: admin })).status).toBe(404);
    const mine = await api.call('POST', '/contacts', { token: admin, body: { lastName: 'Mine' } });
    const other = await api.token(tenant(), 'admin');
    const peek = await api.call('GET', `/contacts/${mine.body.id}`, { token: other });
    expect(peek.status).toBe(404);
    expect(peek.body.error.code).toBe('not_found');
    expect((await api.call('PATCH', `/contacts/${mine.body.id}`, { token: other, body: { version: 1, status: 'X' } })).status).toBe(404);
    expect((await api.call('DELETE', `/contacts/${mine.body.id}`, { token: other })).status).toBe(404);
    expect((await api.call('GET', `/contacts/${mine.body.id}`, { token: admin })).body).toMatchObject({ archived: false, version: 1 });
  });

  it('answers 400 naming each failing field, and stores nothing', async () => {
    const count = async () => (await api.call('GET', '/contacts?archived=all&limit=100', { token: admin })).body.items.length;
    const before = await count();
    const reply = await api.call('POST', '/contacts', { token: admin, body: { lastName: 42, email: 'nope', birthday: '1999-02-29', colour: 'blue' } });
    expect(reply.status).toBe(400);
    expect(reply.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['birthday', 'colour', 'email', 'lastName']);
    expect(await count()).toBe(before);
  });

  it('answers 400 for a body that is not JSON, an unknown query parameter and a foreign cursor', async () => {
    const broken = await api.call('POST', '/contacts', { token: admin, raw: '{"lastName":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.body.error.fields[0].path).toBe('(body)');
    const xml = await api.call('POST', '/contacts', { token: admin, raw: '<contact/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.status).toBe(400);
    const typo = await api.call('GET', '/contacts?limt=5', { token: admin });
    expect(typo.status).toBe(400);
    expect(typo.body.error.fields).toEqual([{ path: 'limt', code: 'unknown_field', message: 'Unknown field' }]);
    const cursor = Buffer.from(JSON.stringify({ PK: 'someone-else#CONTACT#1', SK: 'ENTITY' })).toString('base64url');
    expect((await api.call('GET', `/contacts?cursor=${cursor}`, { token: admin })).body.error.fields[0].path).toBe('cursor');
  });

  it('answers 400 when a body names a record that does not exist', async () => {
    const reply = await api.call('POST', '/deals', { token: admin, body: { contactId: 'nobody', propertyId: 'nothing' } });
    expect(reply.status).toBe(400);
    expect(reply.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['contactId', 'propertyId']);
  });

  it('answers 413 for a body over 256 KB', async () => {
    const reply = await api.call('POST', '/activities', { token: admin, body: { type: 'note', body: 'x'.repeat(300 * 1024) } });
    expect(reply.status).toBe(413);
    expect(reply.body.error.code).toBe('payload_too_large');
  });

  it('answers 409 for a taken e-mail address and for a stale version', async () => {
    await api.call('POST', '/contacts', { token: admin, body: { lastName: 'First', email: 'taken@example.com' } });
    const dup = await api.call('POST', '/contacts', { token: admin, body: { lastName: 'Second', email: 'Taken@Example.com' } });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'duplicate', fields: [{ path: 'email' }] });

    const contact = (await api.call('POST', '/contacts', { token: admin, body: { lastName: 'Versioned' } })).body;
    expect((await api.call('PATCH', `/contacts/${contact.id}`, { token: admin, body: { version: 1, status: 'Kunde' } })).status).toBe(200);
    const stale = await api.call('PATCH', `/contacts/${contact.id}`, { token: admin, body: { version: 1, status: 'Interessent' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect((await api.call('GET', `/contacts/${contact.id}`, { token: admin })).body).toMatchObject({ status: 'Kunde', version: 2 });
  });

  it('answers CORS preflights and sends CORS headers', async () => {
    const preflight = await fetch(`${api.stack.apiUrl}/contacts`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const reply = await api.call('GET', '/contacts', { token: admin, headers: { origin: 'https://app.example' } });
    expect(reply.headers.get('access-control-allow-origin')).toBe('*');
  });
});
