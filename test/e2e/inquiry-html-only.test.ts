import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendEml, verifiedDomain } from '../support/automation-world.ts';
import { tenant } from '../support/dynamo.ts';
import { useTestApi, type TestSession } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';

const t = tenant();
const INBOUND = 'anfragen@html-only.example';
const FIXTURE = 'unstructured-html-only';
let session: TestSession;
useTestApi(t, (s) => (session = s));

const inquiries = async () => (await session.api.call('GET', '/inquiries?limit=100', { token: session.agent })).body.items as any[];

describe('an inquiry mailed with an HTML part only', () => {
  it('records the HTML body\'s text as the message, read back with GET /inquiries/{id}', async () => {
    const { api, admin, agent } = session;
    await verifiedDomain(api, admin, 'html-only.example');
    expect((await api.call('PUT', '/settings', { token: admin, body: { name: 'Acme', inboundAddresses: [INBOUND] } })).status).toBe(200);
    await sendEml(api, `${FIXTURE}.eml`, INBOUND);
    const listed = await waitFor(async () => (await inquiries()).find((i) => i.messageId === '<html-only-7731@mail.example.net>'), 'the inquiry');

    const reply = await api.call('GET', `/inquiries/${listed.id}`, { token: agent });
    expect(reply.status).toBe(200);
    const { note: _note, ...expected } = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/inquiries', `${FIXTURE}.expected.json`), 'utf8'));
    expect(reply.body).toMatchObject({ status: 'received', format: 'unstructured', extracted: expected });
    expect(reply.body.extracted.message).not.toBe('Wohnung Lindenallee');
    expect(JSON.stringify(reply.body)).not.toMatch(/document\.cookie|tracker\.example|Entwurf|p \{ margin/);

    const stranger = await api.token(tenant(), 'agent');
    expect((await api.call('GET', `/inquiries/${listed.id}`, { token: stranger })).status).toBe(404);
  });
});
