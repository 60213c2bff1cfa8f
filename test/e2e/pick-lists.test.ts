import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PICK_LISTS } from '#shared/settings/pick-lists';
import { useTestApi, type Reply, type TestApi } from '../support/local-api.ts';
import { tenant } from '../support/dynamo.ts';
import { waitFor } from '../support/wait.ts';

/**
 * CRM writes against the tenant's pick-lists (the defaults here): values outside a list are refused
 * with the allowed values, nothing is stored, and values that differ only in case or spacing are
 * stored in the list's spelling.
 */

let api: TestApi;
let admin: string;
let agent: string;
const t = tenant();
useTestApi(t, (session) => ({ api, admin, agent } = session));

let contact: { id: string };
let property: { id: string };
let deal: { id: string; version: number };

const call = (method: string, path: string, body?: unknown, token = agent) => api.call(method, path, { token, body });
const must = async (method: string, path: string, body?: unknown, token = agent) => {
  const reply = await call(method, path, body, token);
  expect(reply.status, `${method} ${path}: ${JSON.stringify(reply.body)}`).toBeLessThan(300);
  return reply.body;
};
const count = async (path: string) => (await must('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100`)).items.length as number;

/** Asserts a 400 whose one failing field is the value outside its list, with every allowed value. */
function refused(reply: Reply, path: string, params: { list: string; key?: string; allowed: readonly string[]; value: string }) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(400);
  expect(reply.body.error.code).toBe('validation_failed');
  expect(reply.body.error.fields).toEqual([{ path, code: 'not_in_pick_list', message: expect.stringMatching(/^Not one of "/), params: { ...params, allowed: [...params.allowed] } }]);
}

beforeAll(async () => {
  contact = await must('POST', '/contacts', { lastName: 'Musterfrau', email: 'erika@example.com' });
  property = await must('POST', '/properties', { unitId: 'PL-1', title: 'Altbau' });
  deal = await must('POST', '/deals', { contactId: contact.id, propertyId: property.id });
});

describe('CRM writes outside the pick-lists', () => {
  it('refuses a contact status on create, upsert and update, and stores nothing', async () => {
    const before = await count('/contacts?archived=all');
    const allowed = DEFAULT_PICK_LISTS.contactStatuses;
    refused(await call('POST', '/contacts', { lastName: 'Neu', status: 'VIP' }), 'status', { list: 'contactStatuses', allowed, value: 'VIP' });
    refused(await call('POST', '/contacts?upsert=true', { email: 'neu@example.com', status: 'Interessentin' }), 'status', { list: 'contactStatuses', allowed, value: 'Interessentin' });
    refused(await call('POST', '/contacts?upsert=true', { email: 'erika@example.com', status: 'VIP' }), 'status', { list: 'contactStatuses', allowed, value: 'VIP' });
    refused(await call('PATCH', `/contacts/${contact.id}`, { version: 1, status: 'Kundin', newsletter: true }), 'status', { list: 'contactStatuses', allowed, value: 'Kundin' });
    expect(await count('/contacts?archived=all')).toBe(before);
    expect(await must('GET', `/contacts/${contact.id}`)).toMatchObject({ version: 1, newsletter: false });
    expect(await must('GET', `/contacts/${contact.id}`)).not.toHaveProperty('status');
  });

  it('refuses a property status on create and update, and stores nothing', async () => {
    const before = await count('/properties?archived=all');
    const allowed = DEFAULT_PICK_LISTS.propertyStatuses;
    refused(await call('POST', '/properties', { unitId: 'PL-2', title: 'Neubau', status: 'Verkauft!' }), 'status', { list: 'propertyStatuses', allowed, value: 'Verkauft!' });
    refused(await call('PATCH', `/properties/${property.id}`, { version: 1, status: 'Online', price: 1 }), 'status', { list: 'propertyStatuses', allowed, value: 'Online' });
    expect(await count('/properties?archived=all')).toBe(before);
    expect(await must('GET', `/properties/${property.id}`)).toMatchObject({ version: 1 });
  });

  it('refuses a deal stage outside its pipeline and an unknown pipeline, naming the stages or the pipelines', async () => {
    const before = await count('/deals?archived=all');
    const other = await must('POST', '/properties', { unitId: 'PL-3', title: 'Villa' });
    refused(await call('POST', '/deals', { contactId: contact.id, propertyId: other.id, stage: 'Gewonnen' }), 'stage', { list: 'dealStages', key: 'default', allowed: DEFAULT_PICK_LISTS.dealStages.default, value: 'Gewonnen' });
    refused(await call('POST', '/deals', { contactId: contact.id, propertyId: other.id, pipelineId: 'vermietung', stage: 'Verkauft' }), 'stage', {
      list: 'dealStages',
      key: 'vermietung',
      allowed: DEFAULT_PICK_LISTS.dealStages.vermietung!,
      value: 'Verkauft',
    });
    refused(await call('POST', '/deals', { contactId: contact.id, propertyId: other.id, pipelineId: 'gewerbe' }), 'pipelineId', { list: 'dealStages', allowed: ['default', 'vermietung'], value: 'gewerbe' });
    refused(await call('PATCH', `/deals/${deal.id}`, { version: 1, stage: 'Gewonnen' }), 'stage', { list: 'dealStages', key: 'default', allowed: DEFAULT_PICK_LISTS.dealStages.default, value: 'Gewonnen' });
    expect(await count('/deals?archived=all')).toBe(before);
    expect(await must('GET', `/deals/${deal.id}`)).toMatchObject({ stage: 'Anfrage', version: 1 });
  });

  it('refuses moving a deal to a pipeline that lacks its stage, unless the stage moves too', async () => {
    const other = await must('POST', '/properties', { unitId: 'PL-4', title: 'Loft' });
    const moving = await must('POST', '/deals', { contactId: contact.id, propertyId: other.id, stage: 'Verhandlung' });
    refused(await call('PATCH', `/deals/${moving.id}`, { version: 1, pipelineId: 'vermietung' }), 'stage', {
      list: 'dealStages',
      key: 'vermietung',
      allowed: DEFAULT_PICK_LISTS.dealStages.vermietung!,
      value: 'Verhandlung',
    });
    expect(await must('PATCH', `/deals/${moving.id}`, { version: 1, pipelineId: 'Vermietung', stage: 'bewerbung' })).toMatchObject({ pipelineId: 'vermietung', stage: 'Bewerbung', version: 2 });
  });

  it('refuses an activity category outside the categories of its type, and stores nothing', async () => {
    const before = await count('/activities');
    refused(await call('POST', '/activities', { type: 'note', category: 'Besichtigung', propertyId: property.id }), 'category', {
      list: 'activityCategories',
      key: 'note',
      allowed: DEFAULT_PICK_LISTS.activityCategories.note,
      value: 'Besichtigung',
    });
    refused(await call('POST', '/activities', { type: 'call', category: 'Rückruf', contactIds: [contact.id] }), 'category', { list: 'activityCategories', key: 'call', allowed: ['Eingehend', 'Ausgehend'], value: 'Rückruf' });
    expect(await count('/activities')).toBe(before);
    expect((await must('POST', '/activities', { type: 'call', contactIds: [contact.id] })).category).toBeUndefined();
  });

  it('refuses an Absage reason outside the list, stores nothing, and leaves the deal where it is', async () => {
    const before = await count('/rejections');
    refused(await call('POST', '/rejections', { reason: 'Zu teuer', contactId: contact.id, dealId: deal.id }), 'reason', { list: 'rejectionReasons', allowed: DEFAULT_PICK_LISTS.rejectionReasons, value: 'Zu teuer' });
    expect(await count('/rejections')).toBe(before);
    expect(await must('GET', `/deals/${deal.id}`)).toMatchObject({ stage: 'Anfrage', version: 1 });
  });

  it('answers 404 before 400 for another tenant\'s record', async () => {
    const stranger = await api.token(tenant(), 'agent');
    expect((await call('PATCH', `/contacts/${contact.id}`, { version: 1, status: 'VIP' }, stranger)).status).toBe(404);
    expect((await call('PATCH', `/deals/${deal.id}`, { version: 1, stage: 'VIP' }, stranger)).status).toBe(404);
  });
});

describe('CRM writes in another spelling of a listed value', () => {
  it('stores statuses, stages, pipelines and reasons in the list\'s spelling', async () => {
    const created = await must('POST', '/contacts', { lastName: 'Klein', status: '  kunde ' });
    expect(created.status).toBe('Kunde');
    expect((await must('POST', '/contacts?upsert=true', { email: 'erika@example.com', status: 'EIGENTÜMER' })).status).toBe('Eigentümer');
    expect((await must('PATCH', `/contacts/${created.id}`, { version: 1, status: 'tippgeber' })).status).toBe('Tippgeber');
    expect((await must('POST', '/properties', { unitId: 'PL-5', title: 'Reihenhaus', status: 'in  vorbereitung' })).status).toBe('In Vorbereitung');
    expect(await must('PATCH', `/deals/${deal.id}`, { version: 1, stage: 'BESICHTIGUNG' })).toMatchObject({ stage: 'Besichtigung', version: 2 });
    const rented = await must('POST', '/deals', { contactId: created.id, propertyId: property.id, pipelineId: 'VERMIETUNG' });
    expect(rented).toMatchObject({ pipelineId: 'vermietung', stage: 'Anfrage' });
    const rejection = await must('POST', '/rejections', { reason: 'preis zu hoch', contactId: contact.id, dealId: deal.id });
    expect(rejection.reason).toBe('Preis zu hoch');
    expect(await must('GET', `/deals/${deal.id}`)).toMatchObject({ stage: 'Abgesagt', version: 3 });
  });

  it('stores the category "objekt archivieren" as "Objekt archivieren", so the preset archives the property', async () => {
    const preset = await must('POST', '/automations', { preset: 'note-archive-property', enabled: true }, admin);
    const sold = await must('POST', '/properties', { unitId: 'PL-6', title: 'Verkauftes Haus' });
    const note = await must('POST', '/activities', { type: 'note', category: 'objekt archivieren', propertyId: sold.id, body: 'Notartermin erfolgt' });
    expect(note.category).toBe('Objekt archivieren');
    const archived = await waitFor(async () => {
      const now = await must('GET', `/properties/${sold.id}`);
      return now.archived ? now : undefined;
    }, 'the property to be archived', 15_000);
    expect(archived).toMatchObject({ archived: true, status: 'Archiviert', causedBy: { automationId: preset.id } });
  });
});
