import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { CreateEmailIdentityCommand, CreateTenantCommand, GetEmailIdentityCommand, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSes, verifyDomainLocally } from '#infra/local/ses-v2';
import { composeMessage } from '#shared/engine/mime';
import { sesTenantName } from '#shared/senders/identity-service';
import { agencyWorld, executionsOf, installPreset, mailTo } from '../support/automation-world.ts';
import { tenant } from '../support/dynamo.ts';
import { startTestApi, type Reply, type TestApi } from '../support/local-api.ts';

/**
 * Sending identities per tenant, as an attacker tries them: tenant B going after tenant A's sender
 * address, A's domain, A's inbound addresses and A's platform address, through the API and by a
 * settings item forged directly in the table.
 */
let api: TestApi;
let a: Awaited<ReturnType<typeof agencyWorld>>;
let b: Awaited<ReturnType<typeof agencyWorld>>;
const A = tenant();
const B = tenant();
const PLATFORM = 'inbound.crm.example';

beforeAll(async () => {
  api = await startTestApi();
  a = await agencyWorld(api, A);
  b = await agencyWorld(api, B);
});
afterAll(() => api.stack.stop());

const fields = (reply: Reply) => (reply.body?.error?.fields ?? []) as Array<{ path: string; code: string; params?: Record<string, unknown> }>;
const settingsOf = (w: typeof a, body: Record<string, unknown>) => api.call('PUT', '/settings', { token: w.admin, body: { name: 'Acme Immobilien', ...body } });
async function currentVersion(w: typeof a): Promise<number> {
  return (await api.call('GET', '/settings', { token: w.admin })).body.version;
}

describe('sender domains', () => {
  it('registers a domain: pending, with the three DKIM CNAMEs to publish; verified after the dev verification', async () => {
    const domain = `neu.${A}.example`;
    const created = await api.call('POST', '/sender-domains', { token: a.admin, body: { domain } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('location')).toBe(`/sender-domains/${domain}`);
    expect(created.body).toMatchObject({ domain, tenantId: A, status: 'pending' });
    expect(created.body.dkimRecords).toHaveLength(3);
    for (const record of created.body.dkimRecords) {
      expect(record).toEqual({ name: expect.stringMatching(new RegExp(`^[a-z0-9]{32}\\._domainkey\\.${domain.replaceAll('.', '\\.')}$`)), type: 'CNAME', value: expect.stringMatching(/^[a-z0-9]{32}\.dkim\.amazonses\.com$/) });
      expect(record.value.split('.')[0]).toBe(record.name.split('.')[0]);
    }
    expect((await api.call('GET', `/sender-domains/${domain}`, { token: a.admin })).body).toMatchObject({ status: 'pending' });

    await verifyDomainLocally(api.stack.sesUrl, domain);
    const verified = await api.call('GET', `/sender-domains/${domain}`, { token: a.admin });
    expect(verified.body).toMatchObject({ domain, status: 'verified', verifiedAt: expect.any(String), dkimRecords: created.body.dkimRecords });
    const listed = (await api.call('GET', '/sender-domains', { token: a.admin })).body.items;
    expect(listed.map((d: { domain: string }) => d.domain)).toEqual(expect.arrayContaining([domain, a.domain]));
    expect(listed.find((d: { domain: string }) => d.domain === domain).status).toBe('verified');

    // Registering it again is harmless: 200 with the current state.
    const again = await api.call('POST', '/sender-domains', { token: a.admin, body: { domain } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ domain, status: 'verified' });
  });

  it('shows a failed verification as failed', async () => {
    const domain = `kaputt.${A}.example`;
    expect((await api.call('POST', '/sender-domains', { token: a.admin, body: { domain } })).status).toBe(201);
    await verifyDomainLocally(api.stack.sesUrl, domain, 'failed');
    expect((await api.call('GET', `/sender-domains/${domain}`, { token: a.admin })).body.status).toBe('failed');
    const reply = await settingsOf(a, { senderAddress: `info@${domain}`, version: await currentVersion(a) });
    expect(reply.status).toBe(400);
    expect(fields(reply)).toEqual([expect.objectContaining({ path: 'senderAddress', code: 'sender_domain_not_verified', params: { domain, status: 'failed' } })]);
  });

  it('gives a domain to one tenant only: a second tenant gets 409, and cannot see it (404)', async () => {
    const reply = await api.call('POST', '/sender-domains', { token: b.admin, body: { domain: a.domain } });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('duplicate');
    expect(fields(reply)).toEqual([expect.objectContaining({ path: 'domain', code: 'already_in_use' })]);
    expect((await api.call('GET', `/sender-domains/${a.domain}`, { token: b.admin })).status).toBe(404);
    expect((await api.call('GET', '/sender-domains', { token: b.admin })).body.items.map((d: { domain: string }) => d.domain)).toEqual([b.domain]);
    // Still A's, still verified.
    expect((await api.call('GET', `/sender-domains/${a.domain}`, { token: a.admin })).body).toMatchObject({ tenantId: A, status: 'verified' });
  });

  it('lets exactly one of two tenants registering the same domain at once have it', async () => {
    const domain = `umkaempft-${A}.example`;
    const replies = await Promise.all([a, b].map((w) => api.call('POST', '/sender-domains', { token: w.admin, body: { domain } })));
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('refuses hostile domain strings with 400 and a code per problem', async () => {
    const cases: Array<[unknown, string]> = [
      ['Acme-Immobilien.de', 'not_lower_case'],
      ['müller-immobilien.de', 'not_ascii'],
      ['192.168.0.1', 'ip_literal'],
      ['[::1]', 'ip_literal'],
      ['localhost', 'single_label'],
      ['acme.de.', 'trailing_dot'],
      ['acme..de', 'empty_label'],
      ['-acme.de', 'hyphen_position'],
      ['acme_immo.de', 'invalid_characters'],
      ['acme immo.de', 'invalid_characters'],
      ['acme.de\r\nBcc: x@evil.example', 'invalid_characters'],
      ['acme.de/../x', 'invalid_characters'],
      ['ab--cd.de', 'reserved_label'],
      ['xn--abc.de', 'invalid_idna'],
      ['acme.123', 'invalid_tld'],
      [`${'a'.repeat(64)}.de`, 'label_too_long'],
      [`${'abcdefghi.'.repeat(26)}de`, 'too_big'],
      [PLATFORM, 'reserved_domain'],
      [`x.${PLATFORM}`, 'reserved_domain'],
      ['', 'required'],
      [42, 'invalid_type'],
      [undefined, 'required'],
    ];
    for (const [domain, code] of cases) {
      const reply = await api.call('POST', '/sender-domains', { token: a.admin, body: domain === undefined ? {} : { domain } });
      expect(reply.status, `${JSON.stringify(domain)}: ${JSON.stringify(reply.body)}`).toBe(400);
      expect(fields(reply), JSON.stringify(domain)).toEqual([expect.objectContaining({ path: 'domain', code })]);
    }
    const extra = await api.call('POST', '/sender-domains', { token: a.admin, body: { domain: `x.${A}.example`, tenantId: B } });
    expect(fields(extra)).toEqual([expect.objectContaining({ path: 'tenantId', code: 'unknown_field' })]);
    expect((await api.call('GET', `/sender-domains/${encodeURIComponent('Acme.DE')}`, { token: a.admin })).status).toBe(400);
    // An internationalised name in its ASCII form is fine.
    expect((await api.call('POST', '/sender-domains', { token: a.admin, body: { domain: `xn--mller-immobilien-xpb.${A}.example` } })).status).toBe(201);
  });

  it('is for admins only', async () => {
    expect((await api.call('POST', '/sender-domains', { token: a.agent, body: { domain: `agent.${A}.example` } })).status).toBe(403);
    expect((await api.call('GET', '/sender-domains', { token: a.agent })).status).toBe(403);
    expect((await api.call('GET', `/sender-domains/${a.domain}`, { token: a.agent })).status).toBe(403);
  });
});

describe('the sender address', () => {
  it('must be on a verified domain of the tenant: B cannot send as A', async () => {
    const version = await currentVersion(b);
    for (const senderAddress of [a.senderAddress, `INFO@${a.domain.toUpperCase()}`, `info@mail.${b.domain}`, 'info@nirgendwo.example']) {
      const reply = await settingsOf(b, { senderAddress, version });
      expect(reply.status, senderAddress).toBe(400);
      const domain = senderAddress.toLowerCase().split('@')[1];
      expect(fields(reply), senderAddress).toEqual([expect.objectContaining({ path: 'senderAddress', code: 'sender_domain_not_verified', params: { domain, status: 'unregistered' } })]);
    }
    expect((await api.call('GET', '/settings', { token: b.admin })).body).toMatchObject({ senderAddress: b.senderAddress, version });
  });

  it('is refused on a domain still pending, and accepted once it is verified', async () => {
    const domain = `pending.${B}.example`;
    await api.call('POST', '/sender-domains', { token: b.admin, body: { domain } });
    const refused = await settingsOf(b, { senderAddress: `info@${domain}`, inboundAddresses: [b.inbound], version: await currentVersion(b) });
    expect(fields(refused)).toEqual([expect.objectContaining({ code: 'sender_domain_not_verified', params: { domain, status: 'pending' } })]);
    await verifyDomainLocally(api.stack.sesUrl, domain);
    const saved = await settingsOf(b, { senderAddress: `info@${domain}`, inboundAddresses: [b.inbound], version: await currentVersion(b) });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    // Back to the world's address for the tests below.
    expect((await settingsOf(b, { senderAddress: b.senderAddress, inboundAddresses: [b.inbound], version: saved.body.version })).status).toBe(200);
  });
});

describe('inbound addresses', () => {
  it('cannot be on another tenant\'s domain, nor be another tenant\'s platform address', async () => {
    const version = await currentVersion(b);
    const reply = await settingsOf(b, {
      senderAddress: b.senderAddress,
      inboundAddresses: [`kontakt@${a.domain}`, `${A}@${PLATFORM}`, `${A}+portal@${PLATFORM}`, `${B}-x@${PLATFORM}`, `postfach@sub.${PLATFORM}`, 'anfragen@crm.example'],
      version,
    });
    expect(reply.status).toBe(400);
    expect(fields(reply)).toEqual([
      expect.objectContaining({ path: 'inboundAddresses.0', code: 'inbound_domain_not_verified', params: expect.objectContaining({ domain: a.domain, status: 'unregistered', platformAddress: `${B}@${PLATFORM}` }) }),
      expect.objectContaining({ path: 'inboundAddresses.1', code: 'not_own_platform_address' }),
      expect.objectContaining({ path: 'inboundAddresses.2', code: 'not_own_platform_address' }),
      expect.objectContaining({ path: 'inboundAddresses.3', code: 'not_own_platform_address' }),
      expect.objectContaining({ path: 'inboundAddresses.4', code: 'not_own_platform_address' }),
      expect.objectContaining({ path: 'inboundAddresses.5', code: 'inbound_domain_not_verified', params: expect.objectContaining({ domain: 'crm.example' }) }),
    ]);
    expect((await api.call('GET', '/settings', { token: b.admin })).body.version).toBe(version);
  });

  it('may be on a verified domain of the tenant, or the tenant\'s own platform addresses', async () => {
    const saved = await settingsOf(b, {
      senderAddress: b.senderAddress,
      inboundAddresses: [`kontakt@${b.domain}`, `${B}@${PLATFORM}`, `${B}+immoscout@${PLATFORM}`],
      version: await currentVersion(b),
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(await api.stack.stores.settings.findTenantByInboundAddress(`${B}+immoscout@${PLATFORM}`)).toBe(B);
    // A's platform address stays free for A, and is A's once A claims it.
    const claimed = await settingsOf(a, { senderAddress: a.senderAddress, inboundAddresses: [a.inbound, `${A}@${PLATFORM}`], version: await currentVersion(a) });
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(await api.stack.stores.settings.findTenantByInboundAddress(`${A}@${PLATFORM}`)).toBe(A);
  });
});

describe('sending', () => {
  it('goes out through the tenant\'s SES tenant, From its own domain', async () => {
    const automation = await installPreset(api, a.admin, 'viewing-confirmation');
    await a.must('POST', '/activities', { type: 'appointment', category: 'Besichtigung', contactIds: [a.erika.id], propertyId: a.property.id, startsAt: '2026-12-03T13:00:00Z', endsAt: '2026-12-03T13:45:00Z' });
    const [execution] = await executionsOf(api, a.admin, automation.id);
    expect(execution.status).toBe('succeeded');
    const [mail] = await mailTo(api, 'erika@example.com');
    expect(mail!.from).toContain(a.senderAddress);
  });

  it('fails with MessageRejected when a forged settings item names another tenant\'s domain: nothing is sent', async () => {
    // B's settings item written past the API, as an attacker with table access (or a bug) could.
    const current = await api.stack.stores.settings.get(B);
    await api.stack.stores.settings.put(B, { name: 'Acme Immobilien', timeZone: 'Europe/Berlin', senderAddress: a.senderAddress, inboundAddresses: [], version: current.version });
    const recipient = `opfer-${B}@example.com`;
    const contact = await b.must('POST', '/contacts', { salutation: 'ms', lastName: 'Opfer', email: recipient });
    const automation = await installPreset(api, b.admin, 'viewing-confirmation');
    await b.must('POST', '/activities', { type: 'appointment', category: 'Besichtigung', contactIds: [contact.id], propertyId: b.property.id, startsAt: '2026-12-04T09:00:00Z', endsAt: '2026-12-04T09:30:00Z' });
    const [execution] = await executionsOf(api, b.admin, automation.id);
    expect(execution).toMatchObject({ status: 'failed', retryable: false, steps: [{ type: 'send_email', status: 'failed' }] });
    expect(execution.error).toMatch(/MessageRejected/);
    expect(execution.error).toContain(a.domain);
    expect((await api.call('GET', `/automations/${automation.id}`, { token: b.admin })).body).toMatchObject({ lastRunStatus: 'failed', lastError: expect.stringMatching(/MessageRejected/) });
    await new Promise((r) => setTimeout(r, 300));
    expect(await mailTo(api, recipient)).toEqual([]);
    expect((await api.call('GET', `/activities?contactId=${contact.id}&type=email`, { token: b.agent })).body.items).toEqual([]);
  });
});

describe('the local SES v2 stand-in', () => {
  const client = () => new SESv2Client({ endpoint: api.stack.sesUrl, maxAttempts: 1 });
  const raw = (from: string) => composeMessage({ from: { address: from }, to: 'probe@example.com', subject: 'Probe', html: '<p>x</p>', text: 'x' });
  const rejection = async (send: Promise<unknown>) => {
    const error = (await send.then(() => undefined, (e: unknown) => e)) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
    return { name: error?.name, status: error?.$metadata?.httpStatusCode, message: error?.message };
  };

  it('refuses a raw From header on another tenant\'s domain even when FromEmailAddress is the own one', async () => {
    const result = await rejection(
      client().send(new SendEmailCommand({ TenantName: sesTenantName(B), FromEmailAddress: b.senderAddress, Destination: { ToAddresses: ['probe@example.com'] }, Content: { Raw: { Data: await raw(a.senderAddress) } } })),
    );
    expect(result).toMatchObject({ name: 'MessageRejected', status: 400 });
    const ok = await client().send(new SendEmailCommand({ TenantName: sesTenantName(B), FromEmailAddress: b.senderAddress, Destination: { ToAddresses: ['probe@example.com'] }, Content: { Raw: { Data: await raw(b.senderAddress) } } }));
    expect(ok.MessageId).toEqual(expect.any(String));
  });

  it('refuses a send without TenantName, SES v1 sends, and an identity not verified', async () => {
    expect(await rejection(client().send(new SendEmailCommand({ FromEmailAddress: a.senderAddress, Destination: { ToAddresses: ['probe@example.com'] }, Content: { Raw: { Data: await raw(a.senderAddress) } } })))).toMatchObject({ name: 'MessageRejected' });
    const v1 = new SESClient({ endpoint: api.stack.sesUrl, maxAttempts: 1 });
    expect(await rejection(v1.send(new SendRawEmailCommand({ RawMessage: { Data: await raw(a.senderAddress) }, Source: a.senderAddress })))).toMatchObject({ name: 'AccessDenied', status: 403 });
    const pending = await pendingDomain(`wartet.${A}.example`);
    expect(await rejection(client().send(new SendEmailCommand({ TenantName: sesTenantName(A), FromEmailAddress: `info@${pending}`, Destination: { ToAddresses: ['probe@example.com'] }, Content: { Raw: { Data: await raw(`info@${pending}`) } } })))).toMatchObject({
      name: 'MessageRejected',
      message: expect.stringContaining('not verified'),
    });
  });

  it('answers CreateTenant and CreateEmailIdentity twice with AlreadyExistsException, an unknown identity with NotFoundException', async () => {
    expect(await rejection(client().send(new CreateTenantCommand({ TenantName: sesTenantName(A) })))).toMatchObject({ name: 'AlreadyExistsException', status: 400 });
    expect(await rejection(client().send(new CreateEmailIdentityCommand({ EmailIdentity: a.domain })))).toMatchObject({ name: 'AlreadyExistsException' });
    expect(await rejection(client().send(new GetEmailIdentityCommand({ EmailIdentity: 'unbekannt.example' })))).toMatchObject({ name: 'NotFoundException', status: 404 });
    expect(await rejection(client().send(new CreateTenantCommand({ TenantName: 'kein gültiger name' })))).toMatchObject({ name: 'BadRequestException' });
  });

  it('keeps identities and tenants across a restart', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'ses-')), 'identities.json');
    let ses = await startLocalSes({ port: 0, region: 'eu-central-1', statePath });
    const first = new SESv2Client({ endpoint: ses.url, maxAttempts: 1 });
    await first.send(new CreateEmailIdentityCommand({ EmailIdentity: 'bleibt.example' }));
    await verifyDomainLocally(ses.url, 'bleibt.example');
    first.destroy();
    await ses.stop();
    ses = await startLocalSes({ port: 0, region: 'eu-central-1', statePath });
    const second = new SESv2Client({ endpoint: ses.url, maxAttempts: 1 });
    expect(await second.send(new GetEmailIdentityCommand({ EmailIdentity: 'bleibt.example' }))).toMatchObject({ VerifiedForSendingStatus: true, DkimAttributes: { Status: 'SUCCESS' } });
    second.destroy();
    await ses.stop();
  });
});

/** A domain registered for A and left pending. */
async function pendingDomain(domain: string): Promise<string> {
  const reply = await api.call('POST', '/sender-domains', { token: a.admin, body: { domain } });
  expect(reply.status).toBe(201);
  return domain;
}
