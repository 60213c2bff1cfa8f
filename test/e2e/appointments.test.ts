import { describe, expect, it } from 'vitest';
import { agencyWorld, executionsOf, mailTo } from '../support/automation-world.ts';
import { tenant } from '../support/dynamo.ts';
import { useTestApi, type TestApi } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';

/** Appointments move and are cancelled through the API; each change raises ActivityUpdated. */

let api: TestApi;
const t = tenant();
useTestApi(t, (session) => ({ api } = session));

const updatedEvent = (activityId: string, field: string) =>
  waitFor(
    () =>
      api.stack.bus
        .recent()
        .map((d) => d.event)
        .find((e) => e['detail-type'] === 'ActivityUpdated' && (e.detail.activity as { id: string }).id === activityId && (e.detail.changedFields as string[]).includes(field)),
    `ActivityUpdated of ${activityId} (${field})`,
  );

describe('appointments', () => {
  it('move and are cancelled, on the contact\'s copy too, each change raising ActivityUpdated with its fields', async () => {
    const world = await agencyWorld(api, t);
    const viewing = await world.must('POST', '/activities', { type: 'appointment', category: 'Besichtigung', contactIds: [world.erika.id], propertyId: world.property.id, startsAt: '2026-12-03T13:00:00Z', endsAt: '2026-12-03T13:45:00Z' });
    const moved = await api.call('PATCH', `/activities/${viewing.id}`, { token: world.agent, body: { version: 1, startsAt: '2026-12-04T09:00:00Z', endsAt: '2026-12-04T09:45:00Z', location: 'Torstraße 1' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ version: 2, startsAt: '2026-12-04T09:00:00Z', location: 'Torstraße 1' });
    const listed = (await api.call('GET', `/activities?contactId=${world.erika.id}`, { token: world.agent })).body.items;
    expect(listed.find((a: { id: string }) => a.id === viewing.id)).toMatchObject({ version: 2, startsAt: '2026-12-04T09:00:00Z' });
    const event = await updatedEvent(viewing.id, 'startsAt');
    expect(event.detail).toMatchObject({ changedFields: ['endsAt', 'location', 'startsAt'], previous: { startsAt: '2026-12-03T13:00:00Z' }, activity: { startsAt: '2026-12-04T09:00:00Z' } });

    const cancelled = await api.call('PATCH', `/activities/${viewing.id}`, { token: world.agent, body: { version: 2, cancelled: true, location: null } });
    expect(cancelled.body).toMatchObject({ version: 3, cancelled: true });
    expect(cancelled.body.location).toBeUndefined();
    expect((await updatedEvent(viewing.id, 'cancelled')).detail.changedFields).toEqual(['cancelled', 'location']);
  });

  it('refuse to change anything but an appointment, a stale version, an end before the start, and other fields', async () => {
    const other = tenant();
    const world = await agencyWorld(api, other);
    const note = await world.must('POST', '/activities', { type: 'note', category: 'Allgemein', contactIds: [world.erika.id] });
    const refusedNote = await api.call('PATCH', `/activities/${note.id}`, { token: world.agent, body: { version: 1, title: 'Neu' } });
    expect(refusedNote.status).toBe(409);
    expect(refusedNote.body.error.code).toBe('not_changeable');
    const appointment = await world.must('POST', '/activities', { type: 'appointment', category: 'Beratung', contactIds: [world.erika.id], startsAt: '2026-12-03T13:00:00Z', endsAt: '2026-12-03T14:00:00Z' });
    const patch = (body: unknown, token = world.agent) => api.call('PATCH', `/activities/${appointment.id}`, { token, body });
    expect((await patch({ version: 1, endsAt: '2026-12-03T12:00:00Z' })).body.error.fields[0]).toMatchObject({ path: 'endsAt' });
    expect((await patch({ version: 1, contactIds: [] })).body.error.fields[0]).toMatchObject({ path: 'contactIds', code: 'unknown_field' });
    expect((await patch({ version: 1 })).status).toBe(400);
    expect((await patch({ version: 7, title: 'x' })).status).toBe(409);
    expect((await patch({ version: 1, title: 'x' }, await api.token(tenant(), 'agent'))).status).toBe(404);
    expect((await api.call('POST', '/activities', { token: world.agent, body: { type: 'note', contactIds: [], cancelled: true } })).body.error.fields[0]).toMatchObject({ path: 'cancelled' });
    expect((await api.call('GET', `/activities/${appointment.id}`, { token: world.agent })).body).toMatchObject({ version: 1, endsAt: '2026-12-03T14:00:00Z' });
  });

  it('trigger automations on the change: a cancellation mails the prospect once, a move does not', async () => {
    const third = tenant();
    const world = await agencyWorld(api, third);
    const automation = await world.must('POST', '/automations', {
      name: 'Absage des Termins bestätigen',
      enabled: true,
      trigger: { event: 'ActivityUpdated', where: { changedFields: ['cancelled'], activity: { type: ['appointment'], cancelled: [true] } } },
      actions: [{ type: 'send_email', to: 'contact', subject: 'Ihr Termin am {{date activity.startsAt}} entfällt', body: '{{greeting contact}},\nder Termin entfällt.' }],
    }, world.admin);
    const contact = await world.must('POST', '/contacts', { lastName: 'Termin', email: `termin-${third}@example.com` });
    const appointment = await world.must('POST', '/activities', { type: 'appointment', category: 'Besichtigung', contactIds: [contact.id], startsAt: '2026-12-05T10:00:00Z', endsAt: '2026-12-05T11:00:00Z' });
    await world.must('PATCH', `/activities/${appointment.id}`, { version: 1, startsAt: '2026-12-05T11:00:00Z', endsAt: '2026-12-05T12:00:00Z' });
    await world.must('PATCH', `/activities/${appointment.id}`, { version: 2, cancelled: true });
    const [run] = await executionsOf(api, world.admin, automation.id);
    expect(run).toMatchObject({ status: 'succeeded', eventType: 'ActivityUpdated' });
    await api.stack.bus.idle();
    expect((await api.call('GET', `/automations/${automation.id}/executions`, { token: world.admin })).body.items).toHaveLength(1);
    const mails = await mailTo(api, `termin-${third}@example.com`);
    expect(mails.map((m) => m.subject)).toEqual(['Ihr Termin am 05.12.2026 entfällt']);
  });
});
