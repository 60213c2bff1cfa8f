import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { beforeAll, describe, expect, it } from 'vitest';
import { scheduleNameOf, wakeInputOf } from '#shared/engine/wake-input';
import { agencyWorld, installPreset, mailTo } from '../support/automation-world.ts';
import { tenant } from '../support/dynamo.ts';
import { useTestApi, type Reply, type TestApi } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';
import { faults, faulty } from '../support/hostile-world.ts';

/**
 * Hostile and mistaken use of wait steps through the local stack's API: authoring that must be
 * refused (400, the failing field and a code, fast, never 500), other tenants and roles, a run
 * woken twice, woken stale, redelivered, cancelled late, resumed twice; automations disabled,
 * re-enabled, edited and deleted while runs wait; viewings moved, moved quickly, moved into the
 * past; the clock moved back and jumped far ahead; the send window; many waiting runs at once.
 * Each test asserts what a serious CRM must do. The clock is moved, never slept on.
 */

let api: TestApi;
const home = tenant();
/** Sends to these recipients take this long (ms): a send under way that another invocation can find. */
const slow = new Map<string, number>();
// The mailer plays faults by recipient (throttling once, a timeout after the send: see hostile-world.ts) and slow sends.
useTestApi(home, (session) => ({ api } = session), {
  wrapMailer: (base) => {
    const inner = faulty(base);
    return {
      send: async (m) => {
        if (slow.has(m.to)) await new Promise((r) => setTimeout(r, slow.get(m.to)));
        return inner.send(m);
      },
    };
  },
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type World = Awaited<ReturnType<typeof agencyWorld>>;

const nowMs = () => api.stack.clock.now().getTime();
/** An instant `ms` from the stack's now, on a whole minute. */
const fromNow = (ms: number) => new Date(Math.floor((nowMs() + ms) / MINUTE) * MINUTE).toISOString();
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** Moves the stack's clock forward; returns once the schedules due are done and the bus is idle. */
async function advance(ms: number) {
  const reply = await api.call('POST', '/_local/clock', { body: { advanceMs: ms } });
  expect(reply.status).toBe(200);
  await api.stack.bus.idle();
}

async function setClock(iso: string) {
  const reply = await api.call('POST', '/_local/clock', { body: { set: iso } });
  expect(reply.status).toBe(200);
  await api.stack.bus.idle();
}

const fieldsOf = (reply: Reply) => (reply.body?.error?.fields ?? []) as Array<{ path: string; code: string; message?: string; params?: Record<string, unknown> }>;

/** A 400 naming `path` with `code` (any code when none is given), answered within `ms`. */
function refused(reply: Reply & { ms?: number }, path: string, code?: string) {
  expect(reply.status, JSON.stringify(reply.body).slice(0, 1_500)).toBe(400);
  expect(fieldsOf(reply), JSON.stringify(reply.body).slice(0, 1_500)).toEqual(expect.arrayContaining([expect.objectContaining({ path, ...(code ? { code } : {}) })]));
  for (const field of fieldsOf(reply)) expect(typeof field.code).toBe('string');
}

async function timed(call: Promise<Reply>): Promise<Reply & { ms: number }> {
  const started = Date.now();
  const reply = await call;
  return { ...reply, ms: Date.now() - started };
}

async function execution(world: { admin: string }, id: string) {
  return (await api.call('GET', `/executions/${id}`, { token: world.admin })).body;
}

/** The run of the automation in `status` (and matching `where`), once there is one. */
async function runOf(world: { admin: string }, automationId: string, status: string, where: (e: any) => boolean = () => true, timeoutMs = 10_000) {
  return waitFor(async () => {
    const items = (await api.call('GET', `/automations/${automationId}/executions?limit=100`, { token: world.admin })).body.items as any[];
    return items.find((e) => e.status === status && where(e));
  }, `a ${status} run of ${automationId}`, timeoutMs);
}

async function until(world: { admin: string }, id: string, test: (e: any) => boolean, what: string, timeoutMs = 10_000) {
  return waitFor(async () => {
    const e = await execution(world, id);
    return test(e) ? e : undefined;
  }, what, timeoutMs);
}

const schedulesOf = (executionId: string) => api.stack.scheduler.schedules().filter((s) => s.name.startsWith(`${executionId}-`));

/** A prospect of the test's own address. */
async function prospect(world: World, name: string) {
  return world.must('POST', '/contacts', { salutation: 'ms', lastName: name, email: `${name.toLowerCase()}-${world.domain}@example.com`, gdprConsent: true });
}

async function viewing(world: World, contactId: string, startsAt: string, extra: Record<string, unknown> = {}) {
  return world.must('POST', '/activities', { type: 'appointment', category: 'Besichtigung', contactIds: [contactId], propertyId: world.property.id, startsAt, endsAt: plus(startsAt, HOUR), ...extra });
}

const mail = (subject: string, body = '{{greeting contact}}, eine Nachricht.') => ({ type: 'send_email', to: 'contact', subject, body });

/** An enabled automation on ContactCreated: the given steps. */
async function onContactCreated(world: World, name: string, actions: unknown[]) {
  return world.must('POST', '/automations', { name, enabled: true, trigger: { event: 'ContactCreated', where: { contact: { lastName: [{ prefix: name }] } } }, actions }, world.admin);
}

// -------------------------------------------------------------------------------------------------

/** The wake-up of a waiting run's current schedule, as Scheduler delivers it. */
const wakeOf = (e: any) => wakeInputOf(e);

describe('authoring a wait: refused with the field and a code, fast, never a 500', () => {
  let world: World;
  const post = (actions: unknown[], event = 'ContactCreated', where?: unknown) =>
    timed(api.call('POST', '/automations', { token: world.admin, body: { name: 'Warten', enabled: false, trigger: { event, ...(where ? { where } : {}) }, actions } }));
  const tail = mail('Hallo');

  beforeAll(async () => {
    world = await agencyWorld(api, tenant());
  });

  it('needs exactly one of "for" and "until"', async () => {
    refused(await post([{ type: 'wait', for: 'P1D', until: { field: 'contact.createdAt' } }, tail]), 'actions.0', 'wait_needs_one');
    refused(await post([{ type: 'wait' }, tail]), 'actions.0', 'wait_needs_one');
    refused(await post([{ type: 'wait', withinSendWindow: true }, tail]), 'actions.0', 'wait_needs_one');
  });

  it('refuses absurd, negative, zero, lower-case and over-long durations', async () => {
    for (const value of ['P999999Y', 'P2Y', 'P1Y1D', 'P53W', 'P13M', 'PT525601M', 'P366D']) refused(await post([{ type: 'wait', for: value }, tail]), 'actions.0.for', 'invalid_duration');
    for (const value of ['PT0S', 'P0D', '-PT0S', 'PT59S', 'PT0M']) refused(await post([{ type: 'wait', for: value }, tail]), 'actions.0.for', 'invalid_duration');
    for (const value of ['-P1D', '-PT1H']) refused(await post([{ type: 'wait', for: value }, tail]), 'actions.0.for', 'invalid_duration');
    for (const value of ['p1d', 'pt2h', 'P1.5D', 'P1D2H', 'P', 'PT', '1D', 'P-1D', 'P1H', ' P1D', 'P1D ', 'P1DT', 'PT1H1D', 'P١D']) {
      refused(await post([{ type: 'wait', for: value }, tail]), 'actions.0.for');
    }
    const huge = await post([{ type: 'wait', for: `P${'9'.repeat(10_000)}D` }, tail]);
    refused(huge, 'actions.0.for');
    expect(huge.ms).toBeLessThan(2_000);
    expect(JSON.stringify(huge.body).length).toBeLessThan(5_000);
    refused(await post([{ type: 'wait', for: 1 }, tail]), 'actions.0.for');
    refused(await post([{ type: 'wait', for: null }, tail]), 'actions.0.for');
  });

  it('tells "P1M" (a month, accepted) from "PT1M" (a minute, accepted), and hints at "PT30M" for "P30M"', async () => {
    expect((await post([{ type: 'wait', for: 'P1M' }, tail])).status).toBe(201);
    expect((await post([{ type: 'wait', for: 'PT1M' }, tail])).status).toBe(201);
    expect((await post([{ type: 'wait', for: 'P1Y' }, tail])).status).toBe(201);
    const months = await post([{ type: 'wait', for: 'P30M' }, tail]);
    refused(months, 'actions.0.for', 'invalid_duration');
    expect(fieldsOf(months)[0]!.message).toContain('PT30M');
    const lower = await post([{ type: 'wait', for: 'p3d' }, tail]);
    expect(fieldsOf(lower)[0]!.message).toContain('"P3D"');
  });

  it('refuses an until field that does not exist, is not a date, or belongs to an entity the trigger does not provide', async () => {
    refused(await post([{ type: 'wait', until: { field: 'contact.birthdate' } }, tail]), 'actions.0.until.field', 'unknown_path');
    refused(await post([{ type: 'wait', until: { field: 'contact.lastName' } }, tail]), 'actions.0.until.field', 'not_a_date');
    refused(await post([{ type: 'wait', until: { field: 'contact' } }, tail]), 'actions.0.until.field', 'not_a_date');
    refused(await post([{ type: 'wait', until: { field: 'activity.startsAt' } }, tail]), 'actions.0.until.field', 'unknown_path');
    refused(await post([{ type: 'wait', until: { field: 'deal.createdAt' } }, tail]), 'actions.0.until.field', 'unknown_path');
    refused(await post([{ type: 'wait', until: { field: 'event.occurredAt' } }, tail]), 'actions.0.until.field', 'unknown_path');
    for (const field of ['__proto__', 'contact.__proto__', 'constructor', 'contact.constructor.name', 'contact.createdAt.length', '.', 'contact..createdAt', '*']) {
      refused(await post([{ type: 'wait', until: { field } }, tail]), 'actions.0.until.field');
    }
    refused(await post([{ type: 'wait', until: { field: 'x'.repeat(10_000) } }, tail]), 'actions.0.until.field');
    refused(await post([{ type: 'wait', until: {} }, tail]), 'actions.0.until.field');
    refused(await post([{ type: 'wait', until: 'activity.startsAt' }, tail], 'ActivityCreated'), 'actions.0.until');
    refused(await post([{ type: 'wait', until: { field: 'activity.startsAt', offset: 'P1D', extra: true } }, tail], 'ActivityCreated'), 'actions.0.until.extra', 'unknown_field');
  });

  it('refuses an offset over a year either way, and one that is not a duration', async () => {
    for (const offset of ['P2Y', '-P2Y', '-P1Y1D', 'P366D', '-P999999Y']) {
      refused(await post([{ type: 'wait', until: { field: 'activity.startsAt', offset } }, tail], 'ActivityCreated'), 'actions.0.until.offset', 'invalid_duration');
    }
    for (const offset of ['-1D', 'morgen', '', 'p1d']) refused(await post([{ type: 'wait', until: { field: 'activity.startsAt', offset } }, tail], 'ActivityCreated'), 'actions.0.until.offset');
    expect((await post([{ type: 'wait', until: { field: 'activity.startsAt', offset: '-P1Y' } }, tail], 'ActivityCreated')).status).toBe(201);
  });

  it('refuses ifPast and withinSendWindow values that are not theirs, and unknown keys on a wait', async () => {
    refused(await post([{ type: 'wait', for: 'P1D', ifPast: 'later' }, tail]), 'actions.0.ifPast');
    refused(await post([{ type: 'wait', for: 'P1D', withinSendWindow: 'yes' }, tail]), 'actions.0.withinSendWindow');
    refused(await post([{ type: 'wait', for: 'P1D', at: '2027-01-01T00:00:00Z' }, tail]), 'actions.0.at', 'unknown_field');
  });

  it('refuses a while condition with unknown fields, wrong operand types, values outside the pick-lists, or records the trigger lacks', async () => {
    refused(await post([{ type: 'wait', for: 'P1D', while: { contact: { stauts: ['Interessent'] } } }, tail]), 'actions.0.while.contact.stauts', 'unknown_path');
    refused(await post([{ type: 'wait', for: 'P1D', while: { deal: { stage: ['Reserviert'] } } }, tail]), 'actions.0.while.deal');
    refused(await post([{ type: 'wait', for: 'P1D', while: { contact: { status: ['Millionär'] } } }, tail]), 'actions.0.while.contact.status', 'not_in_pick_list');
    refused(await post([{ type: 'wait', for: 'P1D', while: { deal: { stage: ['Reservirt'] } } }, tail], 'DealStageChanged'), 'actions.0.while.deal.stage', 'not_in_pick_list');
    refused(await post([{ type: 'wait', for: 'P1D', while: { contact: { status: [{ numeric: ['>', 3] }] } } }, tail]), 'actions.0.while.contact.status.0', 'operand_type');
    refused(await post([{ type: 'wait', for: 'P1D', while: { contact: { newsletter: ['ja'] } } }, tail]), 'actions.0.while.contact.newsletter.0');
    refused(await post([{ type: 'wait', for: 'P1D', while: { contact: 'Interessent' } }, tail]), 'actions.0.while', 'invalid_pattern');
    refused(await post([{ type: 'wait', for: 'P1D', while: { contact: { status: [] } } }, tail]), 'actions.0.while', 'invalid_pattern');
    refused(await post([{ type: 'wait', for: 'P1D', while: ['x'] }, tail]), 'actions.0.while');
  });

  it('refuses a while condition on a pipeline the tenant does not have, as trigger.where does', async () => {
    // The same condition in trigger.where is refused; in a wait's while it would never hold, so every run would be skipped.
    refused(await post([{ type: 'wait', for: 'P1D', while: { deal: { pipelineId: ['vermitung'], stage: ['Reserviert'] } } }, tail], 'DealStageChanged'), 'actions.0.while.deal.pipelineId', 'not_in_pick_list');
  });

  it('refuses a while nested 30 or 3,000 deep, 1,001+ $or combinations, a wildcard bomb, fast', async () => {
    let deep30: any = ['x'];
    for (let i = 0; i < 30; i++) deep30 = { contact: deep30 };
    refused(await post([{ type: 'wait', for: 'P1D', while: deep30 }, tail]), 'actions.0.while', 'invalid_pattern');
    const deep3000 = await timed(api.call('POST', '/automations', {
      token: world.admin,
      raw: `{"name":"Tief","trigger":{"event":"ContactCreated"},"actions":[{"type":"wait","for":"P1D","while":${'{"a":'.repeat(3_000)}["x"]${'}'.repeat(3_000)}},${JSON.stringify(tail)}]}`,
      headers: { 'content-type': 'application/json' },
    }));
    refused(deep3000, '(body)', 'too_deep');
    expect(deep3000.ms).toBeLessThan(2_000);

    const or = (n: number, field: string) => ({ $or: Array.from({ length: n }, (_, i) => ({ contact: { [field]: [`v${i}`] } })) });
    const tooMany = await post([{ type: 'wait', for: 'P1D', while: { ...or(32, 'lastName'), contact: { $or: Array.from({ length: 32 }, (_, i) => ({ firstName: [`f${i}`] })) } } }, tail]);
    refused(tooMany, 'actions.0.while', 'invalid_pattern');
    expect(tooMany.ms).toBeLessThan(2_000);
    const bomb = await post([{ type: 'wait', for: 'P1D', while: { contact: { lastName: [{ wildcard: '*a*a*a*a*a*a*a*a*' }] } } }, tail]);
    refused(bomb, 'actions.0.while', 'invalid_pattern');
    const big = await post([{ type: 'wait', for: 'P1D', while: { contact: { lastName: Array.from({ length: 400 }, (_, i) => `name-${i}`) } } }, tail]);
    refused(big, 'actions.0.while', 'invalid_pattern');
  });

  it('refuses a wait as the last step, and an automation of waits only: they do nothing but hold a schedule', async () => {
    refused(await post([mail('Hallo'), { type: 'wait', for: 'P1D' }]), 'actions.1');
    refused(await post([{ type: 'wait', for: 'P1D' }]), 'actions.0');
    refused(await post(Array.from({ length: 10 }, () => ({ type: 'wait', for: 'P1D' }))), 'actions.9');
  });

  it('refuses waits in a row that add up to more than the one year a wait may last', async () => {
    const reply = await post([...Array.from({ length: 9 }, () => ({ type: 'wait', for: 'P1Y' })), tail]);
    expect(reply.status, JSON.stringify(reply.body).slice(0, 500)).toBe(400);
    expect(fieldsOf(reply).length).toBeGreaterThan(0);
  });

  it('names the preset parameter, not the generated step, when a preset is installed with a bad duration', async () => {
    for (const [preset, params, path] of [
      ['viewing-reminder', { before: 'P2Y' }, 'params.before'],
      ['viewing-reminder', { before: 'einen Tag' }, 'params.before'],
      ['viewing-feedback', { after: 'p2h' }, 'params.after'],
      ['reserved-follow-up', { after: '-P14D' }, 'params.after'],
      ['reserved-follow-up', { after: 'PT0S' }, 'params.after'],
    ] as const) {
      const reply = await timed(api.call('POST', '/automations', { token: world.admin, body: { preset, params } }));
      expect(reply.status, `${preset} ${JSON.stringify(params)}: ${JSON.stringify(reply.body)}`).toBe(400);
      expect(fieldsOf(reply).map((f) => f.path), `${preset} ${JSON.stringify(params)}: ${JSON.stringify(reply.body)}`).toContain(path);
    }
  });

  it('applies the same checks on PUT and on enable as on POST', async () => {
    const created = await world.must('POST', '/automations', { name: 'Später', enabled: false, trigger: { event: 'ContactCreated' }, actions: [{ type: 'wait', for: 'P1D' }, tail] }, world.admin);
    const put = await api.call('PUT', `/automations/${created.id}`, { token: world.admin, body: { ...created, actions: [{ type: 'wait', for: '-P1D' }, tail] } });
    refused(put, 'actions.0.for', 'invalid_duration');
    const put2 = await api.call('PUT', `/automations/${created.id}`, { token: world.admin, body: { ...created, actions: [{ type: 'wait', until: { field: 'activity.startsAt' } }, tail] } });
    refused(put2, 'actions.0.until.field', 'unknown_path');
  });
});

// -------------------------------------------------------------------------------------------------

describe('other tenants, odd ids and roles', () => {
  it('answers 404 for another tenant\'s run, a 3,000-character id and ids with ../, 403 for an agent, 401 without a token; the run keeps waiting', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Fremd', [{ type: 'wait', for: 'P3D' }, mail('Fremd')]);
    const person = await prospect(world, 'Fremdling');
    const waiting = await runOf(world, automation.id, 'waiting');
    const intruder = await api.token(tenant(), 'admin');
    for (const action of ['cancel', 'resume']) {
      const other = await api.call('POST', `/executions/${waiting.id}/${action}`, { token: intruder });
      expect(other.status, JSON.stringify(other.body)).toBe(404);
      expect(other.body.error.code).toBe('not_found');
      expect((await api.call('POST', `/executions/${waiting.id}/${action}`, { token: world.agent })).status).toBe(403);
      expect((await api.call('POST', `/executions/${waiting.id}/${action}`)).status).toBe(401);
      for (const id of ['x'.repeat(3_000), '..%2F..%2Fautomations', '%2e%2e%2fsettings', `${waiting.id}%2F..`, `${waiting.id}%00`, 'x%20y', '%F0%9F%98%80']) {
        const odd = await api.call('POST', `/executions/${id}/${action}`, { token: world.admin });
        expect(odd.status, `${action} ${id.slice(0, 40)}: ${JSON.stringify(odd.body).slice(0, 300)}`).toBe(404);
        expect(JSON.stringify(odd.body).length).toBeLessThan(1_000);
      }
    }
    expect((await api.call('GET', `/executions/${waiting.id}`, { token: intruder })).status).toBe(404);
    // A wake-up naming the run under another tenant does nothing.
    expect(await api.stack.engine.wake({ ...wakeOf(waiting), tenantId: tenant() })).toBeUndefined();
    const still = await execution(world, waiting.id);
    expect(still).toMatchObject({ status: 'waiting', resumeAt: waiting.resumeAt, version: waiting.version });
    expect(schedulesOf(waiting.id)).toHaveLength(1);
    expect(await mailTo(api, person.email)).toEqual([]);
  });
});

// -------------------------------------------------------------------------------------------------

describe('runs that wait, under fire', () => {
  it('a redelivered event does not wake, restart or duplicate a waiting run', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Echo', [{ type: 'wait', for: 'P2D' }, mail('Echo')]);
    const person = await prospect(world, 'Echo');
    const waiting = await runOf(world, automation.id, 'waiting');
    const delivered = api.stack.bus.recent().find((d) => d.event['detail-type'] === 'ContactCreated' && (d.event.detail as any).contact?.id === person.id);
    expect(delivered).toBeDefined();
    for (let i = 0; i < 3; i++) {
      const outcomes = await api.stack.engine.handle(delivered!.event as any);
      expect(outcomes.filter((o) => o.automationId === automation.id)).toEqual([expect.objectContaining({ status: 'duplicate' })]);
    }
    const after = await execution(world, waiting.id);
    expect(after).toMatchObject({ status: 'waiting', resumeAt: waiting.resumeAt, version: waiting.version, attempts: waiting.attempts });
    expect(schedulesOf(waiting.id)).toHaveLength(1);
    await advance(2 * DAY + HOUR);
    await until(world, waiting.id, (e) => e.status === 'succeeded', 'the run to succeed');
    expect(await mailTo(api, person.email)).toHaveLength(1);
  });

  it('two wake-ups at once (and the schedule itself) continue the run once and send one e-mail', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Doppel', [{ type: 'wait', for: 'PT2H' }, mail('Doppel')]);
    const person = await prospect(world, 'Doppel');
    const waiting = await runOf(world, automation.id, 'waiting');
    const input = wakeOf(waiting);
    // The moment comes: the scheduler fires, and two more deliveries of the same wake-up race it.
    api.stack.clock.set(new Date(Date.parse(waiting.resumeAt) + 1_000));
    const outcomes = await Promise.all([api.stack.engine.wake(input), api.stack.engine.wake(input), api.stack.engine.wake(input)]);
    await api.stack.scheduler.whenIdle();
    await api.stack.bus.idle();
    const done = await until(world, waiting.id, (e) => e.status !== 'waiting' && e.status !== 'running' && !e.retryable, 'the run to end', 5_000).catch(() => execution(world, waiting.id));
    expect({ status: done.status, retryable: done.retryable, error: done.error, steps: done.steps.map((s: any) => `${s.status}/${s.attempts}`) }, JSON.stringify({ outcomes, schedules: schedulesOf(waiting.id) })).toEqual({ status: 'succeeded', retryable: undefined, error: undefined, steps: ['succeeded/1', 'succeeded/1'] });
    expect(outcomes.filter((o) => o?.status === 'succeeded').length).toBeLessThanOrEqual(1);
    expect(await mailTo(api, person.email)).toHaveLength(1);
    // Late duplicates of the same wake-up change nothing.
    expect(await api.stack.engine.wake(input)).toBeUndefined();
    expect(await mailTo(api, person.email)).toHaveLength(1);
    expect(schedulesOf(waiting.id)).toEqual([]);
  });

  it('a duplicate wake-up that arrives while the woken run is sending neither sends again nor turns the sent e-mail into "uncertain"', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Unterwegs', [{ type: 'wait', for: 'PT2H' }, mail('Unterwegs')]);
    const person = await prospect(world, 'Unterwegs');
    const waiting = await runOf(world, automation.id, 'waiting');
    const input = wakeOf(waiting);
    slow.set(person.email, 600);
    try {
      // The schedule fires (the send takes 600 ms); Scheduler delivers the same wake-up again 200 ms later (at least once).
      api.stack.clock.set(new Date(Date.parse(waiting.resumeAt) + 1_000));
      await new Promise((r) => setTimeout(r, 200));
      const duplicate = await api.stack.engine.wake(input);
      await api.stack.scheduler.whenIdle();
      await api.stack.bus.idle();
      const done = await until(world, waiting.id, (e) => e.status !== 'waiting' && e.status !== 'running' && !e.retryable, 'the run to end', 5_000).catch(() => execution(world, waiting.id));
      expect({ status: done.status, reason: done.reason, mails: (await mailTo(api, person.email)).length }, JSON.stringify({ duplicate, steps: done.steps })).toEqual({ status: 'succeeded', reason: undefined, mails: 1 });
    } finally {
      slow.delete(person.email);
    }
  });

  it('a wake-up of an older revision (the viewing moved since) is ignored, also once its old moment has passed', async () => {
    const world = await agencyWorld(api, tenant());
    const person = await prospect(world, 'Stale');
    const automation = await installPreset(api, world.admin, 'viewing-reminder');
    const startsAt = fromNow(3 * DAY);
    const appointment = await viewing(world, person.id, startsAt);
    const first = await runOf(world, automation.id, 'waiting');
    const moved = plus(startsAt, 2 * DAY);
    await world.must('PATCH', `/activities/${appointment.id}`, { version: appointment.version, startsAt: moved, endsAt: plus(moved, HOUR) });
    const rearmed = await until(world, first.id, (e) => e.resumeAt === plus(moved, -DAY), 'the wait to follow the move');
    expect(rearmed.wait.revision).toBe(first.wait.revision + 1);
    await advance(2 * DAY + HOUR);
    const stale = wakeOf(first);
    expect(await api.stack.engine.wake(stale)).toBeUndefined();
    expect(await execution(world, first.id)).toMatchObject({ status: 'waiting', resumeAt: plus(moved, -DAY) });
    expect(await mailTo(api, person.email)).toEqual([]);
    expect(schedulesOf(first.id).map((s) => s.dueAt)).toEqual([plus(moved, -DAY)]);
  });

  it('resume twice: one schedule at a time, one e-mail; cancel or resume after it woke is a 409 not_waiting', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Jetzt', [{ type: 'wait', for: 'P30D' }, mail('Jetzt')]);
    const person = await prospect(world, 'Jetzt');
    const waiting = await runOf(world, automation.id, 'waiting');
    const first = await api.call('POST', `/executions/${waiting.id}/resume`, { token: world.admin });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await api.call('POST', `/executions/${waiting.id}/resume`, { token: world.admin });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.status).toBe('waiting');
    expect(Date.parse(second.body.resumeAt) - nowMs()).toBeLessThanOrEqual(61_000);
    expect(schedulesOf(waiting.id)).toHaveLength(1);
    await advance(61_000);
    await until(world, waiting.id, (e) => e.status === 'succeeded', 'the resumed run');
    expect(await mailTo(api, person.email)).toHaveLength(1);
    expect(schedulesOf(waiting.id)).toEqual([]);
    for (const action of ['cancel', 'resume']) {
      const late = await api.call('POST', `/executions/${waiting.id}/${action}`, { token: world.admin });
      expect(late.status, JSON.stringify(late.body)).toBe(409);
      expect(late.body.error.code).toBe('not_waiting');
    }
    await advance(31 * DAY);
    expect(await mailTo(api, person.email)).toHaveLength(1);
  });

  it('a cancelled run stays cancelled: its schedule is gone, a wake-up for it and a resume do nothing', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Abbruch', [{ type: 'wait', for: 'PT3H' }, mail('Abbruch')]);
    const person = await prospect(world, 'Abbruch');
    const waiting = await runOf(world, automation.id, 'waiting');
    const cancelled = await api.call('POST', `/executions/${waiting.id}/cancel`, { token: world.admin });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'skipped', reason: expect.stringContaining('Cancelled by an admin') });
    expect(cancelled.body.reason).not.toMatch(/undefined|null/);
    expect(cancelled.body.resumeAt).toBeUndefined();
    expect(schedulesOf(waiting.id)).toEqual([]);
    expect(await api.stack.engine.wake({ ...wakeOf(waiting), step: 0 })).toBeUndefined();
    expect((await api.call('POST', `/executions/${waiting.id}/resume`, { token: world.admin })).body.error.code).toBe('not_waiting');
    await advance(4 * HOUR);
    expect(await mailTo(api, person.email)).toEqual([]);
    expect(await execution(world, waiting.id)).toMatchObject({ status: 'skipped' });
    const listed = (await api.call('GET', '/executions?status=waiting', { token: world.admin })).body.items as any[];
    expect(listed.map((e) => e.id)).not.toContain(waiting.id);
  });

  it('disabled and enabled again before the moment: the old run does not go on, a new one does', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Wieder', [{ type: 'wait', for: 'P1D' }, mail('Wieder')]);
    const early = await prospect(world, 'Wieder-Alt');
    const old = await runOf(world, automation.id, 'waiting');
    expect((await api.call('POST', `/automations/${automation.id}/disable`, { token: world.admin })).status).toBe(200);
    expect((await api.call('POST', `/automations/${automation.id}/enable`, { token: world.admin })).status).toBe(200);
    expect(await execution(world, old.id)).toMatchObject({ status: 'skipped' });
    const late = await prospect(world, 'Wieder-Neu');
    const fresh = await runOf(world, automation.id, 'waiting', (e) => e.id !== old.id);
    await advance(DAY + HOUR);
    await until(world, fresh.id, (e) => e.status === 'succeeded', 'the new run');
    expect(await mailTo(api, early.email)).toEqual([]);
    expect(await mailTo(api, late.email)).toHaveLength(1);
  });

  it('enabling an automation that is already enabled does not end its waiting runs', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Doppelklick', [{ type: 'wait', for: 'P1D' }, mail('Doppelklick')]);
    const person = await prospect(world, 'Doppelklick');
    const waiting = await runOf(world, automation.id, 'waiting');
    expect((await api.call('POST', `/automations/${automation.id}/enable`, { token: world.admin })).status).toBe(200);
    const current = await world.must('GET', `/automations/${automation.id}`, undefined, world.admin);
    expect((await api.call('PUT', `/automations/${automation.id}`, { token: world.admin, body: { ...current, enabled: true } })).status).toBe(200);
    await advance(DAY + HOUR);
    await until(world, waiting.id, (e) => e.status === 'succeeded', 'the run to go on');
    expect(await mailTo(api, person.email)).toHaveLength(1);
  });

  it('an edited e-mail text applies to the waiting run', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Text', [{ type: 'wait', for: 'P1D' }, mail('Alter Betreff', 'Alter Text')]);
    const person = await prospect(world, 'Text');
    const waiting = await runOf(world, automation.id, 'waiting');
    const current = await world.must('GET', `/automations/${automation.id}`, undefined, world.admin);
    const put = await api.call('PUT', `/automations/${automation.id}`, { token: world.admin, body: { ...current, actions: [{ type: 'wait', for: 'P1D' }, mail('Neuer Betreff', 'Neuer Text')] } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(await execution(world, waiting.id)).toMatchObject({ status: 'waiting' });
    await advance(DAY + HOUR);
    await until(world, waiting.id, (e) => e.status === 'succeeded', 'the run to go on');
    const mails = await mailTo(api, person.email);
    expect(mails.map((m) => m.subject)).toEqual(['Neuer Betreff']);
    expect(mails[0]!.body.text ?? mails[0]!.body.html).toContain('Neuer Text');
  });

  it('changed steps end the waiting run as skipped without sending, and leave no schedule behind', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Schritte', [{ type: 'wait', for: 'P1D' }, mail('Schritte')]);
    const person = await prospect(world, 'Schritte');
    const waiting = await runOf(world, automation.id, 'waiting');
    const current = await world.must('GET', `/automations/${automation.id}`, undefined, world.admin);
    const put = await api.call('PUT', `/automations/${automation.id}`, { token: world.admin, body: { ...current, actions: [{ type: 'wait', for: 'P1D' }, { type: 'create_task', assignee: 'contact_owner', title: 'Anrufen' }, mail('Schritte')] } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await advance(DAY + HOUR);
    const ended = await until(world, waiting.id, (e) => e.status !== 'waiting', 'the run to end');
    expect(ended).toMatchObject({ status: 'skipped', reason: expect.stringContaining('steps were changed') });
    expect(await mailTo(api, person.email)).toEqual([]);
    expect(schedulesOf(waiting.id)).toEqual([]);
  });

  it('changed steps end the waiting runs at once, as disabling does (not a year later when their schedule fires)', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Sofort', [{ type: 'wait', for: 'P300D' }, mail('Sofort')]);
    await prospect(world, 'Sofort');
    const waiting = await runOf(world, automation.id, 'waiting');
    const current = await world.must('GET', `/automations/${automation.id}`, undefined, world.admin);
    const put = await api.call('PUT', `/automations/${automation.id}`, { token: world.admin, body: { ...current, actions: [{ type: 'wait', for: 'P300D' }, { type: 'create_task', assignee: 'contact_owner', title: 'Anrufen' }] } });
    expect(put.status).toBe(200);
    await api.stack.bus.idle();
    const now = await execution(world, waiting.id);
    expect(now.status, 'the run still waits for a schedule 300 days away, though it can never go on').toBe('skipped');
    expect(schedulesOf(waiting.id)).toEqual([]);
  });

  it('an edited wait (the reminder moved from one day to two days before) is followed, never silently skipped as "already passed"', async () => {
    const world = await agencyWorld(api, tenant());
    const person = await prospect(world, 'Zwei-Tage');
    const automation = await installPreset(api, world.admin, 'viewing-reminder');
    const startsAt = fromNow(5 * DAY);
    await viewing(world, person.id, startsAt);
    const waiting = await runOf(world, automation.id, 'waiting');
    expect(waiting.resumeAt).toBe(plus(startsAt, -DAY));
    const current = await world.must('GET', `/automations/${automation.id}`, undefined, world.admin);
    const actions = structuredClone(current.actions);
    actions[0].until.offset = '-P2D';
    const put = await api.call('PUT', `/automations/${automation.id}`, { token: world.admin, body: { ...current, actions } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    // Two days before the viewing, and then one day before: by then the reminder went out, or the run ended for the edit.
    await advance(Date.parse(plus(startsAt, -2 * DAY)) - nowMs() + 2 * MINUTE);
    await advance(DAY);
    const ended = await execution(world, waiting.id);
    const mails = await mailTo(api, person.email);
    expect(ended.reason ?? '', 'the reminder was dropped as "already passed" because the run kept the old moment').not.toContain('had already passed');
    expect(mails.length === 1 || /chang/i.test(ended.reason ?? ''), JSON.stringify({ status: ended.status, reason: ended.reason, mails: mails.length })).toBe(true);
  });

  it('a shortened wait is followed: "P3D" edited to "P1D" goes on after one day, not after three', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Kurz', [{ type: 'wait', for: 'P3D' }, mail('Kurz')]);
    const person = await prospect(world, 'Kurz');
    const waiting = await runOf(world, automation.id, 'waiting');
    const current = await world.must('GET', `/automations/${automation.id}`, undefined, world.admin);
    const put = await api.call('PUT', `/automations/${automation.id}`, { token: world.admin, body: { ...current, actions: [{ type: 'wait', for: 'P1D' }, mail('Kurz')] } });
    expect(put.status).toBe(200);
    await advance(DAY + 2 * HOUR);
    const after = await execution(world, waiting.id);
    // Either it followed the edit (sent after one day) or the edit ended it; waiting on for the old moment is neither.
    expect(after.status === 'succeeded' || (after.status === 'skipped' && /chang/i.test(after.reason ?? '')), JSON.stringify({ status: after.status, resumeAt: after.resumeAt, reason: after.reason })).toBe(true);
    await advance(3 * DAY);
    expect((await mailTo(api, person.email)).length).toBeLessThanOrEqual(1);
  });

  it('a deleted automation ends its waiting runs as skipped, deletes their schedules and sends nothing', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Weg', [{ type: 'wait', for: 'P1D' }, mail('Weg')]);
    const person = await prospect(world, 'Weg');
    const waiting = await runOf(world, automation.id, 'waiting');
    expect((await api.call('DELETE', `/automations/${automation.id}`, { token: world.admin })).status).toBe(204);
    expect(await execution(world, waiting.id)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('deleted') });
    expect(schedulesOf(waiting.id)).toEqual([]);
    await advance(DAY + HOUR);
    expect(await mailTo(api, person.email)).toEqual([]);
  });

  it('a contact archived while its viewing reminder waits gets no reminder; the run ends as skipped with the reason', async () => {
    const world = await agencyWorld(api, tenant());
    const person = await prospect(world, 'Archiv');
    const automation = await installPreset(api, world.admin, 'viewing-reminder');
    const startsAt = fromNow(3 * DAY);
    await viewing(world, person.id, startsAt);
    const waiting = await runOf(world, automation.id, 'waiting');
    expect((await api.call('DELETE', `/contacts/${person.id}`, { token: world.agent })).status).toBe(200);
    await advance(2 * DAY + HOUR);
    const ended = await until(world, waiting.id, (e) => e.status !== 'waiting', 'the run to end');
    expect(ended).toMatchObject({ status: 'skipped', reason: expect.stringContaining('archived') });
    expect(await mailTo(api, person.email)).toEqual([]);
  });

  it('a contact archived while a ContactCreated run waits ends that run at once', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Weggezogen', [{ type: 'wait', for: 'P7D' }, mail('Weggezogen')]);
    const person = await prospect(world, 'Weggezogen');
    const waiting = await runOf(world, automation.id, 'waiting');
    expect((await api.call('DELETE', `/contacts/${person.id}`, { token: world.agent })).status).toBe(200);
    const ended = await until(world, waiting.id, (e) => e.status !== 'waiting', 'the run to end at once');
    expect(ended).toMatchObject({ status: 'skipped', reason: expect.stringContaining('archived') });
    expect(schedulesOf(waiting.id)).toEqual([]);
  });

  it('a viewing moved into the next hours: "skip" ends the reminder at once, "continue" sends it within a minute, once', async () => {
    const world = await agencyWorld(api, tenant());
    const skipper = await prospect(world, 'Vorgezogen');
    const goer = await prospect(world, 'Vorgezogen-Weiter');
    const reminder = await installPreset(api, world.admin, 'viewing-reminder');
    const eager = await world.must('POST', '/automations', {
      name: 'Erinnerung, auch knapp',
      enabled: true,
      trigger: { event: 'ActivityCreated', where: { activity: { type: ['appointment'], title: ['knapp'] } } },
      actions: [{ type: 'wait', until: { field: 'activity.startsAt', offset: '-P1D' }, ifPast: 'continue' }, mail('Knapp: Ihre Besichtigung am {{date activity.startsAt}}')],
    }, world.admin);
    const startsAt = fromNow(3 * DAY);
    const a = await viewing(world, skipper.id, startsAt);
    const b = await viewing(world, goer.id, startsAt, { title: 'knapp' });
    const ra = await runOf(world, reminder.id, 'waiting', (e) => e.event.activity.id === a.id);
    const rb = await runOf(world, eager.id, 'waiting');
    const soon = fromNow(2 * HOUR);
    await world.must('PATCH', `/activities/${a.id}`, { version: a.version, startsAt: soon, endsAt: plus(soon, HOUR) });
    await world.must('PATCH', `/activities/${b.id}`, { version: b.version, startsAt: soon, endsAt: plus(soon, HOUR) });
    expect(await until(world, ra.id, (e) => e.status !== 'waiting', 'the reminder to end')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('had already passed') });
    // The change moved the eager reminder's moment to now: the wake-run function sends it within the minute.
    const now = await until(world, rb.id, (e) => e.wait?.now === true, 'the eager reminder to be woken now');
    expect(Date.parse(now.resumeAt) - nowMs()).toBeLessThanOrEqual(61_000);
    await advance(61_000);
    await until(world, rb.id, (e) => e.status === 'succeeded', 'the eager reminder to go out');
    expect(schedulesOf(ra.id)).toEqual([]);
    expect(schedulesOf(rb.id)).toEqual([]);
    await advance(4 * DAY);
    expect(await mailTo(api, skipper.email)).toEqual([]);
    expect((await mailTo(api, goer.email)).map((m) => m.subject)).toEqual([expect.stringContaining('Knapp')]);
  });

  it('a viewing moved several times quickly: the reminder follows the last move, with exactly one schedule, and goes out once', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await installPreset(api, world.admin, 'viewing-reminder');
    const people = await Promise.all(['Hin', 'Her', 'Zurueck', 'Vor', 'Auf', 'Ab', 'Links', 'Rechts'].map((name) => prospect(world, `Schnell-${name}`)));
    const base = fromNow(10 * DAY);
    const appointments = await Promise.all(people.map((p) => viewing(world, p.id, base)));
    const runs = await Promise.all(appointments.map((a) => runOf(world, automation.id, 'waiting', (e) => e.event.activity.id === a.id)));
    const offsets = [2, 4, -3, 3, -2, 1, 4, -5, 2, 3, 1, -4]; // days from base; the last one is -4: six days from now, earlier than most
    const finals = await Promise.all(
      appointments.map(async (a) => {
        let version = a.version;
        let startsAt = base;
        for (const days of offsets) {
          startsAt = plus(base, days * DAY);
          const patched = await world.must('PATCH', `/activities/${a.id}`, { version, startsAt, endsAt: plus(startsAt, HOUR) });
          version = patched.version;
        }
        return startsAt;
      }),
    );
    await api.stack.bus.idle();
    await new Promise((r) => setTimeout(r, 500));
    await api.stack.bus.idle();
    const problems: string[] = [];
    for (const [i, run] of runs.entries()) {
      const expected = plus(finals[i]!, -DAY);
      const e = await waitFor(async () => {
        const current = await execution(world, run.id);
        return current.resumeAt === expected ? current : undefined;
      }, 'the wait to follow the last move', 5_000).catch(async () => execution(world, run.id));
      const schedules = schedulesOf(run.id);
      if (e.resumeAt !== expected) problems.push(`${run.id}: resumeAt ${e.resumeAt}, the viewing is at ${finals[i]} (reminder due ${expected})`);
      if (schedules.length !== 1) problems.push(`${run.id}: ${schedules.length} schedules (${schedules.map((s) => `${s.name}@${s.dueAt}`).join(', ')})`);
      else if (schedules[0]!.dueAt !== e.resumeAt) problems.push(`${run.id}: schedule ${schedules[0]!.name} fires at ${schedules[0]!.dueAt}, resumeAt says ${e.resumeAt}`);
    }
    // The reminders' moment: each went out, once.
    await advance(Date.parse(plus(finals[0]!, -DAY)) - nowMs() + 2 * MINUTE);
    for (const p of people) {
      const mails = await mailTo(api, p.email);
      if (mails.length !== 1) {
        const run = runs[people.indexOf(p)]!;
        const e = await execution(world, run.id);
        problems.push(`${p.email}: ${mails.length} reminders at ${api.stack.clock.now().toISOString()}, the reminder's moment (run ${e.status} ${e.reason ?? e.error ?? ''} ${JSON.stringify(e.steps)} ${JSON.stringify(schedulesOf(run.id))})`);
      }
    }
    // Two weeks on (every moment the viewings ever had is past): still one each.
    await advance(14 * DAY);
    for (const [i, p] of people.entries()) {
      const mails = await mailTo(api, p.email);
      const e = await execution(world, runs[i]!.id);
      if (mails.length !== 1) problems.push(`${p.email}: ${mails.length} reminders two weeks later (run ${e.status}, the send step finished at ${e.steps[1]?.finishedAt}, the viewing at ${finals[i]})`);
    }
    expect(problems).toEqual([]);
  }, 60_000); // 8 viewings moved 12 times each: heavy under a loaded machine

  it('a cancel racing the wake-up: either the run is cancelled and sends nothing, or it went on and the cancel is a 409; never both, never a 500', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Wettlauf', [{ type: 'wait', for: 'PT2H' }, mail('Wettlauf')]);
    const people = await Promise.all(['A', 'B', 'C', 'D', 'E'].map((n) => prospect(world, `Wettlauf-${n}`)));
    const runs = await Promise.all(people.map((p) => runOf(world, automation.id, 'waiting', (e) => e.contactId === p.id || e.event.contact?.id === p.id)));
    api.stack.clock.set(new Date(Date.parse(runs[0]!.resumeAt) + 1_000 + HOUR));
    const replies = await Promise.all(runs.map((r) => api.call('POST', `/executions/${r.id}/cancel`, { token: world.admin })));
    await api.stack.scheduler.whenIdle();
    await api.stack.bus.idle();
    for (const [i, r] of runs.entries()) {
      const e = await until(world, r.id, (x) => x.status !== 'waiting' && x.status !== 'running', 'the run to end');
      const mails = await mailTo(api, people[i]!.email);
      const reply = replies[i]!;
      expect([200, 409], JSON.stringify(reply.body)).toContain(reply.status);
      if (reply.status === 200) {
        expect(e.status).toBe('skipped');
        expect(mails).toEqual([]);
      } else {
        expect(e.status).toBe('succeeded');
        expect(mails).toHaveLength(1);
      }
    }
  });

  it('two resumes at once: no 500, one schedule left, one e-mail', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Zweimal', [{ type: 'wait', for: 'P10D' }, mail('Zweimal')]);
    const person = await prospect(world, 'Zweimal');
    const waiting = await runOf(world, automation.id, 'waiting');
    const replies = await Promise.all([1, 2, 3].map(() => api.call('POST', `/executions/${waiting.id}/resume`, { token: world.admin })));
    for (const reply of replies) expect([200, 409], JSON.stringify(reply.body)).toContain(reply.status);
    expect(replies.some((r) => r.status === 200)).toBe(true);
    const current = await execution(world, waiting.id);
    expect(schedulesOf(waiting.id).map((s) => s.name)).toEqual([current.wait.schedule]);
    await advance(61_000);
    await until(world, waiting.id, (e) => e.status === 'succeeded', 'the resumed run');
    await advance(11 * DAY);
    expect(await mailTo(api, person.email)).toHaveLength(1);
    expect(schedulesOf(waiting.id)).toEqual([]);
  });

  it('switched off and on again by PUT: the old run does not go on', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Schalter', [{ type: 'wait', for: 'P1D' }, mail('Schalter')]);
    const person = await prospect(world, 'Schalter');
    const waiting = await runOf(world, automation.id, 'waiting');
    let current = await world.must('GET', `/automations/${automation.id}`, undefined, world.admin);
    current = await world.must('PUT', `/automations/${automation.id}`, { ...current, enabled: false }, world.admin);
    await world.must('PUT', `/automations/${automation.id}`, { ...current, enabled: true }, world.admin);
    await advance(DAY + HOUR);
    expect(await execution(world, waiting.id)).toMatchObject({ status: 'skipped' });
    expect(await mailTo(api, person.email)).toEqual([]);
  });

  it('wake-ups with odd inputs are ignored, never thrown', async () => {
    for (const input of [
      { tenantId: home, executionId: 'xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', step: 0, revision: 0, at: 0 },
      { tenantId: home, executionId: '../../x', step: -1, revision: -1, at: -1 },
      { tenantId: home, executionId: 'x#EXECUTION#y', step: 1e9, revision: 2 ** 53, at: 2 ** 53 },
      { tenantId: `${home}#AUTOMATION`, executionId: 'x', step: 0, revision: 0, at: 0 },
    ]) {
      await expect(api.stack.engine.wake(input)).resolves.toBeUndefined();
    }
  });

  it('a stage named in an enabled automation\'s wait condition cannot be removed from the pick-list', async () => {
    const world = await agencyWorld(api, tenant());
    await world.must('POST', '/automations', {
      name: 'Noch beim Notar?',
      enabled: true,
      trigger: { event: 'DealStageChanged', where: { toStage: ['Reserviert'] } },
      actions: [{ type: 'wait', for: 'P7D', while: { deal: { stage: ['Notartermin'] } } }, { type: 'create_task', assignee: 'property_contact_person', title: 'Notar?' }],
    }, world.admin);
    const s = (await api.call('GET', '/settings', { token: world.admin })).body;
    const stages = s.pickLists.dealStages;
    const reply = await api.call('PUT', '/settings', {
      token: world.admin,
      body: { name: s.name, senderAddress: s.senderAddress, inboundAddresses: s.inboundAddresses, version: s.version, pickLists: { dealStages: { ...stages, default: stages.default.filter((x: string) => x !== 'Notartermin') } } },
    });
    expect(reply.status, JSON.stringify(reply.body).slice(0, 500)).toBe(409);
    expect(reply.body.error.code).toBe('pick_list_value_in_use');
  });

  it('a woken run whose e-mail is throttled once is retried and sends it, not left "failed, retryable" with nothing to retry it', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Gedrosselt', [{ type: 'wait', for: 'PT1H' }, mail('Gedrosselt')]);
    const person = await prospect(world, 'Gedrosselt');
    const waiting = await runOf(world, automation.id, 'waiting');
    faults.throttle.set(person.email, 1);
    await advance(HOUR + MINUTE);
    await api.stack.scheduler.whenIdle();
    const ended = await until(world, waiting.id, (e) => e.status !== 'running' && e.status !== 'waiting' && !e.retryable, 'the run to end for good', 8_000).catch(() => execution(world, waiting.id));
    expect({ status: ended.status, retryable: ended.retryable, mails: (await mailTo(api, person.email)).length }, JSON.stringify({ error: ended.error, steps: ended.steps?.map((x: any) => x.status) })).toEqual({ status: 'succeeded', retryable: undefined, mails: 1 });
  });

  it('a run woken by a record change whose e-mail is throttled once is retried and sends it', async () => {
    const world = await agencyWorld(api, tenant());
    const person = await prospect(world, 'Gedrosselt-Termin');
    const automation = await world.must('POST', '/automations', {
      name: 'Erinnerung, auch knapp',
      enabled: true,
      trigger: { event: 'ActivityCreated', where: { activity: { type: ['appointment'] } } },
      actions: [{ type: 'wait', until: { field: 'activity.startsAt', offset: '-P1D' } }, mail('Knapp gedrosselt')],
    }, world.admin);
    const startsAt = fromNow(3 * DAY);
    const a = await viewing(world, person.id, startsAt);
    const waiting = await runOf(world, automation.id, 'waiting');
    faults.throttle.set(person.email, 1);
    const soon = fromNow(2 * HOUR);
    await world.must('PATCH', `/activities/${a.id}`, { version: a.version, startsAt: soon, endsAt: plus(soon, HOUR) });
    // Woken by the change within a minute through its schedule: the throttled send is retried with the wake-up.
    await until(world, waiting.id, (e) => e.wait?.now === true, 'the run to be woken now');
    await advance(61_000);
    const ended = await until(world, waiting.id, (e) => e.status !== 'running' && e.status !== 'waiting' && !e.retryable, 'the run to end for good', 8_000).catch(() => execution(world, waiting.id));
    expect({ status: ended.status, retryable: ended.retryable, mails: (await mailTo(api, person.email)).length }, JSON.stringify({ error: ended.error })).toEqual({ status: 'succeeded', retryable: undefined, mails: 1 });
  });

  it('a changed trigger ends the waiting runs: a run of a new contact never sends the text written for appointments', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Umgewidmet', [{ type: 'wait', for: 'P1D' }, mail('Willkommen')]);
    const person = await prospect(world, 'Umgewidmet');
    const waiting = await runOf(world, automation.id, 'waiting');
    const current = await world.must('GET', `/automations/${automation.id}`, undefined, world.admin);
    const put = await api.call('PUT', `/automations/${automation.id}`, {
      token: world.admin,
      body: { ...current, trigger: { event: 'ActivityCreated', where: { activity: { type: ['appointment'] } } }, actions: [{ type: 'wait', for: 'P1D' }, mail('Ihr Termin am {{date activity.startsAt}} um {{time activity.startsAt}} Uhr')] },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await advance(DAY + HOUR);
    const ended = await until(world, waiting.id, (e) => e.status !== 'waiting' && e.status !== 'running', 'the run to end');
    expect((await mailTo(api, person.email)).map((m) => m.subject)).toEqual([]);
    expect(ended.status).toBe('skipped');
  });

  it('a schedule of the next revision left by a runner that died before recording it does not hijack the wait when the viewing moves again', async () => {
    const world = await agencyWorld(api, tenant());
    const person = await prospect(world, 'Geist');
    const automation = await installPreset(api, world.admin, 'viewing-reminder');
    const startsAt = fromNow(5 * DAY);
    const a = await viewing(world, person.id, startsAt);
    const waiting = await runOf(world, automation.id, 'waiting');
    // A runner moved the wait to a moment of its own (viewing + 9 days), created schedule revision 1, and died before it recorded the run.
    const [armed] = schedulesOf(waiting.id);
    const client = new SchedulerClient({ endpoint: api.stack.scheduler.url, region: process.env.AWS_REGION ?? 'eu-central-1' });
    const ghostAt = plus(startsAt, 9 * DAY);
    await client.send(new CreateScheduleCommand({
      Name: scheduleNameOf({ executionId: waiting.id, step: 0, revision: waiting.wait.revision + 1, at: Date.parse(ghostAt) / 1000 }),
      GroupName: armed!.groupName,
      ScheduleExpression: `at(${ghostAt.slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: armed!.target.Arn, RoleArn: armed!.target.RoleArn, Input: JSON.stringify({ tenantId: waiting.tenantId, executionId: waiting.id, step: 0, revision: waiting.wait.revision + 1, at: Date.parse(ghostAt) / 1000 }) },
    }));
    client.destroy();
    // The viewing moves a day earlier: the reminder must follow it.
    const moved = plus(startsAt, -DAY);
    await world.must('PATCH', `/activities/${a.id}`, { version: a.version, startsAt: moved, endsAt: plus(moved, HOUR) });
    const rearmed = await until(world, waiting.id, (e) => e.resumeAt === plus(moved, -DAY), 'the wait to follow the move');
    const schedules = schedulesOf(waiting.id);
    await advance(Date.parse(plus(moved, -DAY)) - nowMs() + 2 * MINUTE);
    const mails = await mailTo(api, person.email);
    // The ghost keeps its own name (its moment is in it): it is stale, and fires into nothing.
    expect({ schedules: schedules.map((x) => x.dueAt), mailsAtTheMoment: mails.length }).toEqual({ schedules: expect.arrayContaining([rearmed.resumeAt]), mailsAtTheMoment: 1 });
    await advance(Date.parse(ghostAt) - nowMs() + 2 * MINUTE);
    expect(await mailTo(api, person.email)).toHaveLength(1);
    expect((await execution(world, waiting.id)).status).toBe('succeeded');
  });

  it('a contact who withdraws the newsletter while a marketing mail waits does not get it', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Abbestellt', [{ type: 'wait', for: 'P2D' }, { ...mail('Angebote der Woche'), purpose: 'marketing' }]);
    const person = await world.must('POST', '/contacts', { salutation: 'ms', lastName: 'Abbestellt', email: `abbestellt-${world.domain}@example.com`, gdprConsent: true, newsletter: true });
    const waiting = await runOf(world, automation.id, 'waiting');
    await world.must('PATCH', `/contacts/${person.id}`, { version: person.version, newsletter: false });
    await advance(2 * DAY + HOUR);
    const ended = await until(world, waiting.id, (e) => e.status !== 'waiting' && e.status !== 'running', 'the run to end');
    expect(ended.status).toBe('skipped');
    expect(await mailTo(api, person.email)).toEqual([]);
  });

  it('the date a wait follows cannot be removed from an appointment; the reminder keeps waiting for it', async () => {
    const world = await agencyWorld(api, tenant());
    const person = await prospect(world, 'Ohne-Datum');
    const automation = await installPreset(api, world.admin, 'viewing-reminder');
    const startsAt = fromNow(3 * DAY);
    const a = await viewing(world, person.id, startsAt);
    const waiting = await runOf(world, automation.id, 'waiting');
    for (const patch of [{ startsAt: null }, { startsAt: '' }, { startsAt: 'morgen' }, { endsAt: plus(startsAt, -HOUR) }]) {
      const reply = await api.call('PATCH', `/activities/${a.id}`, { token: world.agent, body: { version: a.version, ...patch } });
      expect(reply.status, `${JSON.stringify(patch)}: ${JSON.stringify(reply.body)}`).toBe(400);
    }
    await api.stack.bus.idle();
    expect(await execution(world, waiting.id)).toMatchObject({ status: 'waiting', resumeAt: plus(startsAt, -DAY) });
  });

  it('the clock moved backwards and forwards again: the run goes on at its moment, once', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Zeitreise', [{ type: 'wait', for: 'PT2H' }, mail('Zeitreise')]);
    const person = await prospect(world, 'Zeitreise');
    const waiting = await runOf(world, automation.id, 'waiting');
    const due = Date.parse(waiting.resumeAt);
    await setClock(new Date(nowMs() - DAY).toISOString());
    expect((await execution(world, waiting.id)).status).toBe('waiting');
    await advance(DAY + HOUR);
    expect((await execution(world, waiting.id)).status).toBe('waiting');
    await advance(due - nowMs() + MINUTE);
    await until(world, waiting.id, (e) => e.status === 'succeeded', 'the run to go on');
    await setClock(new Date(nowMs() - 3 * HOUR).toISOString());
    await advance(4 * HOUR);
    expect(await mailTo(api, person.email)).toHaveLength(1);
  });

  it('never reminds of a viewing that has already begun, however late the wake-up comes (the scheduler or the stack was behind)', async () => {
    const world = await agencyWorld(api, tenant());
    const person = await prospect(world, 'Verspaetet');
    const automation = await installPreset(api, world.admin, 'viewing-reminder');
    const startsAt = fromNow(3 * DAY);
    await viewing(world, person.id, startsAt);
    const waiting = await runOf(world, automation.id, 'waiting');
    // One jump past the viewing: the schedule fires two days after its moment, the viewing is over.
    await advance(5 * DAY);
    const ended = await until(world, waiting.id, (e) => e.status !== 'waiting' && e.status !== 'running', 'the run to end');
    const mails = await mailTo(api, person.email);
    expect(mails.map((m) => m.subject), `sent at ${api.stack.clock.now().toISOString()} for a viewing at ${startsAt}`).toEqual([]);
    expect(ended.status).toBe('skipped');
  });

  it('does not park a run for years when the date it follows is years away (waits last at most a year)', async () => {
    const world = await agencyWorld(api, tenant());
    const person = await prospect(world, 'Fern');
    const automation = await installPreset(api, world.admin, 'viewing-reminder');
    const startsAt = fromNow(5 * 365 * DAY);
    await viewing(world, person.id, startsAt);
    const run = await waitFor(async () => {
      const items = (await api.call('GET', `/automations/${automation.id}/executions`, { token: world.admin })).body.items as any[];
      return items.find((e) => e.status !== 'running');
    }, 'the run to settle');
    if (run.status === 'waiting') expect(Date.parse(run.resumeAt) - nowMs(), `the run waits until ${run.resumeAt}`).toBeLessThanOrEqual(366 * DAY);
    else expect(run.reason ?? run.error).toBeTruthy();
  });

  it('a viewing at the end of the calendar (9999-12-31): the run ends with a reason a person can read, never hangs, the API stays up', async () => {
    const world = await agencyWorld(api, tenant());
    const person = await prospect(world, 'Ende');
    const automation = await installPreset(api, world.admin, 'viewing-feedback');
    const dryFixture = await api.call('POST', `/automations/${automation.id}/test`, { token: world.admin, body: { overrides: { activity: { id: 'a1', tenantId: 'x', type: 'appointment', category: 'Besichtigung', startsAt: '9999-12-31T22:00:00Z', endsAt: '9999-12-31T23:30:00Z', contactIds: [person.id], version: 1, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' } } } });
    expect(dryFixture.status, JSON.stringify(dryFixture.body).slice(0, 500)).toBeLessThan(500);
    const reply = await api.call('POST', '/activities', { token: world.agent, body: { type: 'appointment', category: 'Besichtigung', contactIds: [person.id], startsAt: '9999-12-31T22:00:00Z', endsAt: '9999-12-31T23:30:00Z' } });
    expect(reply.status).toBeLessThan(500);
    if (reply.status >= 300) return;
    const dry = await api.call('POST', `/automations/${automation.id}/test`, { token: world.admin, body: { entityId: reply.body.id } });
    expect(dry.status, JSON.stringify(dry.body).slice(0, 500)).toBeLessThan(500);
    const run = await waitFor(async () => {
      const items = (await api.call('GET', `/automations/${automation.id}/executions`, { token: world.admin })).body.items as any[];
      return items.find((e) => e.status !== 'running');
    }, 'the run to settle', 15_000);
    expect(run.status, JSON.stringify({ status: run.status, reason: run.reason, error: run.error, resumeAt: run.resumeAt })).toBe('skipped');
    expect(run.reason ?? '').not.toMatch(/Exception|Invalid Schedule Expression/);
  });
});

// -------------------------------------------------------------------------------------------------

describe('the send window', () => {
  const settingsOf = async (world: World) => (await api.call('GET', '/settings', { token: world.admin })).body;
  const putSettings = async (world: World, patch: Record<string, unknown>) => {
    const s = await settingsOf(world);
    return api.call('PUT', '/settings', { token: world.admin, body: { name: s.name, senderAddress: s.senderAddress, inboundAddresses: s.inboundAddresses, timeZone: s.timeZone, version: s.version, ...patch } });
  };

  it('refuses invalid send windows with the field and a code', async () => {
    const world = await agencyWorld(api, tenant());
    const ok = { days: ['mon'], from: '08:00', to: '20:00' };
    const cases: Array<[unknown, string]> = [
      [{ ...ok, days: [] }, 'sendWindow.days'],
      [{ ...ok, days: ['mon', 'mon'] }, 'sendWindow.days'],
      [{ ...ok, days: ['Mon'] }, 'sendWindow.days.0'],
      [{ ...ok, days: ['montag'] }, 'sendWindow.days.0'],
      [{ ...ok, days: 'mon' }, 'sendWindow.days'],
      [{ ...ok, days: Array.from({ length: 1_000 }, () => 'mon') }, 'sendWindow.days'],
      [{ ...ok, from: '8:00' }, 'sendWindow.from'],
      [{ ...ok, from: '24:00' }, 'sendWindow.from'],
      [{ ...ok, from: 800 }, 'sendWindow.from'],
      [{ ...ok, to: '24:01' }, 'sendWindow.to'],
      [{ ...ok, to: '20:00:00' }, 'sendWindow.to'],
      [{ ...ok, from: '20:00', to: '08:00' }, 'sendWindow.to'],
      [{ ...ok, from: '10:00', to: '10:00' }, 'sendWindow.to'],
      [{ ...ok, timeZone: 'Europe/Berlin' }, 'sendWindow.timeZone'],
      [{ days: ['mon'] }, 'sendWindow.from'],
      [null, 'sendWindow'],
      ['weekdays', 'sendWindow'],
      [[], 'sendWindow'],
    ];
    for (const [sendWindow, path] of cases) {
      const reply = await timed(putSettings(world, { sendWindow }));
      expect(reply.status, `${JSON.stringify(sendWindow).slice(0, 80)}: ${JSON.stringify(reply.body).slice(0, 400)}`).toBe(400);
      expect(fieldsOf(reply).map((f) => f.path), `${JSON.stringify(sendWindow).slice(0, 80)}: ${JSON.stringify(reply.body).slice(0, 400)}`).toContain(path);
      expect(reply.ms).toBeLessThan(2_000);
    }
    expect((await putSettings(world, { sendWindow: { days: ['sun'], from: '23:59', to: '24:00' } })).status).toBe(200);
  });

  it('a Saturday 10:00–11:00 window: the feedback waits for Saturday morning, across the DST switch, and goes out then, not before', async () => {
    const world = await agencyWorld(api, tenant());
    const early = await prospect(world, 'Samstag');
    const late = await prospect(world, 'Samstag-Spaet');
    const edge = await prospect(world, 'Samstag-Kante');
    expect((await putSettings(world, { sendWindow: { days: ['sat'], from: '10:00', to: '11:00' } })).status).toBe(200);
    const automation = await installPreset(api, world.admin, 'viewing-feedback');
    // Monday 25 March 2030; Berlin switches to summer time on Sunday 31 March.
    expect(nowMs()).toBeLessThan(Date.parse('2030-03-25T09:00:00Z'));
    await setClock('2030-03-25T09:00:00Z');
    const book = (person: { id: string }, startsAt: string, endsAt: string) => world.must('POST', '/activities', { type: 'appointment', category: 'Besichtigung', contactIds: [person.id], startsAt, endsAt });
    // Wednesday, ends 16:00 CET: 18:00 is outside; Saturday 10:00 CET.
    const a = await book(early, '2030-03-27T14:00:00Z', '2030-03-27T15:00:00Z');
    // Saturday, ends 09:30 CET: 11:30 is past the window; next Saturday 10:00 CEST.
    const b = await book(late, '2030-03-30T07:00:00Z', '2030-03-30T08:30:00Z');
    // Saturday, ends 09:00 CET: 11:00 is the window's end, which it excludes; next Saturday 10:00 CEST.
    const c = await book(edge, '2030-03-30T07:00:00Z', '2030-03-30T08:00:00Z');
    const runA = await runOf(world, automation.id, 'waiting', (e) => e.event.activity.id === a.id);
    const runB = await runOf(world, automation.id, 'waiting', (e) => e.event.activity.id === b.id);
    const runC = await runOf(world, automation.id, 'waiting', (e) => e.event.activity.id === c.id);
    expect(runA.resumeAt).toBe('2030-03-30T09:00:00.000Z');
    expect(runB.resumeAt).toBe('2030-04-06T08:00:00.000Z');
    expect(runC.resumeAt).toBe('2030-04-06T08:00:00.000Z');
    await advance(Date.parse('2030-03-30T08:59:00Z') - nowMs());
    expect(await mailTo(api, early.email)).toEqual([]);
    await advance(2 * MINUTE);
    await until(world, runA.id, (e) => e.status === 'succeeded', 'the feedback on Saturday');
    expect(await mailTo(api, early.email)).toHaveLength(1);
    expect(await mailTo(api, late.email)).toEqual([]);
    expect(await mailTo(api, edge.email)).toEqual([]);
    await advance(Date.parse('2030-04-06T08:01:00Z') - nowMs());
    await until(world, runB.id, (e) => e.status === 'succeeded', 'the feedback a week later');
    expect(await mailTo(api, late.email)).toHaveLength(1);
    expect(await mailTo(api, edge.email)).toHaveLength(1);
  });
});

// -------------------------------------------------------------------------------------------------

describe('volume', () => {
  it('50 waiting runs: listed page by page without loss or repeat, all ended by one disable, no schedule left, nothing sent', async () => {
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Masse', [{ type: 'wait', for: 'P2D' }, mail('Masse')]);
    const people: Array<{ id: string; email: string }> = [];
    for (let i = 0; i < 50; i += 10) people.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => prospect(world, `Masse-${i + j}`)))));
    await waitFor(async () => {
      const items = (await api.call('GET', `/automations/${automation.id}/executions?status=waiting&limit=100`, { token: world.admin })).body.items as any[];
      return items.length >= 50 ? items : undefined;
    }, '50 waiting runs', 30_000);

    const collect = async (path: string) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const reply = await api.call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: world.admin });
        expect(reply.status, JSON.stringify(reply.body).slice(0, 300)).toBe(200);
        for (const e of reply.body.items) {
          expect(e.status).toBe('waiting');
          expect(e.resumeAt).toBeDefined();
          ids.push(e.id);
        }
        cursor = reply.body.nextCursor;
        expect(++pages).toBeLessThan(100);
      } while (cursor);
      return ids;
    };
    const byAutomation = await collect(`/automations/${automation.id}/executions?status=waiting`);
    expect(byAutomation).toHaveLength(50);
    expect(new Set(byAutomation).size).toBe(50);
    const tenantWide = await collect('/executions?status=waiting');
    expect(new Set(tenantWide).size).toBe(tenantWide.length);
    expect(tenantWide.sort()).toEqual([...byAutomation].sort());
    expect(byAutomation.every((id) => schedulesOf(id).length === 1)).toBe(true);

    const started = Date.now();
    const disabled = await api.call('POST', `/automations/${automation.id}/disable`, { token: world.admin });
    expect(disabled.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(15_000);
    const after = (await api.call('GET', `/automations/${automation.id}/executions?limit=100`, { token: world.admin })).body.items as any[];
    expect(after.filter((e) => e.status === 'waiting')).toEqual([]);
    expect(after.filter((e) => e.status === 'skipped' && e.reason === 'The automation was disabled')).toHaveLength(50);
    expect(byAutomation.flatMap((id) => schedulesOf(id))).toEqual([]);
    await advance(3 * DAY);
    for (const p of people.slice(0, 5)) expect(await mailTo(api, p.email)).toEqual([]);
    const summary = (await api.call('GET', `/automations/${automation.id}`, { token: world.admin })).body;
    expect(summary).toMatchObject({ skippedCount: 50 });
  });

  it('more than 100 waiting runs, disabled and enabled again at once: those the disable did not reach still never go on (the stack\'s clock ahead of real time)', async () => {
    // The local clock runs ahead of the machine's (as after any advance): runs start "later" than real time.
    await advance(HOUR);
    expect(api.stack.clock.offsetMs).toBeGreaterThan(0);
    const world = await agencyWorld(api, tenant());
    const automation = await onContactCreated(world, 'Hundert', [{ type: 'wait', for: 'P1D' }, mail('Hundert')]);
    const people: Array<{ id: string; email: string }> = [];
    for (let i = 0; i < 110; i += 10) people.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => prospect(world, `Hundert-${i + j}`)))));
    await waitFor(async () => {
      let count = 0;
      let cursor: string | undefined;
      do {
        const reply = (await api.call('GET', `/automations/${automation.id}/executions?status=waiting&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: world.admin })).body;
        count += reply.items.length;
        cursor = reply.nextCursor;
      } while (cursor);
      return count >= 110 ? count : undefined;
    }, '110 waiting runs', 60_000);
    expect((await api.call('POST', `/automations/${automation.id}/disable`, { token: world.admin })).status).toBe(200);
    expect((await api.call('POST', `/automations/${automation.id}/enable`, { token: world.admin })).status).toBe(200);
    await advance(DAY + HOUR);
    await api.stack.scheduler.whenIdle();
    let sent = 0;
    for (const p of people) sent += (await mailTo(api, p.email)).length;
    expect(sent, 'runs that waited since before the automation was switched off and on again sent their mail').toBe(0);
  }, 120_000);
});

// -------------------------------------------------------------------------------------------------

describe('the local clock', () => {
  it('refuses moves it cannot represent (400), and stays usable', async () => {
    const before = api.stack.clock.now().getTime();
    const problems: string[] = [];
    for (const body of [{ advanceMs: 1e20 }, { advanceMs: -1 }, { advance: '-P1D' }, { advance: 'P999999Y' }, { set: '+275760-09-13T00:00:00.001Z' }, { set: 'garbage' }, { advanceMs: '100' }, {}]) {
      const reply = await api.call('POST', '/_local/clock', { body });
      const now = await api.call('GET', '/_local/clock');
      if (reply.status !== 400) problems.push(`${JSON.stringify(body)}: ${reply.status} ${JSON.stringify(reply.body)}`);
      if (now.status !== 200 || Number.isNaN(Date.parse(now.body?.now))) problems.push(`after ${JSON.stringify(body)}: GET /_local/clock ${now.status} ${JSON.stringify(now.body)}`);
      const t = api.stack.clock.now().getTime();
      if (!Number.isFinite(t) || t < before || t > before + 365 * DAY) api.stack.clock.set(new Date(before));
    }
    expect(problems).toEqual([]);
  });
});
