import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { expect } from 'vitest';
import { verifyDomainLocally } from '#infra/local/ses-v2';
import { dateInZone } from '#shared/birthdays/dates';
import { domainOf } from '#shared/senders/domain-name';
import type { Schemas } from '#shared/api/client/client';
import { ok, type TestApi } from './local-api.ts';
import { waitFor } from './wait.ts';

export interface SentMail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: Array<{ filename?: string; contentType: string; content: string }>;
  at: number;
}

/**
 * Registers `domain` for the admin's tenant (`POST /sender-domains`) and verifies it in the local
 * SES stand-in, as `npm run verify-domain` does: afterwards the tenant may send from it and
 * receive inquiries at it.
 */
export async function verifiedDomain(api: TestApi, admin: string, domain: string): Promise<string> {
  await ok(api.client(admin).POST('/sender-domains', { body: { domain } }));
  await verifyDomainLocally(api.stack.sesUrl, domain);
  return domain;
}

/**
 * A tenant set up as an agency would be: its own sender domain `<tenantId>.acme.example`,
 * registered and verified, settings sending from `info@` there and receiving inquiries at
 * `inbound` (default `anfragen@` the same domain; another domain is registered and verified too,
 * an address on the platform's inbound domain is taken as it is), two agents, a property, a contact.
 */
export async function agencyWorld(api: TestApi, tenantId: string, inbound?: string) {
  const admin = await api.token(tenantId, 'admin');
  const agent = await api.token(tenantId, 'agent');
  const must = async (method: string, path: string, body: unknown, token = agent) => {
    const reply = await api.call(method, path, { token, body });
    expect(reply.status, `${method} ${path}: ${JSON.stringify(reply.body)}`).toBeLessThan(300);
    return reply.body;
  };
  const domain = await verifiedDomain(api, admin, `${tenantId}.acme.example`);
  const senderAddress = `info@${domain}`;
  const inboundAddress = inbound ?? `anfragen@${domain}`;
  const inboundDomain = domainOf(inboundAddress);
  if (inboundDomain !== domain && inboundDomain !== api.stack.senderDomains.platformInboundDomain) await verifiedDomain(api, admin, inboundDomain);
  const [asAdmin, asAgent] = [api.client(admin), api.client(agent)];
  await ok(asAdmin.PUT('/settings', { body: { name: 'Acme Immobilien', senderAddress, inboundAddresses: [inboundAddress] } }));
  const anna = await ok(asAdmin.POST('/users', { body: { firstName: 'Anna', lastName: 'Agent', email: 'anna@acme.example' } }));
  const otto = await ok(asAdmin.POST('/users', { body: { firstName: 'Otto', lastName: 'Owner', email: 'otto@acme.example' } }));
  const property = await ok(asAgent.POST('/properties', { body: { unitId: 'MI-2026-014', title: 'Altbau in Mitte', contactPersonId: anna.id, portalIds: { immoscout24: '148923311' } } }));
  const today = dateInZone(new Date(), 'Europe/Berlin');
  const erika = await ok(
    asAgent.POST('/contacts', {
      body: { salutation: 'ms', firstName: 'Erika', lastName: 'Musterfrau', email: 'erika@example.com', birthday: `1980-${today.slice(5)}`, newsletter: true, gdprConsent: true, ownerId: otto.id },
    }),
  );
  return { admin, agent, anna, otto, property, erika, today, must, domain, senderAddress, inbound: inboundAddress };
}

export async function installPreset(api: TestApi, admin: string, preset: string, params: Record<string, unknown> = {}) {
  return ok(api.client(admin).POST('/automations', { body: { preset, params, enabled: true } }));
}

export async function inbox(api: TestApi): Promise<SentMail[]> {
  const response = await fetch(`${api.stack.sesUrl}/store`);
  return ((await response.json()) as { emails: SentMail[] }).emails;
}

export const mailTo = async (api: TestApi, address: string) => (await inbox(api)).filter((m) => m.destination.to.some((to) => to.includes(address)));

/** The executions of an automation, once `count` of them are no longer running. */
/**
 * The executions of an automation, newest first, once `count` of them are no longer running (so
 * the first is always there).
 */
export async function executionsOf(api: TestApi, admin: string, automationId: string, count = 1): Promise<Runs> {
  return waitFor(async () => {
    const { items } = await ok(api.client(admin).GET('/automations/{id}/executions', { params: { path: { id: automationId } } }));
    const done = items.filter((e) => e.status !== 'running');
    return done.length >= count ? (done as Runs) : undefined;
  }, `${count} finished execution(s) of ${automationId}`, 15_000);
}

type Execution = Schemas['Execution'];
type Runs = [Execution, ...Execution[]];

export async function sendEml(api: TestApi, file: string, to: string) {
  const raw = readFileSync(join(import.meta.dirname, '../fixtures/inquiries', file));
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: api.stack.smtpPort, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ envelope: { from: 'portal@example.org', to }, raw });
  } finally {
    transport.close();
  }
}
