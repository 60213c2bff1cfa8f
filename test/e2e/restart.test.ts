import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalStack } from '#infra/local/stack';
import { freePort } from '#infra/local/dynamodb-local';

describe('npm start keeps its data', () => {
  it('serves a contact written before a restart, with the same dev keys', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-restart-'));
    const options = { dataDir, apiPort: 0, eventBusPort: 0, smtpPort: 0, sesPort: 0, schedulerPort: 0, dynamoPort: await freePort() };

    const first = await startLocalStack(options);
    const token = await first.auth.sign({ tenantId: 'acme', role: 'agent' });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${first.apiUrl}/contacts`, { method: 'POST', headers, body: JSON.stringify({ lastName: 'Bleibt' }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await first.stop();

    const second = await startLocalStack(options);
    try {
      const read = await fetch(`${second.apiUrl}/contacts/${id}`, { headers });
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ id, lastName: 'Bleibt' });
    } finally {
      await second.stop();
    }
  }, 60_000);
});
