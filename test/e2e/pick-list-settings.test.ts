import { describe, expect, it } from 'vitest';
import { DEFAULT_PICK_LISTS } from '#shared/settings/pick-lists';
import { useTestApi, type TestApi } from '../support/local-api.ts';
import { tenant } from '../support/dynamo.ts';

/**
 * The pick-lists in `GET`/`PUT /settings`: defaults until a tenant saves its own, lists replaced by
 * name, hostile lists refused, and values that enabled automations use kept.
 */

let api: TestApi;
useTestApi(tenant(), (session) => ({ api } = session));

/** A fresh tenant with its admin's and agent's call functions. */
async function agency() {
  const t = tenant();
  const [admin, agent] = [await api.token(t, 'admin'), await api.token(t, 'agent')];
  const as = (token: string) => (method: string, path: string, body?: unknown) => api.call(method, path, { token, body });
  return { t, admin: as(admin), agent: as(agent) };
}

const fieldsOf = (reply: { body: any }) => reply.body.error.fields as Array<{ path: string; code: string; message: string; params?: Record<string, unknown> }>;

describe('the pick-lists in the settings', () => {
  it('shows the default lists to a tenant that never saved settings', async () => {
    const { t, admin } = await agency();
    const reply = await admin('GET', '/settings');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ tenantId: t, timeZone: 'Europe/Berlin', sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '20:00' }, inboundAddresses: [], pickLists: DEFAULT_PICK_LISTS, version: 0 });
    expect(reply.body.pickLists.dealStages.default).toEqual(['Anfrage', 'Besichtigung', 'Verhandlung', 'Reserviert', 'Notartermin', 'Verkauft', 'Abgesagt']);
    expect(reply.body.pickLists.activityCategories.note).toEqual(['Allgemein', 'Objekt archivieren', 'Finanzierung', 'Rückruf']);
  });

  it('shows the lists, and only the lists, to agents as well', async () => {
    const { admin, agent } = await agency();
    expect((await agent('GET', '/settings')).status).toBe(403);
    expect((await agent('GET', '/pick-lists')).body).toEqual(DEFAULT_PICK_LISTS);
    await admin('PUT', '/settings', { name: 'Acme', pickLists: { rejectionReasons: ['Zu teuer'] } });
    expect((await agent('GET', '/pick-lists')).body.rejectionReasons).toEqual(['Zu teuer']);
  });

  it('replaces the lists a PUT names, keeps the others, and checks writes against the new lists', async () => {
    const { admin, agent } = await agency();
    const saved = await admin('PUT', '/settings', { name: 'Acme', pickLists: { contactStatuses: ['Neu', ' Stammkunde '], activityCategories: { note: ['Intern'] } } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.pickLists).toEqual({ ...DEFAULT_PICK_LISTS, contactStatuses: ['Neu', 'Stammkunde'], activityCategories: { ...DEFAULT_PICK_LISTS.activityCategories, note: ['Intern'] } });
    expect((await agent('POST', '/contacts', { lastName: 'A', status: 'stammkunde' })).body.status).toBe('Stammkunde');
    const old = await agent('POST', '/contacts', { lastName: 'B', status: 'Kunde' });
    expect(old.status).toBe(400);
    expect(fieldsOf(old)[0]).toMatchObject({ code: 'not_in_pick_list', params: { allowed: ['Neu', 'Stammkunde'], value: 'Kunde' } });

    const renamed = await admin('PUT', '/settings', { name: 'Acme GmbH', version: 1 });
    expect(renamed.body).toMatchObject({ name: 'Acme GmbH', version: 2, pickLists: saved.body.pickLists });
    expect((await admin('GET', '/settings')).body).toEqual(renamed.body);
  });

  it('starts a deal without a stage at its pipeline\'s first stage, and moves it on an Absage only when the pipeline has "Abgesagt"', async () => {
    const { admin, agent } = await agency();
    const dealStages = { default: ['Erstkontakt', 'abgesagt'], gewerbe: ['Anfrage', 'Verloren'] };
    expect((await admin('PUT', '/settings', { name: 'Gewerbe GmbH', pickLists: { dealStages } })).status).toBe(200);
    const contact = (await agent('POST', '/contacts', { lastName: 'Kunde' })).body;
    const [office, shop] = [(await agent('POST', '/properties', { unitId: 'G-1', title: 'Büro' })).body, (await agent('POST', '/properties', { unitId: 'G-2', title: 'Laden' })).body];
    const plain = (await agent('POST', '/deals', { contactId: contact.id, propertyId: office.id })).body;
    const commercial = (await agent('POST', '/deals', { contactId: contact.id, propertyId: shop.id, pipelineId: 'gewerbe' })).body;
    expect([plain.stage, commercial.stage]).toEqual(['Erstkontakt', 'Anfrage']);
    for (const deal of [plain, commercial]) expect((await agent('POST', '/rejections', { reason: 'Sonstiges', contactId: contact.id, dealId: deal.id })).status).toBe(201);
    expect((await agent('GET', `/deals/${plain.id}`)).body).toMatchObject({ stage: 'abgesagt', version: 2 });
    expect((await agent('GET', `/deals/${commercial.id}`)).body).toMatchObject({ stage: 'Anfrage', version: 1 });
  });

  it('lets only admins change the lists', async () => {
    const { agent } = await agency();
    expect((await agent('PUT', '/settings', { name: 'Meins', pickLists: { contactStatuses: ['X'] } })).status).toBe(403);
  });
});

describe('values enabled automations use', () => {
  it('refuses removing or renaming a value an enabled automation uses, naming it, and changes nothing', async () => {
    const { admin } = await agency();
    const automation = (await admin('POST', '/automations', { preset: 'reserved-task', enabled: true })).body;
    expect(automation.id, JSON.stringify(automation)).toBeDefined();
    const without = DEFAULT_PICK_LISTS.dealStages.default.filter((s) => s !== 'Reserviert');
    for (const stages of [without, [...without, 'reserviert']]) {
      const reply = await admin('PUT', '/settings', { name: 'Acme', pickLists: { dealStages: { ...DEFAULT_PICK_LISTS.dealStages, default: stages } } });
      expect(reply.status).toBe(409);
      expect(reply.body.error.code).toBe('pick_list_value_in_use');
      expect(fieldsOf(reply)).toEqual([
        {
          path: 'pickLists.dealStages.default',
          code: 'pick_list_value_in_use',
          message: `"Reserviert" is used by the enabled automation "${automation.name}"`,
          params: { list: 'dealStages', key: 'default', value: 'Reserviert', automations: [{ id: automation.id, name: automation.name }] },
        },
      ]);
    }
    expect((await admin('GET', '/settings')).body).toMatchObject({ version: 0, pickLists: DEFAULT_PICK_LISTS });

    const added = await admin('PUT', '/settings', { name: 'Acme', pickLists: { dealStages: { default: [...DEFAULT_PICK_LISTS.dealStages.default, 'Exposé versendet'] } } });
    expect(added.status, 'adding a stage and dropping an unused pipeline').toBe(200);
    expect((await admin('POST', `/automations/${automation.id}/disable`)).status).toBe(200);
    const removed = await admin('PUT', '/settings', { name: 'Acme', version: 1, pickLists: { dealStages: { default: without } } });
    expect(removed.status).toBe(200);
    expect(removed.body.pickLists.dealStages).toEqual({ default: without });
  });

  it('allows removing a value only a disabled automation uses', async () => {
    const { admin } = await agency();
    expect((await admin('POST', '/automations', { preset: 'rejection-archive-contact', enabled: false })).status).toBe(201);
    const reasons = DEFAULT_PICK_LISTS.rejectionReasons.filter((r) => r !== 'Kein Kontakt mehr gewünscht');
    const reply = await admin('PUT', '/settings', { name: 'Acme', pickLists: { rejectionReasons: reasons } });
    expect(reply.status).toBe(200);
    expect(reply.body.pickLists.rejectionReasons).toEqual(reasons);
  });
});

describe('hostile and mistaken lists', () => {
  it('refuses each with 400 naming the failing values, and keeps the lists', async () => {
    const { admin } = await agency();
    const cases: Array<[unknown, Array<{ path: string; code: string }>]> = [
      [{ contactStatuses: ['Kunde', 'KUNDE', 'kunde '] }, [{ path: 'pickLists.contactStatuses.1', code: 'duplicate_value' }, { path: 'pickLists.contactStatuses.2', code: 'duplicate_value' }]],
      [{ propertyStatuses: ['Online\nOffline', 'Ver\u2028kauft'] }, [{ path: 'pickLists.propertyStatuses.0', code: 'invalid' }, { path: 'pickLists.propertyStatuses.1', code: 'invalid' }]],
      [{ rejectionReasons: Array.from({ length: 10_000 }, (_, i) => `Grund ${i}`) }, [{ path: 'pickLists.rejectionReasons', code: 'too_big' }]],
      [{ dealStages: {} }, [{ path: 'pickLists.dealStages.default', code: 'required' }]],
      [{ dealStages: { default: [] } }, [{ path: 'pickLists.dealStages.default', code: 'too_small' }]],
      [{ dealStages: { default: ['Anfrage'], vermietung: [] } }, [{ path: 'pickLists.dealStages.vermietung', code: 'too_small' }]],
      [{ dealStages: { default: ['Anfrage'], Default: ['Anfrage'] } }, [{ path: 'pickLists.dealStages.Default', code: 'duplicate_value' }]],
      [{ rejectionReasons: [] }, [{ path: 'pickLists.rejectionReasons', code: 'too_small' }]],
      [{ contactStatuses: 'Kunde' }, [{ path: 'pickLists.contactStatuses', code: 'invalid_type' }]],
      [{ contactStatuses: ['x'.repeat(61)], activityCategories: { visit: ['Besuch'] } }, [{ path: 'pickLists.activityCategories.visit', code: 'unknown_field' }, { path: 'pickLists.contactStatuses.0', code: 'too_big' }]],
    ];
    for (const [pickLists, expected] of cases) {
      const reply = await admin('PUT', '/settings', { name: 'Acme', pickLists });
      expect(reply.status, JSON.stringify(pickLists).slice(0, 80)).toBe(400);
      const fields = fieldsOf(reply).map(({ path, code }) => ({ path, code })).sort((a, b) => a.path.localeCompare(b.path));
      expect(fields, JSON.stringify(pickLists).slice(0, 80)).toEqual(expected);
      expect(fieldsOf(reply).every((f) => typeof f.message === 'string' && f.message.length > 0)).toBe(true);
    }
    const proto = await api.call('PUT', '/settings', {
      token: await api.token((await agency()).t, 'admin'),
      raw: '{"name":"Acme","pickLists":{"dealStages":{"default":["Anfrage"],"__proto__":["Anfrage"]}}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(proto.status).toBe(400);
    expect(fieldsOf(proto).map((f) => f.path)).toEqual(['pickLists.dealStages.__proto__']);
    expect((await admin('GET', '/settings')).body).toMatchObject({ version: 0, pickLists: DEFAULT_PICK_LISTS });
  });

  it('names the first spelling a duplicate repeats', async () => {
    const { admin } = await agency();
    const reply = await admin('PUT', '/settings', { name: 'Acme', pickLists: { contactStatuses: ['Kunde', 'KUNDE'] } });
    expect(fieldsOf(reply)).toEqual([{ path: 'pickLists.contactStatuses.1', code: 'duplicate_value', message: 'Repeats "Kunde" (differs only in case or spaces)', params: { value: 'KUNDE', duplicateOf: 'Kunde' } }]);
  });
});
