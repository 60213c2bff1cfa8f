import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencyWorld, executionsOf, mailTo } from '../support/automation-world.ts';
import { tenant } from '../support/dynamo.ts';
import { startTestApi, type TestApi } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Bounces and complaints on the local stack: the SES stand-in answers sends to SES's
 * mailbox-simulator addresses with Bounce and Complaint events, which the ses-events handler
 * turns into the contact's `emailStatus`; the next automation e-mail to that address is skipped.
 */
let api: TestApi;
let world: Awaited<ReturnType<typeof agencyWorld>>;
let automationId: string;
const T = tenant();

beforeAll(async () => {
  api = await startTestApi();
  world = await agencyWorld(api, T);
  automationId = (
    await world.must('POST', '/automations', {
      name: 'Statuswechsel mitteilen',
      enabled: true,
      trigger: { event: 'ContactUpdated', where: { changedFields: ['status'] } },
      actions: [{ type: 'send_email', to: 'contact', subject: 'Ihr Status: {{contact.status}}', body: '{{greeting contact}},\nIhr Status ist jetzt {{contact.status}}.' }],
    }, world.admin)
  ).id;
});
afterAll(() => api.stack.stop());

const getContact = async (id: string) => (await api.call('GET', `/contacts/${id}`, { token: world.agent })).body;
let runs = 0;
/** Changes the contact's status (the automation's trigger) and returns the run it caused. */
async function changeStatus(id: string, status: string) {
  const current = await getContact(id);
  await world.must('PATCH', `/contacts/${id}`, { version: current.version, status });
  runs++;
  const executions = await executionsOf(api, world.admin, automationId, runs);
  return executions.find((e: any) => e.contactId === id && e.event?.contact?.status === status) ?? executions[0];
}
const markedAs = (id: string, state: string) => waitFor(async () => {
  const contact = await getContact(id);
  return contact.emailStatus?.state === state ? contact : undefined;
}, `the contact ${id} marked ${state}`, 10_000);

describe('bounces and complaints', () => {
  it('marks a contact whose address bounced, shows it to agents, and skips the next e-mail with the reason', async () => {
    const address = 'bounce@simulator.amazonses.com';
    const bruno = await world.must('POST', '/contacts', { firstName: 'Bruno', lastName: 'Bounce', email: address });
    const first = await changeStatus(bruno.id, 'Kunde');
    expect(first.status).toBe('succeeded');
    expect(await mailTo(api, address)).toHaveLength(1);

    const marked = await markedAs(bruno.id, 'bounced');
    expect(marked.emailStatus).toEqual({ state: 'bounced', type: 'Permanent', subType: 'General', at: expect.any(String), address });
    const listed = (await api.call('GET', `/contacts?email=${encodeURIComponent(address)}`, { token: world.agent })).body.items;
    expect(listed[0].emailStatus).toEqual(marked.emailStatus);

    const second = await changeStatus(bruno.id, 'Eigentümer');
    expect(second.status).toBe('skipped');
    expect(second.steps[0]!.status).toBe('skipped');
    expect(second.reason).toMatch(new RegExp(`^The contact Bruno Bounce \\(${bruno.id}\\) has bounced \\(Permanent General, \\d{4}-\\d\\d-\\d\\d\\): no mail is sent to bounce@simulator\\.amazonses\\.com$`));
    await api.stack.sesEventsDelivered();
    expect(await mailTo(api, address)).toHaveLength(1);
  });

  it('refuses an API body that sets emailStatus', async () => {
    const contact = await world.must('POST', '/contacts', { lastName: 'Fälscher', email: 'faelscher@example.com' });
    const status = { state: 'bounced', type: 'Permanent', at: '2026-11-27T09:00:00.000Z', address: 'faelscher@example.com' };
    expect((await api.call('PATCH', `/contacts/${contact.id}`, { token: world.agent, body: { version: contact.version, emailStatus: status } })).status).toBe(400);
    expect((await api.call('PATCH', `/contacts/${contact.id}`, { token: world.agent, body: { version: contact.version, emailStatus: null } })).status).toBe(400);
    expect((await api.call('POST', '/contacts', { token: world.agent, body: { lastName: 'Neu', email: 'neu@example.com', emailStatus: status } })).status).toBe(400);
    expect((await getContact(contact.id)).emailStatus).toBeUndefined();
  });

  it('marks a complaining address (bounce+ and complaint+ variants too) and skips transactional mail to it', async () => {
    const address = 'complaint+erika@simulator.amazonses.com';
    const clara = await world.must('POST', '/contacts', { firstName: 'Clara', lastName: 'Complaint', email: address });
    expect((await changeStatus(clara.id, 'Kunde')).status).toBe('succeeded');
    const marked = await markedAs(clara.id, 'complained');
    expect(marked.emailStatus).toMatchObject({ state: 'complained', type: 'abuse', address });
    const next = await changeStatus(clara.id, 'Inaktiv');
    expect(next.status).toBe('skipped');
    expect(next.reason).toMatch(/^The contact Clara Complaint \(\w+\) has complained about mail \(abuse, \d{4}-\d\d-\d\d\): no mail is sent to complaint\+erika@simulator\.amazonses\.com$/);
    expect(await mailTo(api, address)).toHaveLength(1);
  });

  it('clears the mark when the contact gets another address, and mails it again', async () => {
    const bruno = await world.must('POST', '/contacts', { firstName: 'Bruno', lastName: 'Zwei', email: 'bounce+zwei@simulator.amazonses.com' });
    expect((await changeStatus(bruno.id, 'Kunde')).status).toBe('succeeded');
    const marked = await markedAs(bruno.id, 'bounced');
    const changed = await world.must('PATCH', `/contacts/${bruno.id}`, { version: marked.version, email: 'bruno.zwei@example.com' });
    expect(changed.emailStatus).toBeUndefined();
    expect((await getContact(bruno.id)).emailStatus).toBeUndefined();
    expect((await changeStatus(bruno.id, 'Eigentümer')).status).toBe('succeeded');
    expect(await mailTo(api, 'bruno.zwei@example.com')).toHaveLength(1);
  });
});
