import { afterAll, beforeAll, expect } from 'vitest';
import type { Mailer } from '#shared/engine/mailer';
import { agencyWorld } from './automation-world.ts';
import { tenant } from './dynamo.ts';
import { startTestApi, type Reply, type TestApi } from './local-api.ts';
import { waitFor } from './wait.ts';

/**
 * What the hostile-input suites share: a mailer that plays faults by recipient, a tenant of its
 * own per test (recipients unique to it, so mail counts are exact), and the refusal assertions.
 */

/** Faults the mailer plays, by recipient: throttling (nothing sent), a timeout after SES took the mail, a send that hangs. */
export const faults = {
  throttle: new Map<string, number>(),
  timeoutAfterSend: new Set<string>(),
  hang: new Set<string>(),
  release: [] as Array<(error: Error) => void>,
};
export const faulty = (base: Mailer): Mailer => ({
  send: async (mail) => {
    if (faults.hang.delete(mail.to)) return new Promise((_, reject) => faults.release.push(reject));
    const throttles = faults.throttle.get(mail.to) ?? 0;
    if (throttles > 0) {
      faults.throttle.set(mail.to, throttles - 1);
      throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' });
    }
    const sent = await base.send(mail);
    if (faults.timeoutAfterSend.delete(mail.to)) throw Object.assign(new Error('Connection timed out after SES accepted the request'), { name: 'TimeoutError' });
    return sent;
  },
});

/** A tenant of its own: settings, a contact person, an owner, a property and a contact, every address unique to the tenant. */
export async function hostileWorld(api: TestApi) {
  const t = tenant();
  // Inquiries go to the tenant's own platform address; mail goes out from its own verified domain.
  const w = await agencyWorld(api, t, `${t}@${api.stack.senderDomains.platformInboundDomain}`);
  const owner = await w.must('POST', '/users', { firstName: 'Otto', lastName: 'Owner', email: `owner-${t}@acme.example` }, w.admin);
  const person = await w.must('POST', '/users', { firstName: 'Anna', lastName: 'Agent', email: `person-${t}@acme.example` }, w.admin);
  const property = await w.must('POST', '/properties', { unitId: `U-${t}`, title: 'Altbau', contactPersonId: person.id });
  const contact = await w.must('POST', '/contacts', { salutation: 'ms', firstName: 'Erika', lastName: 'Muster', email: `c-${t}@example.com`, ownerId: owner.id, newsletter: true, gdprConsent: true });
  const call = (method: string, path: string, body?: unknown, token = w.admin) => api.call(method, path, { token, body });
  const post = (body: unknown) => call('POST', '/automations', body);
  const get = async (id: string) => (await call('GET', `/automations/${id}`)).body;
  return { ...w, t, owner, person, property, contact, call, post, get };
}
export type HostileWorld = Awaited<ReturnType<typeof hostileWorld>>;

export const task = { type: 'create_task', assignee: 'property_contact_person', title: 'Aufgabe' } as const;
export const definition = (event: string, where?: unknown, actions: unknown[] = [task], enabled = false) => ({ name: 'Jagd', enabled, trigger: { event, ...(where === undefined ? {} : { where }) }, actions });
export const fieldsOf = (reply: Reply) => (reply.body?.error?.fields ?? []) as Array<{ path: string; code: string; params?: Record<string, unknown> }>;

export function refused(reply: Reply, path: string, code: string) {
  expect(reply.status, JSON.stringify(reply.body).slice(0, 2_000)).toBe(400);
  expect(fieldsOf(reply)).toEqual(expect.arrayContaining([expect.objectContaining({ path, code })]));
}

/** Waits until the automation has counted `runs` runs. */
export const runsOf = (w: HostileWorld, id: string, runs: number) =>
  waitFor(async () => {
    const automation = await w.get(id);
    return automation.runCount >= runs ? automation : undefined;
  }, `${runs} run(s) of ${id}`, 15_000);

/** The file's local stack with the faulty mailer, started before its tests and stopped after them. */
export function useFaultyApi(ready: (api: TestApi) => void): void {
  let api: TestApi | undefined;
  beforeAll(async () => {
    api = await startTestApi({ wrapMailer: faulty });
    ready(api);
  });
  afterAll(async () => {
    for (const release of faults.release) release(new Error('test over'));
    await api?.stack.stop();
  });
}

/** The execution of an automation that a second attempt finished. */
export const resumedRun = (w: HostileWorld, automationId: string) =>
  waitFor(async () => {
    const items = (await w.call('GET', `/automations/${automationId}/executions`)).body.items as any[];
    return items.find((e) => e.status !== 'running' && e.attempts === 2);
  }, 'the resumed run');
