import { beforeAll, describe, expect, it } from 'vitest';
import { AutomationFields } from '#shared/automations/model';
import { createEngine } from '#shared/engine/engine';
import { executionIdOf } from '#shared/engine/execution-id';
import { createWaitControl } from '#shared/engine/wake';
import { scheduleNameOf, wakeInputOf } from '#shared/engine/wake-input';
import type { WakeInput, WakeScheduler } from '#shared/engine/wake-schedules';
import type { DynamoAutomationStore } from '#shared/stores/automation-store';
import type { CrmStores } from '#shared/stores/crm-stores';
import type { DynamoExecutionStore } from '#shared/stores/execution-store';
import { actionWorld, detailOf, OutboxMailer } from '../support/action-world.ts';
import { freshRunStores } from '../support/dynamo.ts';

/**
 * Waiting runs on DynamoDB Local, with the schedules kept in memory: a run parks at a wait, its
 * schedule wakes it, a change of its contact reconsiders it, an admin cancels or resumes it.
 */

let stores: CrmStores;
let automations: DynamoAutomationStore;
let executions: DynamoExecutionStore;

beforeAll(async () => {
  ({ stores, automations, executions } = await freshRunStores());
});

/** The schedules as Scheduler would keep them: by name, until deleted. */
class MemoryScheduler implements WakeScheduler {
  readonly armed = new Map<string, WakeInput>();
  readonly disarmed: string[] = [];
  async arm(wake: WakeInput) {
    const name = scheduleNameOf(wake);
    this.armed.set(name, wake);
    return name;
  }
  async disarm(schedule: string) {
    this.disarmed.push(schedule);
    this.armed.delete(schedule);
  }
}

const DAY = 86_400_000;
/** A whole hour ahead of the stores' (real) clock: the automations are enabled before the runs start. */
const START = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** An engine whose clock the test moves. */
function world() {
  const clock = { now: START };
  const scheduler = new MemoryScheduler();
  const mailer = new OutboxMailer();
  const deps = { stores, automations, executions, scheduler, now: () => new Date(clock.now), log: () => undefined };
  return { clock, scheduler, mailer, engine: createEngine({ ...deps, mailer }), control: createWaitControl(deps) };
}

const mailStep = { type: 'send_email', to: 'contact', subject: 'Wie geht es, {{contact.firstName}}?', body: 'Guten Tag' };

/** An automation as the API saves it, from the fields given (validated as the API does). */
async function automation(t: string, fields: { actions: unknown[] } & Record<string, unknown>) {
  return automations.create(t, AutomationFields.parse({ name: 'Nachfassen', trigger: { event: 'ContactCreated' }, enabled: true, ...fields }));
}

const created = (t: string, contact: unknown) => ({ source: 'crm.contacts', 'detail-type': 'ContactCreated', detail: detailOf(t, { contact }) });

describe('a run that waits', () => {
  it('parks at the wait with a schedule for its moment, and goes on when the schedule wakes it', async () => {
    const w = await actionWorld(stores);
    const { clock, scheduler, mailer, engine } = world();
    const auto = await automation(w.t, { actions: [{ type: 'wait', for: 'P1D' }, mailStep] });
    const id = executionIdOf(w.t, auto.id, 'k#0');

    expect(await engine.handle(created(w.t, w.contact))).toEqual([{ automationId: auto.id, executionId: id, status: 'waiting' }]);
    const waiting = await executions.require(w.t, id);
    const wake = { tenantId: w.t, executionId: id, step: 0, revision: 0, at: (START + DAY) / 1000 };
    expect(waiting).toMatchObject({
      status: 'waiting',
      resumeAt: iso(START + DAY),
      wait: { step: 0, revision: 0, schedule: scheduleNameOf(wake), anchor: { entity: 'contact', id: w.contact.id } },
      steps: [{ status: 'waiting', attempts: 1, result: { resumeAt: iso(START + DAY) } }, { status: 'pending' }],
    });
    expect(waiting.finishedAt).toBeUndefined();
    expect([...scheduler.armed.values()]).toEqual([wake]);
    expect(wakeInputOf(waiting)).toEqual(wake);
    expect(mailer.sent).toEqual([]);

    clock.now = START + DAY;
    expect(await engine.wake(wake)).toEqual({ automationId: auto.id, executionId: id, status: 'succeeded' });
    expect(mailer.sent.map((m) => m.subject)).toEqual(['Wie geht es, Max?']);
    const done = await executions.require(w.t, id);
    expect(done).toMatchObject({ status: 'succeeded', steps: [{ status: 'succeeded', result: { changed: [], waitedUntil: iso(START + DAY) } }, { status: 'succeeded' }] });
    expect(done.resumeAt).toBeUndefined();
    expect(done.wait).toBeUndefined();
    // The schedule that fired deletes itself.
    expect(scheduler.disarmed).toEqual([]);

    // The same schedule firing again finds nothing waiting.
    expect(await engine.wake(wake)).toBeUndefined();
    expect(mailer.sent).toHaveLength(1);
  });

  it('goes on at once when the moment has come, without a schedule', async () => {
    const w = await actionWorld(stores);
    const { scheduler, mailer, engine } = world();
    await automation(w.t, { actions: [{ type: 'wait', for: 'PT30S' }, mailStep] });

    expect(await engine.handle(created(w.t, w.contact))).toEqual([expect.objectContaining({ status: 'succeeded' })]);
    expect(scheduler.armed.size).toBe(0);
    expect(mailer.sent).toHaveLength(1);
  });

  it('fails the run when a wait must park and no scheduler is configured', async () => {
    const w = await actionWorld(stores);
    const engine = createEngine({ stores, automations, executions, mailer: new OutboxMailer(), now: () => new Date(START), log: () => undefined });
    const auto = await automation(w.t, { actions: [{ type: 'wait', for: 'P1D' }, mailStep] });

    expect(await engine.handle(created(w.t, w.contact))).toEqual([expect.objectContaining({ status: 'failed' })]);
    expect(await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'))).toMatchObject({ error: 'A wait needs a scheduler, and none is configured', retryable: false });
  });

  it('skips the run when the date the wait follows is empty', async () => {
    const w = await actionWorld(stores);
    const { engine } = world();
    const auto = await automation(w.t, { actions: [{ type: 'wait', until: { field: 'contact.birthday' } }, mailStep] });

    expect(await engine.handle(created(w.t, w.contact))).toEqual([expect.objectContaining({ status: 'skipped' })]);
    expect(await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'))).toMatchObject({ reason: 'The wait follows contact.birthday, which is empty', steps: [{ status: 'skipped' }, { status: 'pending' }] });
  });

  it('ignores the wake-up of a schedule the run no longer records, and one for another step', async () => {
    const w = await actionWorld(stores);
    const { clock, mailer, engine } = world();
    const auto = await automation(w.t, { actions: [{ type: 'wait', for: 'P1D' }, mailStep] });
    await engine.handle(created(w.t, w.contact));
    const id = executionIdOf(w.t, auto.id, 'k#0');
    clock.now = START + DAY;

    expect(await engine.wake({ tenantId: w.t, executionId: id, step: 0, revision: 1, at: (START + DAY) / 1000 })).toBeUndefined();
    expect(await engine.wake({ tenantId: w.t, executionId: id, step: 1, revision: 0, at: (START + DAY) / 1000 })).toBeUndefined();
    expect(await engine.wake({ tenantId: w.t, executionId: 'nope', step: 0, revision: 0, at: (START + DAY) / 1000 })).toBeUndefined();
    expect((await executions.require(w.t, id)).status).toBe('waiting');
    expect(mailer.sent).toEqual([]);
  });

  it('ends the run as skipped when it wakes to an automation disabled meanwhile', async () => {
    const w = await actionWorld(stores);
    const { clock, mailer, engine } = world();
    const auto = await automation(w.t, { actions: [{ type: 'wait', for: 'P1D' }, mailStep] });
    await engine.handle(created(w.t, w.contact));
    const waiting = await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'));
    await automations.setEnabled(w.t, auto.id, false);
    clock.now = START + DAY;

    expect(await engine.wake(wakeInputOf(waiting))).toMatchObject({ status: 'skipped' });
    expect(await executions.require(w.t, waiting.id)).toMatchObject({ status: 'skipped', reason: 'The automation was disabled while the run waited', steps: [{ status: 'skipped' }, { status: 'pending' }] });
    expect(mailer.sent).toEqual([]);
  });
});

describe('a change of the record a run waits on', () => {
  it('ends the waiting run at once when its contact is archived, and deletes its schedule', async () => {
    const w = await actionWorld(stores);
    const { scheduler, mailer, engine } = world();
    const auto = await automation(w.t, { actions: [{ type: 'wait', for: 'P1D' }, mailStep] });
    await engine.handle(created(w.t, w.contact));
    const id = executionIdOf(w.t, auto.id, 'k#0');
    const schedule = (await executions.require(w.t, id)).wait!.schedule;
    const archived = await stores.contacts.update(w.t, w.contact.id, { archived: true }, w.contact.version);

    const outcomes = await engine.handle({ source: 'crm.contacts', 'detail-type': 'ContactUpdated', detail: detailOf(w.t, { eventKey: 'k#1', contact: archived, previous: w.contact, changedFields: ['archived'] }) });

    expect(outcomes).toEqual([{ automationId: auto.id, executionId: id, status: 'skipped' }]);
    expect(await executions.require(w.t, id)).toMatchObject({ status: 'skipped', reason: 'The contact was archived while the run waited' });
    expect(scheduler.disarmed).toEqual([schedule]);
    expect(mailer.sent).toEqual([]);
  });

  it('leaves waiting runs alone when a field no wait depends on changes', async () => {
    const w = await actionWorld(stores);
    const { engine } = world();
    const auto = await automation(w.t, { actions: [{ type: 'wait', for: 'P1D' }, mailStep] });
    await engine.handle(created(w.t, w.contact));
    const archived = await stores.contacts.update(w.t, w.contact.id, { archived: true }, w.contact.version);

    expect(await engine.handle({ source: 'crm.contacts', 'detail-type': 'ContactUpdated', detail: detailOf(w.t, { eventKey: 'k#1', contact: archived, previous: w.contact, changedFields: ['phone'] }) })).toEqual([]);
    expect((await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'))).status).toBe('waiting');
  });
});

describe('an admin and a waiting run', () => {
  it('cancels it as skipped with the reason and deletes its schedule; a second cancel is refused', async () => {
    const w = await actionWorld(stores);
    const { scheduler, engine, control } = world();
    const auto = await automation(w.t, { actions: [{ type: 'wait', for: 'P1D' }, mailStep] });
    await engine.handle(created(w.t, w.contact));
    const id = executionIdOf(w.t, auto.id, 'k#0');
    const schedule = (await executions.require(w.t, id)).wait!.schedule;

    expect(await control.cancel(w.t, id, 'Cancelled by an admin')).toMatchObject({ status: 'skipped', reason: 'Cancelled by an admin' });
    expect(scheduler.disarmed).toEqual([schedule]);
    await expect(control.cancel(w.t, id, 'again')).rejects.toThrow(`Execution ${id} is skipped, not waiting`);
    await expect(control.cancel(w.t, 'nope', 'again')).rejects.toThrow('No execution with id nope');
  });

  it('resumes it within the next minute with a new schedule, and the run goes on when that one fires', async () => {
    const w = await actionWorld(stores);
    const { clock, scheduler, mailer, engine, control } = world();
    const auto = await automation(w.t, { actions: [{ type: 'wait', for: 'P7D' }, mailStep] });
    await engine.handle(created(w.t, w.contact));
    const id = executionIdOf(w.t, auto.id, 'k#0');
    const first = (await executions.require(w.t, id)).wait!.schedule;
    clock.now = START + 10_000;

    const resumed = await control.resumeNow(w.t, id);

    expect(resumed).toMatchObject({ status: 'waiting', resumeAt: iso(START + 60_000), wait: { step: 0, revision: 1, now: true } });
    expect(scheduler.disarmed).toEqual([first]);
    clock.now = START + 60_000;
    expect(await engine.wake(wakeInputOf(resumed))).toMatchObject({ status: 'succeeded' });
    expect(mailer.sent).toHaveLength(1);
  });

  it('cancels the waiting runs of an automation switched off, and reconsiders them when only a wait changed', async () => {
    const w = await actionWorld(stores);
    const { scheduler, engine, control } = world();
    const auto = await automation(w.t, { actions: [{ type: 'wait', for: 'P1D' }, mailStep] });
    await engine.handle(created(w.t, w.contact));
    const id = executionIdOf(w.t, auto.id, 'k#0');

    // The API saves the edit, then hands the waits the definitions before and after.
    const { id: _id, tenantId: _t, version: _v, createdAt: _c, updatedAt: _u, runCount: _r, failureCount: _f, enabledAt: _e, ...definition } = auto;
    const longer = await automations.replace(w.t, auto.id, { ...definition, actions: [{ type: 'wait', for: 'P2D', withinSendWindow: false, ifPast: 'continue' }, auto.actions[1]!] }, auto.version, auto);
    await control.afterEdit(auto, longer);
    expect(await executions.require(w.t, id)).toMatchObject({ status: 'waiting', resumeAt: iso(START + 2 * DAY), wait: { revision: 1 } });
    expect(scheduler.armed.size).toBe(1);

    await control.afterEdit(longer, { ...longer, enabled: false });
    expect(await executions.require(w.t, id)).toMatchObject({ status: 'skipped', reason: 'The automation was disabled' });
    expect(scheduler.armed.size).toBe(0);
  });
});
