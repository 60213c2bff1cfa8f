import { describe, expect, it } from 'vitest';
import type { Mailer } from '#shared/engine/mailer';
import { agencyWorld, mailTo } from '../support/automation-world.ts';
import { tenant } from '../support/dynamo.ts';
import { useTestApi, type TestApi } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';

/**
 * A run woken by its schedule whose next step fails transiently (SES throttles the send) is not
 * left open: the wake-up is retried (Scheduler's retry locally, Lambda's on AWS) and the run goes
 * on from the failed step, sending its e-mail once.
 */

let api: TestApi;
const t = tenant();
let throttles = 0;
const throttling = (mailer: Mailer): Mailer => ({
  send: async (message) => {
    if (message.to.startsWith('throttled-') && throttles < 2) {
      throttles++;
      throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' });
    }
    return mailer.send(message);
  },
});
useTestApi(t, (session) => ({ api } = session), { wrapMailer: throttling });

describe('a woken run whose send is throttled', () => {
  it('is retried by its wake-up and sends once', async () => {
    const world = await agencyWorld(api, t);
    const automation = await world.must('POST', '/automations', {
      name: 'Nach einem Tag nachfassen',
      enabled: true,
      trigger: { event: 'ContactCreated', where: { contact: { lastName: ['Gedrosselt'] } } },
      actions: [{ type: 'wait', for: 'P1D' }, { type: 'send_email', to: 'contact', subject: 'Noch Fragen?', body: '{{greeting contact}}, haben Sie noch Fragen?' }],
    }, world.admin);
    const email = `throttled-${t}@example.com`;
    await world.must('POST', '/contacts', { salutation: 'mr', lastName: 'Gedrosselt', email });
    const waiting = await waitFor(async () => (await api.call('GET', `/automations/${automation.id}/executions?status=waiting`, { token: world.admin })).body.items[0], 'the waiting run');

    expect((await api.call('POST', '/_local/clock', { body: { advance: 'P1D' } })).status).toBe(200);
    const done = await waitFor(async () => {
      const run = (await api.call('GET', `/executions/${waiting.id}`, { token: world.admin })).body;
      return run.status === 'succeeded' ? run : undefined;
    }, 'the run to succeed after the throttled attempts');
    expect(throttles).toBe(2);
    expect(done.steps[1]).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(done.attempts).toBe(3);
    expect(await mailTo(api, email)).toHaveLength(1);
    expect((await api.call('GET', `/automations/${automation.id}`, { token: world.admin })).body).toMatchObject({ lastRunStatus: 'succeeded', runCount: 1, failureCount: 0 });
  });
});
