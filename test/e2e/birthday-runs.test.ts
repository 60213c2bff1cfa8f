import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateInZone } from '#shared/birthdays/dates';
import { startTestApi, type TestApi } from '../support/local-api.ts';
import { tenant } from '../support/dynamo.ts';
import { waitFor } from '../support/wait.ts';

let api: TestApi;
let admin: string;
const t = tenant();
const today = dateInZone(new Date(), 'Europe/Berlin');
const monthDay = today.slice(5);

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.token(t, 'admin');
  for (const body of [
    { lastName: 'Heute', birthday: `1990-${monthDay}` },
    { lastName: 'Ohne Jahr', birthday: `--${monthDay}` },
    { lastName: 'Archiviert', birthday: `--${monthDay}`, archived: true },
    { lastName: 'Morgen', birthday: monthDay === '12-31' ? '--01-01' : '--12-31' },
  ]) {
    expect((await api.call('POST', '/contacts', { token: admin, body })).status).toBe(201);
  }
});
afterAll(() => api.stack.stop());

const birthdayEvents = () => api.stack.bus.recent().filter((d) => d.event['detail-type'] === 'ContactBirthday' && d.event.detail.tenantId === t).map((d) => d.event);

describe('birthday runs', () => {
  it('lets an admin back-fill a date for the tenant, emitting exactly that day\'s birthdays', async () => {
    const reply = await api.call('POST', '/birthday-runs', { token: admin, body: { date: today } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ date: today, tenantId: t, birthdays: 2, published: 2, itemsRead: 2 });
    await waitFor(() => (birthdayEvents().length >= 2 ? true : undefined), 'two birthday events');
    expect(birthdayEvents().map((e) => (e.detail.contact as { lastName: string }).lastName).sort()).toEqual(['Heute', 'Ohne Jahr']);
  });

  it('gives a second run for the same date the same event keys', async () => {
    const before = birthdayEvents().map((e) => e.detail.eventKey).sort();
    await api.call('POST', '/birthday-runs', { token: admin, body: { date: today } });
    await waitFor(() => (birthdayEvents().length >= 4 ? true : undefined), 'the rerun\'s events');
    const keys = birthdayEvents().map((e) => e.detail.eventKey);
    expect(new Set(keys)).toEqual(new Set(before));
  });

  it('refuses agents, future dates and malformed dates', async () => {
    expect((await api.call('POST', '/birthday-runs', { token: await api.token(t, 'agent'), body: { date: today } })).status).toBe(403);
    const future = await api.call('POST', '/birthday-runs', { token: admin, body: { date: '2999-01-01' } });
    expect(future.status).toBe(400);
    expect(future.body.error.fields[0].path).toBe('date');
    expect((await api.call('POST', '/birthday-runs', { token: admin, body: { date: '2026-02-30' } })).status).toBe(400);
  });

  it('has a local manual trigger for all tenants, as npm run birthdays uses it', async () => {
    const reply = await fetch(`${api.stack.apiUrl}/_local/birthday-runs?date=${today}`, { method: 'POST' });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toMatchObject({ date: today, birthdays: expect.any(Number) });
    const bad = await fetch(`${api.stack.apiUrl}/_local/birthday-runs?date=morgen`, { method: 'POST' });
    expect(bad.status).toBe(400);
    expect(api.stack.nextBirthdayRun().getTime()).toBeGreaterThan(Date.now());
  });
});
