import { describe, expect, it } from 'vitest';
import type { ApiClient } from '#shared/api/client/client';
import { verifiedDomain } from '../support/automation-world.ts';
import { useTestApi, type TestApi } from '../support/local-api.ts';
import { tenant } from '../support/dynamo.ts';

let api: TestApi;
let admin: string;
let agent: string;
/** The typed client as the tenant's admin and as an agent. */
let asAdmin: ApiClient;
let asAgent: ApiClient;
const t = tenant();

useTestApi(t, (session) => {
  ({ api, admin, agent } = session);
  asAdmin = api.client(session.admin);
  asAgent = api.client(session.agent);
});

/** A typed call's body, once its status is the one expected. */
const answer = async <T>(call: Promise<{ data?: T; error?: unknown; response: Response }>, status = 200): Promise<T> => {
  const { data, error, response } = await call;
  expect(response.status, JSON.stringify(error)).toBe(status);
  return data as T;
};
const statusOf = async (call: Promise<{ response: Response }>) => (await call).response.status;
const byId = (id: string) => ({ params: { path: { id } } });
const ids = (page: { items: Array<{ id: string }> }) => page.items.map((x) => x.id);

describe('round trips through the HTTP API', () => {
  it('reads and writes the tenant settings', async () => {
    expect(await answer(asAdmin.GET('/settings'))).toMatchObject({ timeZone: 'Europe/Berlin', version: 0 });
    // The sender address on the tenant's own verified domain, inquiries to its platform address.
    const domain = await verifiedDomain(api, admin, `${t}.acme.example`);
    const saved = await answer(asAdmin.PUT('/settings', { body: { name: 'Acme Immobilien', senderAddress: `info@${domain}`, inboundAddresses: [`${t}@inbound.crm.example`] } }));
    expect(saved).toMatchObject({ name: 'Acme Immobilien', senderAddress: `info@${domain}`, inboundAddresses: [`${t}@inbound.crm.example`], version: 1 });
    expect(await answer(asAdmin.GET('/settings'))).toEqual(saved);
    expect(await statusOf(asAdmin.PUT('/settings', { body: { name: 'Stale' } }))).toBe(409);
  });

  it('creates, lists, updates and archives users', async () => {
    const user = await answer(asAdmin.POST('/users', { body: { firstName: 'Anna', lastName: 'Agent', email: 'anna@acme.example' } }), 201);
    expect(await answer(asAgent.GET('/users/{id}', byId(user.id)))).toEqual(user);
    expect(ids(await answer(asAgent.GET('/users')))).toContain(user.id);
    expect(await statusOf(asAgent.PATCH('/users/{id}', { ...byId(user.id), body: { version: 1, phone: '+49 30 1' } }))).toBe(403);
    const archived = await answer(asAdmin.PATCH('/users/{id}', { ...byId(user.id), body: { version: 1, archived: true } }));
    expect(archived).toMatchObject({ archived: true, version: 2 });
    expect(ids(await answer(asAgent.GET('/users')))).not.toContain(user.id);
  });

  it('creates, lists page by page, updates, upserts and archives contacts', async () => {
    const owner = await answer(asAdmin.POST('/users', { body: { firstName: 'Otto', lastName: 'Owner', email: 'otto@acme.example' } }), 201);
    const created = await asAgent.POST('/contacts', { body: { salutation: 'ms', firstName: 'Erika', lastName: 'Musterfrau', email: 'Erika@Example.com', birthday: '--11-27', ownerId: owner.id } });
    expect(created.response.status).toBe(201);
    const contact = created.data!;
    expect(created.response.headers.get('location')).toBe(`/contacts/${contact.id}`);
    expect(contact).toMatchObject({ email: 'erika@example.com', newsletter: false, gdprConsent: false, archived: false, version: 1 });

    for (let i = 0; i < 3; i++) await answer(asAgent.POST('/contacts', { body: { lastName: `Page${i}` } }), 201);
    const first = await answer(asAgent.GET('/contacts', { params: { query: { limit: 2 } } }));
    expect(first.items.map((c) => c.lastName)).toEqual(['Page2', 'Page1']);
    const second = await answer(asAgent.GET('/contacts', { params: { query: { limit: 2, cursor: first.nextCursor! } } }));
    expect(second.items.map((c) => c.lastName)).toEqual(['Page0', 'Musterfrau']);
    expect((await answer(asAgent.GET('/contacts', { params: { query: { ownerId: owner.id } } }))).items).toHaveLength(1);
    expect(ids(await answer(asAgent.GET('/contacts', { params: { query: { email: 'ERIKA@example.com' } } })))).toEqual([contact.id]);

    const updated = await answer(asAgent.PATCH('/contacts/{id}', { ...byId(contact.id), body: { version: 1, newsletter: true, gdprConsent: true } }));
    expect(updated).toMatchObject({ newsletter: true, gdprConsent: true, version: 2 });

    const upsert = (body: { email: string; phone?: string; lastName?: string }, status: number) => answer(asAgent.POST('/contacts', { params: { query: { upsert: 'true' } }, body }), status);
    expect(await upsert({ email: 'erika@example.com', phone: '+49 89 123' }, 200)).toMatchObject({ id: contact.id, phone: '+49 89 123', newsletter: true, version: 3 });
    expect(await upsert({ email: 'new@example.com', lastName: 'Neu' }, 201)).toMatchObject({ email: 'new@example.com', newsletter: false });

    const archived = await answer(asAgent.DELETE('/contacts/{id}', byId(contact.id)));
    expect(archived).toMatchObject({ archived: true, version: 4 });
    expect(ids(await answer(asAgent.GET('/contacts', { params: { query: { archived: 'true' } } })))).toEqual([contact.id]);
    expect(await answer(asAgent.GET('/contacts/{id}', byId(contact.id)))).toEqual(archived);
  });

  it('creates, finds by unit id, updates and archives properties', async () => {
    const person = await answer(asAdmin.POST('/users', { body: { firstName: 'Paul', lastName: 'Person', email: 'paul@acme.example' } }), 201);
    const property = await answer(
      asAgent.POST('/properties', {
        body: { unitId: 'MI-2026-014', title: 'Altbau in Mitte', address: { street: 'Torstraße', houseNumber: '1', postalCode: '10119', city: 'Berlin' }, contactPersonId: person.id, portalIds: { immoscout24: '143279874' } },
      }),
      201,
    );
    expect(property.address?.country).toBe('DE');
    expect(ids(await answer(asAgent.GET('/properties', { params: { query: { unitId: 'mi-2026-014' } } })))).toEqual([property.id]);
    expect((await answer(asAgent.GET('/properties', { params: { query: { contactPersonId: person.id } } }))).items).toHaveLength(1);
    expect(await statusOf(asAgent.POST('/properties', { body: { unitId: 'MI-2026-014', title: 'Kopie' } }))).toBe(409);
    const updated = await answer(asAgent.PATCH('/properties/{id}', { ...byId(property.id), body: { version: 1, status: 'Reserviert', price: 495000 } }));
    expect(updated).toMatchObject({ status: 'Reserviert', price: 495000, version: 2 });
    const archived = await answer(asAgent.PATCH('/properties/{id}', { ...byId(property.id), body: { version: 2, archived: true } }));
    expect(archived.archived).toBe(true);
    expect(ids(await answer(asAgent.GET('/properties')))).not.toContain(property.id);
  });

  it('creates deals, moves their stage, records activities, Absagen and tasks', async () => {
    const agentUser = await answer(asAdmin.POST('/users', { body: { firstName: 'Ina', lastName: 'Makler', email: 'ina@acme.example' } }), 201);
    const contact = await answer(asAgent.POST('/contacts', { body: { lastName: 'Käufer', email: 'kaeufer@example.com' } }), 201);
    const property = await answer(asAgent.POST('/properties', { body: { unitId: 'KR-7', title: 'Reihenhaus', contactPersonId: agentUser.id } }), 201);

    const deal = await answer(asAgent.POST('/deals', { body: { contactId: contact.id, propertyId: property.id } }), 201);
    expect(deal).toMatchObject({ stage: 'Anfrage', pipelineId: 'default' });
    expect(await statusOf(asAgent.POST('/deals', { body: { contactId: contact.id, propertyId: property.id } }))).toBe(409);
    const reserved = await answer(asAgent.PATCH('/deals/{id}', { ...byId(deal.id), body: { version: 1, stage: 'Reserviert' } }));
    expect(reserved).toMatchObject({ stage: 'Reserviert', version: 2 });
    // The contact of a deal is fixed: the typed body has no such field, the raw call is refused.
    expect((await api.call('PATCH', `/deals/${deal.id}`, { token: agent, body: { version: 2, contactId: 'other' } })).status).toBe(400);
    expect(ids(await answer(asAgent.GET('/deals', { params: { query: { contactId: contact.id } } })))).toEqual([deal.id]);
    expect((await answer(asAgent.GET('/deals', { params: { query: { propertyId: property.id } } }))).items).toHaveLength(1);

    const viewing = await answer(
      asAgent.POST('/activities', {
        body: { type: 'appointment', category: 'Besichtigung', contactIds: [contact.id], propertyId: property.id, dealId: deal.id, startsAt: '2026-12-03T14:00:00+01:00', endsAt: '2026-12-03T14:45:00+01:00' },
      }),
      201,
    );
    const note = await answer(asAgent.POST('/activities', { body: { type: 'note', category: 'Objekt archivieren', propertyId: property.id, body: 'Verkauft' } }), 201);
    await answer(asAgent.POST('/activities', { body: { type: 'call', contactIds: [contact.id], body: 'Rückruf' } }), 201);
    expect(ids(await answer(asAgent.GET('/activities', { params: { query: { propertyId: property.id } } })))).toEqual([note.id, viewing.id]);
    expect(ids(await answer(asAgent.GET('/activities', { params: { query: { contactId: contact.id, type: 'appointment' } } })))).toEqual([viewing.id]);
    expect(await answer(asAgent.GET('/activities/{id}', byId(viewing.id)))).toEqual(viewing);

    const stranger = await answer(asAgent.POST('/contacts', { body: { lastName: 'Fremd' } }), 201);
    const wrongDeal = await asAgent.POST('/rejections', { body: { reason: 'Preis zu hoch', contactId: stranger.id, dealId: deal.id } });
    expect(wrongDeal.response.status).toBe(400);
    expect(wrongDeal.error && 'error' in wrongDeal.error && wrongDeal.error.error.fields[0]?.path).toBe('dealId');
    const rejection = await answer(asAgent.POST('/rejections', { body: { reason: 'Kein Kontakt mehr gewünscht', contactId: contact.id, dealId: deal.id } }), 201);
    expect(rejection).toMatchObject({ propertyId: property.id, dealId: deal.id });
    expect(await answer(asAgent.GET('/deals/{id}', byId(deal.id)))).toMatchObject({ stage: 'Abgesagt', version: 3 });
    expect((await answer(asAgent.GET('/rejections', { params: { query: { contactId: contact.id } } }))).items).toEqual([rejection]);
    expect(await answer(asAgent.GET('/rejections/{id}', byId(rejection.id)))).toEqual(rejection);

    const task = await answer(asAgent.POST('/tasks', { body: { title: 'Exposé nachreichen', assigneeId: agentUser.id, dealId: deal.id, dueAt: '2026-12-01T09:00:00Z' } }), 201);
    const openTasks = { params: { query: { assigneeId: agentUser.id, state: 'open' as const } } };
    expect(ids(await answer(asAgent.GET('/tasks', openTasks)))).toEqual([task.id]);
    const done = await answer(asAgent.PATCH('/tasks/{id}', { ...byId(task.id), body: { version: 1, done: true } }));
    expect(done).toMatchObject({ done: true, version: 2 });
    expect(done.doneAt).toBeTypeOf('string');
    expect((await answer(asAgent.GET('/tasks', openTasks))).items).toEqual([]);
    expect(ids(await answer(asAgent.GET('/tasks', { params: { query: { state: 'done' } } })))).toEqual([task.id]);
    const archivedDeal = await answer(asAgent.PATCH('/deals/{id}', { ...byId(deal.id), body: { version: 3, archived: true } }));
    expect(archivedDeal.archived).toBe(true);
  });
});
