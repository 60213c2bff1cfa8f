import { describe, expect, it } from 'vitest';
import { agencyWorld, installPreset, mailTo } from '../support/automation-world.ts';
import { tenant } from '../support/dynamo.ts';
import { useTestApi, type TestApi } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Time in automations on the local stack: the three waiting presets fire at the right moment of a
 * controlled clock and not before; a moved viewing moves the reminder; a cancelled viewing, a
 * disabled automation and a deal that moved on end their waits as skipped; an admin cancels a
 * waiting run or resumes it now. The clock is moved, never slept on.
 */

let api: TestApi;
const t = tenant();
useTestApi(t, (session) => ({ api } = session));

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Moves the stack's clock (runs and schedules) forward; returns once the schedules due are done. */
async function advance(ms: number) {
  const reply = await api.call('POST', '/_local/clock', { body: { advanceMs: ms } });
  expect(reply.status).toBe(200);
  await api.stack.bus.idle();
}

const nowMs = () => api.stack.clock.now().getTime();
/** An instant `ms` from the stack's now, on a whole minute. */
const fromNow = (ms: number) => new Date(Math.floor((nowMs() + ms) / 60_000) * 60_000).toISOString();

async function runOf(world: { admin: string }, automationId: string, status: string) {
  return waitFor(async () => {
    const items = (await api.call('GET', `/automations/${automationId}/executions`, { token: world.admin })).body.items as any[];
    return items.find((e) => e.status === status);
  }, `a ${status} run of ${automationId}`);
}

/** A prospect of the test's own, so no two tests read each other's mail. */
async function prospect(world: Awaited<ReturnType<typeof agencyWorld>>, name: string) {
  return world.must('POST', '/contacts', { salutation: 'ms', lastName: name, email: `${name.toLowerCase()}-${world.domain}@example.com`, gdprConsent: true });
}

async function execution(world: { admin: string }, id: string) {
  return (await api.call('GET', `/executions/${id}`, { token: world.admin })).body;
}

describe('wait steps', () => {
  it('remind the prospect one day before the viewing, not before, once, and follow the viewing when it moves', async () => {
    const world = await agencyWorld(api, t);
    const person = await prospect(world, 'Reminder');
    const automation = await installPreset(api, world.admin, 'viewing-reminder');
    const startsAt = fromNow(3 * DAY);
    const viewing = await world.must('POST', '/activities', { type: 'appointment', category: 'Besichtigung', contactIds: [person.id], propertyId: world.property.id, startsAt, endsAt: new Date(Date.parse(startsAt) + HOUR).toISOString() });
    const waiting = await runOf(world, automation.id, 'waiting');
    expect(waiting.resumeAt).toBe(new Date(Date.parse(startsAt) - DAY).toISOString());
    // The dry run shows when the wait would end, and what the reminder would say.
    const dry = (await api.call('POST', `/automations/${automation.id}/test`, { token: world.admin, body: { entityId: viewing.id } })).body;
    expect(dry.actions[0]).toMatchObject({ type: 'wait', outcome: 'would run', preview: { resumeAt: waiting.resumeAt, waits: true } });
    expect(dry.actions[1]).toMatchObject({ type: 'send_email', outcome: 'would run' });
    expect(waiting.steps[0]).toMatchObject({ type: 'wait', status: 'waiting' });
    const listed = (await api.call('GET', '/executions?status=waiting', { token: world.admin })).body.items;
    expect(listed.map((e: any) => e.id)).toContain(waiting.id);

    // The viewing moves a day later: the reminder follows it.
    const movedStart = new Date(Date.parse(startsAt) + DAY).toISOString();
    await world.must('PATCH', `/activities/${viewing.id}`, { version: 1, startsAt: movedStart, endsAt: new Date(Date.parse(movedStart) + HOUR).toISOString() });
    await waitFor(async () => ((await execution(world, waiting.id)).resumeAt === new Date(Date.parse(movedStart) - DAY).toISOString() ? true : undefined), 'the reminder to follow the move');

    // Two days on, the old moment has passed: nothing is sent.
    await advance(2 * DAY + HOUR);
    expect(await mailTo(api, person.email)).toEqual([]);
    expect((await execution(world, waiting.id)).status).toBe('waiting');

    // Three days on, the new moment has come: the reminder goes out, once.
    await advance(DAY);
    const done = await waitFor(async () => {
      const e = await execution(world, waiting.id);
      return e.status === 'succeeded' ? e : undefined;
    }, 'the reminder run to succeed');
    expect(done.steps.map((s: any) => s.status)).toEqual(['succeeded', 'succeeded']);
    const mails = await mailTo(api, person.email);
    expect(mails.map((m) => m.subject)).toEqual([expect.stringContaining('Erinnerung: Ihre Besichtigung')]);
    await advance(DAY);
    expect(await mailTo(api, person.email)).toHaveLength(1);
  });

  it('end as skipped when the viewing is cancelled, and never remind a viewing booked for tomorrow morning', async () => {
    const other = tenant();
    const world = await agencyWorld(api, other);
    const person = await prospect(world, 'Cancelled');
    const automation = await installPreset(api, world.admin, 'viewing-reminder');
    const startsAt = fromNow(4 * DAY);
    const viewing = await world.must('POST', '/activities', { type: 'appointment', category: 'Besichtigung', contactIds: [person.id], startsAt, endsAt: new Date(Date.parse(startsAt) + HOUR).toISOString() });
    const waiting = await runOf(world, automation.id, 'waiting');
    await world.must('PATCH', `/activities/${viewing.id}`, { version: 1, cancelled: true });
    const skipped = await runOf(world, automation.id, 'skipped');
    expect(skipped).toMatchObject({ id: waiting.id, reason: 'The appointment was cancelled while the run waited' });
    expect(skipped.resumeAt).toBeUndefined();

    const soon = fromNow(10 * HOUR);
    await world.must('POST', '/activities', { type: 'appointment', category: 'Besichtigung', contactIds: [person.id], startsAt: soon, endsAt: new Date(Date.parse(soon) + HOUR).toISOString() });
    const tooLate = await waitFor(async () => {
      const items = (await api.call('GET', `/automations/${automation.id}/executions`, { token: world.admin })).body.items as any[];
      return items.find((e) => e.id !== waiting.id && e.status !== 'running');
    }, 'the second run');
    expect(tooLate).toMatchObject({ status: 'skipped', reason: expect.stringContaining('had already passed') });
    await advance(5 * DAY);
    expect(await mailTo(api, person.email)).toEqual([]);
  });

  it('ask for feedback two hours after the viewing ends, inside the send window', async () => {
    const other = tenant();
    const world = await agencyWorld(api, other);
    const person = await prospect(world, 'Feedback');
    const automation = await installPreset(api, world.admin, 'viewing-feedback');
    // A viewing ending at 16:00 Berlin on a Wednesday: feedback at 18:00, inside weekdays 08:00–20:00.
    const startsAt = '2027-03-10T14:00:00Z';
    api.stack.clock.set(new Date('2027-03-08T09:00:00Z'));
    await world.must('POST', '/activities', { type: 'appointment', category: 'Besichtigung', contactIds: [person.id], startsAt, endsAt: '2027-03-10T15:00:00Z' });
    const waiting = await runOf(world, automation.id, 'waiting');
    expect(waiting.resumeAt).toBe('2027-03-10T17:00:00.000Z');
    await advance(Date.parse('2027-03-10T16:59:00Z') - nowMs());
    expect(await mailTo(api, person.email)).toEqual([]);
    await advance(2 * 60_000);
    await runOf(world, automation.id, 'succeeded');
    expect((await mailTo(api, person.email)).map((m) => m.subject)).toEqual(['Wie hat Ihnen die Besichtigung gefallen?']);

    // A viewing ending Friday 19:00 Berlin: two hours later is 21:00, outside the window; Monday 08:00 it is.
    await world.must('POST', '/activities', { type: 'appointment', category: 'Besichtigung', contactIds: [person.id], startsAt: '2027-03-12T17:00:00Z', endsAt: '2027-03-12T18:00:00Z' });
    const late = await waitFor(async () => {
      const items = (await api.call('GET', `/automations/${automation.id}/executions?status=waiting`, { token: world.admin })).body.items as any[];
      return items[0];
    }, 'the second feedback run to wait');
    expect(late.resumeAt).toBe('2027-03-15T07:00:00.000Z');
  });

  it('give the agent a task after 14 days in Reserviert, only if the deal is still there', async () => {
    const other = tenant();
    const world = await agencyWorld(api, other);
    const person = await prospect(world, 'Reserved');
    const automation = await installPreset(api, world.admin, 'reserved-follow-up');
    const deal = await world.must('POST', '/deals', { contactId: person.id, propertyId: world.property.id, stage: 'Besichtigung' });
    const moved = await world.must('PATCH', `/deals/${deal.id}`, { version: deal.version, stage: 'Reserviert' });
    const first = await runOf(world, automation.id, 'waiting');
    // The deal moves on: the waiting run ends at once, without a task.
    await world.must('PATCH', `/deals/${deal.id}`, { version: moved.version, stage: 'Notartermin' });
    const skipped = await runOf(world, automation.id, 'skipped');
    expect(skipped).toMatchObject({ id: first.id, reason: expect.stringContaining('deal.stage is "Notartermin"') });

    const flat = await world.must('POST', '/properties', { unitId: 'MI-2026-015', title: 'Dachgeschoss', contactPersonId: world.anna.id });
    const second = await world.must('POST', '/deals', { contactId: person.id, propertyId: flat.id, stage: 'Besichtigung' });
    await world.must('PATCH', `/deals/${second.id}`, { version: second.version, stage: 'Reserviert' });
    const waiting = await waitFor(async () => {
      const items = (await api.call('GET', `/automations/${automation.id}/executions?status=waiting`, { token: world.admin })).body.items as any[];
      return items[0];
    }, 'the second deal to wait');
    await advance(13 * DAY);
    expect((await execution(world, waiting.id)).status).toBe('waiting');
    await advance(DAY + HOUR);
    const done = await waitFor(async () => {
      const e = await execution(world, waiting.id);
      return e.status === 'succeeded' ? e : undefined;
    }, 'the follow-up task');
    const tasks = (await api.call('GET', `/tasks?assigneeId=${world.property.contactPersonId}`, { token: world.agent })).body.items as any[];
    expect(tasks.filter((task) => task.causedBy?.executionId === done.id)).toHaveLength(1);
  });

  it('are cancelled with their automation when it is disabled, and by an admin one by one; resumed now on request', async () => {
    const other = tenant();
    const world = await agencyWorld(api, other);
    const automation = await world.must('POST', '/automations', {
      name: 'Drei Tage nach dem Anlegen nachfassen',
      enabled: true,
      trigger: { event: 'ContactCreated' },
      actions: [{ type: 'wait', for: 'P3D' }, { type: 'send_email', to: 'contact', subject: 'Noch Fragen?', body: '{{greeting contact}}, haben Sie noch Fragen?' }],
    }, world.admin);
    const contacts: Array<{ id: string; email: string }> = [];
    for (const name of ['Eins', 'Zwei', 'Drei']) contacts.push(await world.must('POST', '/contacts', { lastName: name, email: `${name.toLowerCase()}-${other}@example.com` }));
    const waiting = await waitFor(async () => {
      const items = (await api.call('GET', `/automations/${automation.id}/executions?status=waiting`, { token: world.admin })).body.items as any[];
      // Erika's ContactCreated (from the world) may reach the automation too: only the test's contacts count.
      const mine = items.filter((e) => contacts.some((c) => c.id === e.contactId));
      return mine.length === 3 ? mine : undefined;
    }, 'three waiting runs');
    const byContact = (id: string) => waiting.find((e) => e.contactId === id)!;

    const cancelled = await api.call('POST', `/executions/${byContact(contacts[0]!.id).id}/cancel`, { token: world.admin });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'skipped', reason: expect.stringContaining('Cancelled by an admin') });
    expect((await api.call('POST', `/executions/${byContact(contacts[0]!.id).id}/cancel`, { token: world.admin })).body.error.code).toBe('not_waiting');
    expect((await api.call('POST', `/executions/${byContact(contacts[0]!.id).id}/cancel`, { token: world.agent })).status).toBe(403);
    expect((await api.call('POST', `/executions/${byContact(contacts[1]!.id).id}/resume`, { token: await api.token(tenant(), 'admin') })).status).toBe(404);

    const resumed = await api.call('POST', `/executions/${byContact(contacts[1]!.id).id}/resume`, { token: world.admin });
    expect(resumed.status).toBe(200);
    expect(Date.parse(resumed.body.resumeAt) - nowMs()).toBeLessThanOrEqual(61_000);
    await advance(61_000);
    await waitFor(async () => ((await execution(world, byContact(contacts[1]!.id).id)).status === 'succeeded' ? true : undefined), 'the resumed run');
    expect(await mailTo(api, contacts[1]!.email)).toHaveLength(1);

    expect((await api.call('POST', `/automations/${automation.id}/disable`, { token: world.admin })).status).toBe(200);
    expect(await execution(world, byContact(contacts[2]!.id).id)).toMatchObject({ status: 'skipped', reason: 'The automation was disabled' });
    await advance(4 * DAY);
    expect(await mailTo(api, contacts[0]!.email)).toEqual([]);
    expect(await mailTo(api, contacts[2]!.email)).toEqual([]);
    expect(api.stack.scheduler.schedules().filter((s) => s.name.startsWith(byContact(contacts[2]!.id).id))).toEqual([]);
  });
});
