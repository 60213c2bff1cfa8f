import { describe, expect, it } from 'vitest';
import { verifiedDomain } from '../support/automation-world.ts';
import { useTestApi, type TestApi } from '../support/local-api.ts';
import { tenant } from '../support/dynamo.ts';

let api: TestApi;
let admin: string;
let agent: string;
const t = tenant();

useTestApi(t, (session) => ({ api, admin, agent } = session));

const ok = async (reply: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await reply;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
};

describe('round trips through the HTTP API', () => {
  it('reads and writes the tenant settings', async () => {
    expect(await ok(api.call('GET', '/settings', { token: admin }))).toMatchObject({ timeZone: 'Europe/Berlin', version: 0 });
    // The sender address on the tenant's own verified domain, inquiries to its platform address.
    const domain = await verifiedDomain(api, admin, `${t}.acme.example`);
    const saved = await ok(api.call('PUT', '/settings', { token: admin, body: { name: 'Acme Immobilien', senderAddress: `info@${domain}`, inboundAddresses: [`${t}@inbound.crm.example`] } }));
    expect(saved).toMatchObject({ name: 'Acme Immobilien', senderAddress: `info@${domain}`, inboundAddresses: [`${t}@inbound.crm.example`], version: 1 });
    expect(await ok(api.call('GET', '/settings', { token: admin }))).toEqual(saved);
    expect((await api.call('PUT', '/settings', { token: admin, body: { name: 'Stale' } })).status).toBe(409);
  });

  it('creates, lists, updates and archives users', async () => {
    const user = await ok(api.call('POST', '/users', { token: admin, body: { firstName: 'Anna', lastName: 'Agent', email: 'anna@acme.example' } }), 201);
    expect(await ok(api.call('GET', `/users/${user.id}`, { token: agent }))).toEqual(user);
    expect((await ok(api.call('GET', '/users', { token: agent }))).items.map((u: { id: string }) => u.id)).toContain(user.id);
    expect((await api.call('PATCH', `/users/${user.id}`, { token: agent, body: { version: 1, phone: '+49 30 1' } })).status).toBe(403);
    const archived = await ok(api.call('PATCH', `/users/${user.id}`, { token: admin, body: { version: 1, archived: true } }));
    expect(archived).toMatchObject({ archived: true, version: 2 });
    expect((await ok(api.call('GET', '/users', { token: agent }))).items.map((u: { id: string }) => u.id)).not.toContain(user.id);
  });

  it('creates, lists page by page, updates, upserts and archives contacts', async () => {
    const owner = await ok(api.call('POST', '/users', { token: admin, body: { firstName: 'Otto', lastName: 'Owner', email: 'otto@acme.example' } }), 201);
    const created = await api.call('POST', '/contacts', {
      token: agent,
      body: { salutation: 'ms', firstName: 'Erika', lastName: 'Musterfrau', email: 'Erika@Example.com', birthday: '--11-27', ownerId: owner.id },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/contacts/${created.body.id}`);
    const contact = created.body;
    expect(contact).toMatchObject({ email: 'erika@example.com', newsletter: false, gdprConsent: false, archived: false, version: 1 });

    for (let i = 0; i < 3; i++) await ok(api.call('POST', '/contacts', { token: agent, body: { lastName: `Page${i}` } }), 201);
    const first = await ok(api.call('GET', '/contacts?limit=2', { token: agent }));
    expect(first.items.map((c: { lastName: string }) => c.lastName)).toEqual(['Page2', 'Page1']);
    const second = await ok(api.call('GET', `/contacts?limit=2&cursor=${first.nextCursor}`, { token: agent }));
    expect(second.items.map((c: { lastName: string }) => c.lastName)).toEqual(['Page0', 'Musterfrau']);
    expect((await ok(api.call('GET', `/contacts?ownerId=${owner.id}`, { token: agent }))).items).toHaveLength(1);
    expect((await ok(api.call('GET', '/contacts?email=ERIKA@example.com', { token: agent }))).items[0].id).toBe(contact.id);

    const updated = await ok(api.call('PATCH', `/contacts/${contact.id}`, { token: agent, body: { version: 1, newsletter: true, gdprConsent: true } }));
    expect(updated).toMatchObject({ newsletter: true, gdprConsent: true, version: 2 });

    const upserted = await ok(api.call('POST', '/contacts?upsert=true', { token: agent, body: { email: 'erika@example.com', phone: '+49 89 123' } }));
    expect(upserted).toMatchObject({ id: contact.id, phone: '+49 89 123', newsletter: true, version: 3 });
    const fresh = await ok(api.call('POST', '/contacts?upsert=true', { token: agent, body: { email: 'new@example.com', lastName: 'Neu' } }), 201);
    expect(fresh).toMatchObject({ email: 'new@example.com', newsletter: false });

    const archived = await ok(api.call('DELETE', `/contacts/${contact.id}`, { token: agent }));
    expect(archived).toMatchObject({ archived: true, version: 4 });
    expect((await ok(api.call('GET', '/contacts?archived=true', { token: agent }))).items.map((c: { id: string }) => c.id)).toEqual([contact.id]);
    expect(await ok(api.call('GET', `/contacts/${contact.id}`, { token: agent }))).toEqual(archived);
  });

  it('creates, finds by unit id, updates and archives properties', async () => {
    const person = await ok(api.call('POST', '/users', { token: admin, body: { firstName: 'Paul', lastName: 'Person', email: 'paul@acme.example' } }), 201);
    const property = await ok(
      api.call('POST', '/properties', {
        token: agent,
        body: { unitId: 'MI-2026-014', title: 'Altbau in Mitte', address: { street: 'Torstraße', houseNumber: '1', postalCode: '10119', city: 'Berlin' }, contactPersonId: person.id, portalIds: { immoscout24: '143279874' } },
      }),
      201,
    );
    expect(property.address.country).toBe('DE');
    expect((await ok(api.call('GET', '/properties?unitId=mi-2026-014', { token: agent }))).items[0].id).toBe(property.id);
    expect((await ok(api.call('GET', `/properties?contactPersonId=${person.id}`, { token: agent }))).items).toHaveLength(1);
    const dup = await api.call('POST', '/properties', { token: agent, body: { unitId: 'MI-2026-014', title: 'Kopie' } });
    expect(dup.status).toBe(409);
    const updated = await ok(api.call('PATCH', `/properties/${property.id}`, { token: agent, body: { version: 1, status: 'Reserviert', price: 495000 } }));
    expect(updated).toMatchObject({ status: 'Reserviert', price: 495000, version: 2 });
    const archived = await ok(api.call('PATCH', `/properties/${property.id}`, { token: agent, body: { version: 2, archived: true } }));
    expect(archived.archived).toBe(true);
    expect((await ok(api.call('GET', '/properties', { token: agent }))).items.map((p: { id: string }) => p.id)).not.toContain(property.id);
  });

  it('creates deals, moves their stage, records activities, Absagen and tasks', async () => {
    const agentUser = await ok(api.call('POST', '/users', { token: admin, body: { firstName: 'Ina', lastName: 'Makler', email: 'ina@acme.example' } }), 201);
    const contact = await ok(api.call('POST', '/contacts', { token: agent, body: { lastName: 'Käufer', email: 'kaeufer@example.com' } }), 201);
    const property = await ok(api.call('POST', '/properties', { token: agent, body: { unitId: 'KR-7', title: 'Reihenhaus', contactPersonId: agentUser.id } }), 201);

    const deal = await ok(api.call('POST', '/deals', { token: agent, body: { contactId: contact.id, propertyId: property.id } }), 201);
    expect(deal).toMatchObject({ stage: 'Anfrage', pipelineId: 'default' });
    expect((await api.call('POST', '/deals', { token: agent, body: { contactId: contact.id, propertyId: property.id } })).status).toBe(409);
    const reserved = await ok(api.call('PATCH', `/deals/${deal.id}`, { token: agent, body: { version: 1, stage: 'Reserviert' } }));
    expect(reserved).toMatchObject({ stage: 'Reserviert', version: 2 });
    expect((await api.call('PATCH', `/deals/${deal.id}`, { token: agent, body: { version: 2, contactId: 'other' } })).status).toBe(400);
    expect((await ok(api.call('GET', `/deals?contactId=${contact.id}`, { token: agent }))).items.map((d: { id: string }) => d.id)).toEqual([deal.id]);
    expect((await ok(api.call('GET', `/deals?propertyId=${property.id}`, { token: agent }))).items).toHaveLength(1);

    const viewing = await ok(
      api.call('POST', '/activities', {
        token: agent,
        body: { type: 'appointment', category: 'Besichtigung', contactIds: [contact.id], propertyId: property.id, dealId: deal.id, startsAt: '2026-12-03T14:00:00+01:00', endsAt: '2026-12-03T14:45:00+01:00' },
      }),
      201,
    );
    const note = await ok(api.call('POST', '/activities', { token: agent, body: { type: 'note', category: 'Objekt archivieren', propertyId: property.id, body: 'Verkauft' } }), 201);
    await ok(api.call('POST', '/activities', { token: agent, body: { type: 'call', contactIds: [contact.id], body: 'Rückruf' } }), 201);
    expect((await ok(api.call('GET', `/activities?propertyId=${property.id}`, { token: agent }))).items.map((a: { id: string }) => a.id)).toEqual([note.id, viewing.id]);
    expect((await ok(api.call('GET', `/activities?contactId=${contact.id}&type=appointment`, { token: agent }))).items.map((a: { id: string }) => a.id)).toEqual([viewing.id]);
    expect(await ok(api.call('GET', `/activities/${viewing.id}`, { token: agent }))).toEqual(viewing);

    const stranger = await ok(api.call('POST', '/contacts', { token: agent, body: { lastName: 'Fremd' } }), 201);
    const wrongDeal = await api.call('POST', '/rejections', { token: agent, body: { reason: 'Preis zu hoch', contactId: stranger.id, dealId: deal.id } });
    expect(wrongDeal.status).toBe(400);
    expect(wrongDeal.body.error.fields[0].path).toBe('dealId');
    const rejection = await ok(api.call('POST', '/rejections', { token: agent, body: { reason: 'Kein Kontakt mehr gewünscht', contactId: contact.id, dealId: deal.id } }), 201);
    expect(rejection).toMatchObject({ propertyId: property.id, dealId: deal.id });
    expect(await ok(api.call('GET', `/deals/${deal.id}`, { token: agent }))).toMatchObject({ stage: 'Abgesagt', version: 3 });
    expect((await ok(api.call('GET', `/rejections?contactId=${contact.id}`, { token: agent }))).items).toEqual([rejection]);
    expect(await ok(api.call('GET', `/rejections/${rejection.id}`, { token: agent }))).toEqual(rejection);

    const task = await ok(api.call('POST', '/tasks', { token: agent, body: { title: 'Exposé nachreichen', assigneeId: agentUser.id, dealId: deal.id, dueAt: '2026-12-01T09:00:00Z' } }), 201);
    expect((await ok(api.call('GET', `/tasks?assigneeId=${agentUser.id}&state=open`, { token: agent }))).items.map((x: { id: string }) => x.id)).toEqual([task.id]);
    const done = await ok(api.call('PATCH', `/tasks/${task.id}`, { token: agent, body: { version: 1, done: true } }));
    expect(done).toMatchObject({ done: true, version: 2 });
    expect(done.doneAt).toBeTypeOf('string');
    expect((await ok(api.call('GET', `/tasks?assigneeId=${agentUser.id}&state=open`, { token: agent }))).items).toEqual([]);
    expect((await ok(api.call('GET', '/tasks?state=done', { token: agent }))).items.map((x: { id: string }) => x.id)).toEqual([task.id]);
    const archivedDeal = await ok(api.call('PATCH', `/deals/${deal.id}`, { token: agent, body: { version: 3, archived: true } }));
    expect(archivedDeal.archived).toBe(true);
  });
});
