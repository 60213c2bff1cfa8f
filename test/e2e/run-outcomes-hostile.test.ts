import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import type { TestApi } from '../support/local-api.ts';
import { definition, faults, hostileWorld, resumedRun, task, useFaultyApi } from '../support/hostile-world.ts';
import { executionsOf, mailTo } from '../support/automation-world.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Runs under faults, through the local stack: transient and ambiguous send failures, interrupted
 * attempts, chains of e-mail activities, stored patterns that no longer compile. Each test states the
 * honest outcome and the mail that must (not) go out.
 */

let api: TestApi;
useFaultyApi((started) => (api = started));
const world = () => hostileWorld(api);

describe('honest outcomes and counters', () => {
  const publishAgain = async (activityId: string) => {
    const original = await waitFor(() => api.stack.bus.recent().find((d) => (d.event.detail.activity as { id?: string } | undefined)?.id === activityId)?.event, 'the ActivityCreated event');
    await new EventBridgeClient({ endpoint: api.stack.bus.url }).send(
      new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: original.source, DetailType: original['detail-type'], Detail: JSON.stringify(original.detail) }] }),
    );
  };
  const appointment = (w: Awaited<ReturnType<typeof world>>, category: string, contactId = w.contact.id) =>
    w.must('POST', '/activities', { type: 'appointment', category, contactIds: [contactId], propertyId: w.property.id, startsAt: '2026-12-04T09:00:00Z', endsAt: '2026-12-04T09:30:00Z' });

  it('counts a run that succeeded after a transient failure once, and not as a failure', async () => {
    const w = await world();
    const automation = (await w.post(definition('ActivityCreated', { activity: { type: ['appointment'], category: ['Beratung'] } }, [{ type: 'send_email', to: 'contact', subject: 'Termin', body: 'Bis bald' }], true))).body;
    faults.throttle.set(w.contact.email, 1);
    await appointment(w, 'Beratung');
    const execution = await waitFor(async () => (await executionsOf(api, w.admin, automation.id)).find((e) => e.status === 'succeeded'), 'the succeeded run');
    expect(execution.attempts).toBe(2);
    await api.stack.bus.idle();
    expect(await w.get(automation.id)).toMatchObject({ runCount: 1, failureCount: 0, lastRunStatus: 'succeeded' });
  });

  it('never reports a run as failed ("nothing changed") when a step changed something before a transient error', async () => {
    const w = await world();
    const automation = (
      await w.post(definition('ActivityCreated', { activity: { type: ['appointment'], category: ['Bewertung'] } }, [task, { type: 'send_email', to: 'contact', subject: 'Termin', body: 'Bis bald' }], true))
    ).body;
    faults.throttle.set(w.contact.email, 10);
    await appointment(w, 'Bewertung');
    const execution = await waitFor(async () => {
      const items = (await w.call('GET', `/automations/${automation.id}/executions`)).body.items as any[];
      return items.find((e) => e.attempts >= 3 && e.steps[1].status === 'failed');
    }, 'the third attempt');
    await api.stack.bus.idle();
    faults.throttle.delete(w.contact.email);
    expect(execution.steps[0]).toMatchObject({ status: 'succeeded', result: { taskId: expect.any(String) } });
    const final = (await w.call('GET', `/executions/${execution.id}`)).body;
    expect(final.status).not.toBe('failed');
  });

  it('keeps a run uncertain when a step after the interrupted send is skipped', async () => {
    const w = await world();
    const orphan = await w.must('POST', '/contacts', { lastName: 'Ohne Betreuer', email: `orphan-${w.t}@example.com` });
    const automation = (
      await w.post(
        definition('ActivityCreated', { activity: { type: ['appointment'], category: ['Übergabe'] } }, [{ type: 'send_email', to: 'contact', subject: 'Übergabe', body: 'Bis bald' }, { type: 'create_task', assignee: 'contact_owner', title: 'Nachfassen' }], true),
      )
    ).body;
    faults.hang.add(orphan.email);
    let execution: any;
    try {
      const activity = await appointment(w, 'Übergabe', orphan.id);
      await waitFor(async () => {
        const items = (await w.call('GET', `/automations/${automation.id}/executions`)).body.items as any[];
        return items.find((e) => e.steps[0].status === 'started');
      }, 'the send to start');
      await publishAgain(activity.id);
      execution = await resumedRun(w, automation.id);
    } finally {
      // The crashed attempt ends, so the bus can settle for the tests after this one.
      for (const release of faults.release.splice(0)) release(new Error('the crashed attempt ends'));
    }
    expect(execution.steps.map((s: { status: string }) => s.status)).toEqual(['uncertain', 'skipped']);
    expect(execution.status).toBe('uncertain');
    expect((await w.get(automation.id)).uncertainCount).toBe(1);
  });

  it('reports a resumed run as partial when the interrupted attempt had already made its write', async () => {
    const w = await world();
    const property = await w.must('POST', '/properties', { unitId: `A-${w.t}`, title: 'Dachgeschoss', contactPersonId: w.person.id });
    const automation = (
      await w.post(definition('ActivityCreated', { activity: { type: ['note'], category: ['Objekt archivieren'] } }, [{ type: 'update_property', set: { archived: true } }, { type: 'send_email', to: 'contact', subject: 'Archiviert', body: 'Das Objekt ist vergeben.' }], true))
    ).body;
    const executions = api.stack.executions;
    const original = executions.checkpoint.bind(executions);
    let crash: ((error: Error) => void) | undefined;
    // The runner dies after the property was archived, before the send step is recorded as started.
    executions.checkpoint = (execution) =>
      execution.automationId === automation.id && execution.attempts === 1 && execution.steps[1]?.status === 'started' ? new Promise((_, reject) => (crash = reject)) : original(execution);
    let execution: any;
    try {
      const activity = await w.must('POST', '/activities', { type: 'note', category: 'Objekt archivieren', contactIds: [w.contact.id], propertyId: property.id });
      await waitFor(() => crash, 'the runner to die after the write');
      await w.call('DELETE', `/contacts/${w.contact.id}`, undefined, w.agent); // meanwhile the contact is archived
      await publishAgain(activity.id);
      execution = await resumedRun(w, automation.id);
    } finally {
      executions.checkpoint = original;
      crash?.(new Error('the dead runner is gone'));
    }
    expect((await w.call('GET', `/properties/${property.id}`, undefined, w.agent)).body.archived).toBe(true);
    expect(execution.steps.map((step: { status: string }) => step.status)).toEqual(['succeeded', 'skipped']);
    expect(execution.status).toBe('partial');
  });

  it('never sends an e-mail twice when SES took it and the answer timed out', async () => {
    const w = await world();
    const automation = (await w.post(definition('ActivityCreated', { activity: { type: ['appointment'], category: ['Notartermin'] } }, [{ type: 'send_email', to: 'contact', subject: 'Notartermin', body: 'Bis bald' }], true))).body;
    faults.timeoutAfterSend.add(w.contact.email);
    await appointment(w, 'Notartermin');
    await executionsOf(api, w.admin, automation.id);
    await api.stack.bus.idle();
    expect(await mailTo(api, w.contact.email)).toHaveLength(1);
  });

  it('sends one e-mail per automation for one activity, although each e-mail is recorded as an activity', async () => {
    const w = await world();
    const toOwner = (await w.post(definition('ActivityCreated', undefined, [{ type: 'send_email', to: 'contact_owner', subject: 'Neue Aktivität', body: 'Bei {{contact.lastName}}' }], true))).body;
    const toPerson = (await w.post(definition('ActivityCreated', undefined, [{ type: 'send_email', to: 'property_contact_person', subject: 'Neue Aktivität', body: 'Bei {{contact.lastName}}' }], true))).body;
    await w.must('POST', '/activities', { type: 'note', category: 'Allgemein', contactIds: [w.contact.id], propertyId: w.property.id });
    await executionsOf(api, w.admin, toOwner.id);
    await executionsOf(api, w.admin, toPerson.id);
    await new Promise((r) => setTimeout(r, 1_500));
    await api.stack.bus.idle();
    expect(await mailTo(api, w.owner.email)).toHaveLength(1);
    expect(await mailTo(api, w.person.email)).toHaveLength(1);
  });
});
