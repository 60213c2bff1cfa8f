import { describe, expect, it } from 'vitest';
import { type agencyWorld, mailTo } from '../support/automation-world.ts';
import type { TestApi } from '../support/local-api.ts';
import { useFaultProxyWorld, type SesFaultProxy } from '../support/ses-fault-proxy.ts';
import { waitFor } from '../support/wait.ts';

let api: TestApi;
let world: Awaited<ReturnType<typeof agencyWorld>>;
let proxy: SesFaultProxy;
useFaultProxyWorld((session) => ({ api, world, proxy } = session));

describe('a run the local bus gives up on', () => {
  it('is closed as failed, not retryable, with the reason, and shows as the automation\'s last run', async () => {
    const automation = await world.must('POST', '/automations', {
      // Only this contact: the world's own contacts may still be on their way through the pipeline.
      name: 'Willkommen', trigger: { event: 'ContactCreated', where: { contact: { email: ['given-up@example.com'] } } }, enabled: true,
      actions: [{ type: 'send_email', to: 'contact', subject: 'Willkommen', body: 'Guten Tag {{contact.lastName}}' }],
    }, world.admin);
    proxy.fail(3, 'Throttling'); // every one of the bus's three attempts
    const contact = await world.must('POST', '/contacts', { lastName: 'Gedrosselt', email: 'given-up@example.com' });
    const run = await waitFor(async () => {
      const items = (await api.call('GET', `/automations/${automation.id}/executions`, { token: world.admin })).body.items as any[];
      return items.find((e) => e.event.contact?.id === contact.id && e.retryable === false);
    }, 'the closed run', 20_000);
    expect(run).toMatchObject({
      status: 'failed',
      retryable: false,
      attempts: 3,
      error: expect.stringMatching(/^Given up after the retries: The runner failed on every delivery attempt: .*Throttling/),
      steps: [{ type: 'send_email', status: 'failed' }],
    });
    expect(api.stack.bus.deadLetters.filter((d) => (d.event.detail.contact as { id?: string } | undefined)?.id === contact.id)).toHaveLength(1);
    const after = (await api.call('GET', `/automations/${automation.id}`, { token: world.admin })).body;
    expect(after).toMatchObject({ lastRunStatus: 'failed', lastExecutionId: run.id, lastError: run.error, runCount: 1, failureCount: 1 });
    expect((await api.call('GET', '/executions?status=running', { token: world.admin })).body.items).toEqual([]);
    expect(await mailTo(api, 'given-up@example.com')).toEqual([]);
  }, 40_000);
});
