import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalStack } from '#infra/local/stack';
import { freePort } from '#infra/local/dynamodb-local';
import { checkedClient, ok, rawCall } from '../support/api-client.ts';
import { waitFor } from '../support/wait.ts';

describe('npm start keeps its data', () => {
  it('serves a contact written before a restart, with the same dev keys', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-restart-'));
    const options = { dataDir, apiPort: 0, eventBusPort: 0, smtpPort: 0, sesPort: 0, schedulerPort: 0, dynamoPort: await freePort() };

    const first = await startLocalStack(options);
    const token = await first.auth.sign({ tenantId: 'acme', role: 'agent' });
    const { id } = await ok(checkedClient(first.apiUrl, token).POST('/contacts', { body: { lastName: 'Bleibt' } }));
    await first.stop();

    const second = await startLocalStack(options);
    try {
      const read = await ok(checkedClient(second.apiUrl, token).GET('/contacts/{id}', { params: { path: { id } } }));
      expect(read).toMatchObject({ id, lastName: 'Bleibt' });
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('keeps a run waiting across a restart: its schedule fires on the restarted stack, once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-restart-wait-'));
    const options = { dataDir, apiPort: 0, eventBusPort: 0, smtpPort: 0, sesPort: 0, schedulerPort: 0, dynamoPort: await freePort() };
    const first = await startLocalStack(options);
    const token = await first.auth.sign({ tenantId: 'acme', role: 'admin' });
    const call = (stack: typeof first, method: string, path: string, body?: unknown) => rawCall(checkedClient(stack.apiUrl, token), method, path, { body });
    const anna = (await call(first, 'POST', '/users', { firstName: 'Anna', lastName: 'Agent', email: 'anna@acme.example' })).body;
    const automation = (await call(first, 'POST', '/automations', {
      name: 'Zwei Stunden nach dem Anlegen: Aufgabe',
      enabled: true,
      trigger: { event: 'ContactCreated' },
      actions: [{ type: 'wait', for: 'PT2H' }, { type: 'create_task', assignee: { userId: anna.id }, title: 'Neuen Kontakt {{contact.lastName}} anrufen' }],
    })).body;
    expect(automation.id).toEqual(expect.any(String));
    await call(first, 'POST', '/contacts', { lastName: 'Wartet' });
    const waiting = await waitFor(async () => (await call(first, 'GET', `/automations/${automation.id}/executions?status=waiting`)).body.items[0], 'the waiting run');
    await first.stop();

    const second = await startLocalStack(options);
    try {
      // The restarted stack's clock starts again at the real time: move it past the wait.
      expect((await call(second, 'POST', '/_local/clock', { advance: 'PT3H' })).status).toBe(200);
      const done = await waitFor(async () => {
        const run = (await call(second, 'GET', `/executions/${waiting.id}`)).body;
        return run.status === 'succeeded' ? run : undefined;
      }, 'the run to go on after the restart');
      expect(done.steps.map((step: { status: string }) => step.status)).toEqual(['succeeded', 'succeeded']);
      expect((await call(second, 'GET', `/tasks?assigneeId=${anna.id}`)).body.items.map((t: { title: string }) => t.title)).toEqual(['Neuen Kontakt Wartet anrufen']);
    } finally {
      await second.stop();
    }
  }, 90_000);
});
