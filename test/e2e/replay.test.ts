import { describe, expect, it } from 'vitest';
import { tenant } from '../support/dynamo.ts';
import { useTestApi, type TestApi } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';

/**
 * A runner that fails on every delivery (a bug) dead-letters its events; after the fix a replay
 * from the bus's archive, or a redrive of the dead letters, runs each automation once per event,
 * and a second replay changes nothing (the runs' claims).
 */

let api: TestApi;
const t = tenant();
let broken = true;
useTestApi(t, (session) => ({ api } = session), {
  targets: {
    contacts: async (event) => {
      if (broken) throw new Error('a bug in the contacts runner');
      await api.stack.engine.handle(event);
    },
  },
});

const runsOf = async (admin: string, automationId: string) => (await api.call('GET', `/automations/${automationId}/executions`, { token: admin })).body.items as Array<{ contactId?: string; status: string }>;

describe('replaying events after a fix', () => {
  it('runs each automation once per event that never ran, and not again on a second replay; a redrive does the same', async () => {
    const admin = await api.token(t, 'admin');
    const agent = await api.token(t, 'agent');
    const automation = (await api.call('POST', '/automations', { token: admin, body: { name: 'Neue Kontakte als Interessent', enabled: true, trigger: { event: 'ContactCreated' }, actions: [{ type: 'update_contact', set: { status: 'Interessent' } }] } })).body;
    const from = new Date(Date.now() - 1_000).toISOString();
    const contacts = [];
    for (const name of ['Eins', 'Zwei', 'Drei']) contacts.push((await api.call('POST', '/contacts', { token: agent, body: { lastName: name } })).body);
    await waitFor(() => (api.stack.bus.deadLetters.filter((l) => l.target === 'contacts').length >= 3 ? true : undefined), 'the failing deliveries to be dead-lettered');
    expect(await runsOf(admin, automation.id)).toEqual([]);

    broken = false;
    const replayed = await api.call('POST', '/_local/replays', { body: { from, to: new Date(Date.now() + 1_000).toISOString(), detailType: 'ContactCreated' } });
    expect(replayed.status).toBe(200);
    expect(replayed.body.replayed).toBeGreaterThanOrEqual(3);
    await api.stack.bus.idle();
    const runs = await waitFor(async () => {
      const items = await runsOf(admin, automation.id);
      return items.length >= 3 ? items : undefined;
    }, 'the replayed runs');
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    for (const contact of contacts) expect((await api.call('GET', `/contacts/${contact.id}`, { token: agent })).body.status).toBe('Interessent');

    // Again: every run is claimed already, nothing runs twice; the redrive of the dead letters neither.
    await api.call('POST', '/_local/replays', { body: { from, to: new Date(Date.now() + 1_000).toISOString() } });
    const redriven = await api.call('POST', '/_local/redrive', {});
    expect(redriven.body.redriven).toBeGreaterThanOrEqual(3);
    await api.stack.bus.idle();
    expect(await runsOf(admin, automation.id)).toHaveLength(3);
    expect((await api.call('POST', '/_local/replays', { body: { from: 'gestern' } })).status).toBe(400);
  });
});
