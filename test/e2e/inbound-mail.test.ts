import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifiedDomain } from '../support/automation-world.ts';
import { startTestApi, type TestApi } from '../support/local-api.ts';
import { tenant } from '../support/dynamo.ts';
import { waitFor } from '../support/wait.ts';

const DIR = join(import.meta.dirname, '../fixtures/inquiries');
const INBOUND = 'anfragen@meine-immobilien.de';
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.eml')).map((f) => f.replace(/\.eml$/, ''));

let api: TestApi;
let agent: string;
const t = tenant();
const properties: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi();
  const admin = await api.token(t, 'admin');
  agent = await api.token(t, 'agent');
  // An inbound address must be on a verified domain of the tenant.
  await verifiedDomain(api, admin, 'meine-immobilien.de');
  expect((await api.call('PUT', '/settings', { token: admin, body: { name: 'Meine Immobilien', inboundAddresses: [INBOUND] } })).status).toBe(200);
  for (const [unitId, portalIds] of [
    ['MI-2026-014', { immoscout24: '148923311' }],
    ['MI-2026-007', {}],
    ['MI-2026-021', {}],
    ['MI-2026-030', { immoscout24: '150001234' }],
  ] as const) {
    const reply = await api.call('POST', '/properties', { token: agent, body: { unitId, title: `Objekt ${unitId}`, portalIds } });
    properties[unitId] = reply.body.id;
  }
});
afterAll(() => api.stack.stop());

async function send(raw: Buffer | string, to = INBOUND) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: api.stack.smtpPort, secure: false, ignoreTLS: true });
  try {
    return await transport.sendMail({ envelope: { from: 'sender@example.org', to }, raw });
  } finally {
    transport.close();
  }
}

const inquiries = async () => (await api.call('GET', '/inquiries?limit=100', { token: agent })).body.items as any[];
const inquiryEvents = () => api.stack.bus.recent().filter((d) => d.event['detail-type'] === 'InquiryReceived' && d.event.detail.tenantId === t);

/** The property each fixture must be linked to: by the object number, else by the portal listing. */
const LINKED: Record<string, string | undefined> = {
  'portal-openimmo-utf8': 'MI-2026-014',
  'website-openimmo-latin1': 'MI-2026-007',
  'website-tagged-html': 'MI-2026-021',
  'portal-text-only': 'MI-2026-030',
  'hostile-xxe-markup': 'MI-2026-014',
  'unstructured-personal': undefined,
  'forged-portal-sender': 'MI-2026-030',
};

/**
 * Whether each fixture's From domain is authenticated, by the verdicts its X-Local-…-Verdict
 * headers give the local SMTP stand-in (GRAY without one): DMARC PASS, or (website-tagged-html,
 * no DMARC record) a DKIM PASS signed by the From domain. The forged portal mail passes SPF and
 * DKIM for the attacker's own domain only.
 */
const AUTHENTICATED: Record<string, string | null> = {
  'portal-openimmo-utf8': 'noreply@immobilienscout24.de',
  'portal-text-only': 'noreply@immobilienscout24.de',
  'website-openimmo-latin1': 'info@meine-immobilien.de',
  'website-tagged-html': 'info@meine-immobilien.de',
  'unstructured-personal': 'sabine.krueger@example.com',
  'hostile-xxe-markup': null,
  'unstructured-html-only': null,
  'forged-portal-sender': null,
};

/** The verdicts a fixture's X-Local-…-Verdict headers set, and the bytes of those lines (the stand-in strips them). */
function localVerdicts(raw: Buffer) {
  const text = raw.toString('latin1');
  const verdict = (name: string) => new RegExp(`^X-Local-${name}-Verdict:\\s*(\\S+)`, 'im').exec(text)?.[1] ?? 'GRAY';
  const strippedBytes = [...text.matchAll(/^X-Local-[^\n]*\n/gim)].reduce((n, m) => n + m[0].length, 0);
  return { verdicts: { spf: verdict('Spf'), dkim: verdict('Dkim'), dmarc: verdict('Dmarc') }, strippedBytes };
}

describe('inquiry e-mails over SMTP', () => {
  for (const name of fixtures) {
    it(`${name}: records one inquiry with the expected fields, linked to its property, and emits InquiryReceived`, async () => {
      const { note: _note, ...expected } = JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), 'utf8'));
      const raw = readFileSync(join(DIR, `${name}.eml`));
      const messageId = /^Message-ID:\s*(.+)$/im.exec(raw.toString('latin1'))![1]!.trim();
      const { verdicts, strippedBytes } = localVerdicts(raw);
      await send(raw);
      const inquiry = await waitFor(async () => (await inquiries()).find((i) => i.messageId === messageId), `the inquiry of ${name}`);
      expect(inquiry).toMatchObject({ status: 'received', format: expected.format, recipient: INBOUND, verdicts: { spam: 'PASS', virus: 'PASS', ...verdicts } });
      expect(name in AUTHENTICATED, `AUTHENTICATED names ${name}`).toBe(true);
      expect(inquiry).toMatchObject({ authenticated: AUTHENTICATED[name] !== null, fromAddress: AUTHENTICATED[name], authenticationReason: expect.any(String) });
      expect(inquiry.from).toMatch(/@/);
      expect(inquiry.extracted).toMatchObject(expected);
      expect(inquiry.rawMessage).toMatchObject({ bucket: 'crm-inbound-mail', key: expect.stringMatching(/^inbound\//), sizeBytes: expect.any(Number) });
      expect(inquiry.rawMessage.sizeBytes).toBeGreaterThanOrEqual(raw.length - strippedBytes);
      expect(readFileSync(api.stack.s3.pathOf('crm-inbound-mail', inquiry.rawMessage.key), 'latin1')).not.toMatch(/X-Local-/i);
      const unit = LINKED[name];
      if (unit) expect(inquiry.propertyId).toBe(properties[unit]);
      else expect(inquiry).not.toHaveProperty('propertyId');
      await waitFor(() => (inquiryEvents().some((d) => (d.event.detail as any).inquiry.id === inquiry.id) ? true : undefined), `InquiryReceived for ${name}`);
    });
  }

  it('records a message delivered twice once, with one event', async () => {
    const raw = readFileSync(join(DIR, 'portal-text-only.eml')).toString('utf8').replace('<is24-0002@mail.immobilienscout24.de>', '<twice@example.org>');
    await send(raw);
    await send(raw);
    await waitFor(async () => ((await inquiries()).some((i) => i.messageId === '<twice@example.org>') ? true : undefined), 'the inquiry');
    await new Promise((r) => setTimeout(r, 600));
    const recorded = (await inquiries()).filter((i) => i.messageId === '<twice@example.org>');
    expect(recorded).toHaveLength(1);
    expect(inquiryEvents().filter((d) => (d.event.detail as any).inquiry.id === recorded[0].id)).toHaveLength(1);
  });

  it('keeps the hostile message inert: no entity resolved, markup and line breaks stored as text', async () => {
    const hostile = (await inquiries()).find((i) => i.messageId === '<evil-1@example.com>');
    expect(hostile.extracted.firstName).toBeNull();
    expect(JSON.stringify(hostile)).not.toMatch(/root:|\/bin\/(ba)?sh/);
    expect(hostile.extracted.lastName).toBe('<script>alert(1)</script>');
  });

  it('records a message with a spam verdict FAIL as refused, unparsed, with no event', async () => {
    await send(['From: spam@example.org', `To: ${INBOUND}`, 'Subject: Gewinn', 'Message-ID: <spam-1@example.org>', 'X-Local-Spam-Verdict: FAIL', '', 'Sie haben gewonnen'].join('\r\n'));
    const refused = await waitFor(async () => (await inquiries()).find((i) => i.messageId === '<spam-1@example.org>'), 'the refused inquiry');
    expect(refused).toMatchObject({ status: 'refused', refusedReason: 'Spam verdict FAIL' });
    expect(refused).not.toHaveProperty('extracted');
    await new Promise((r) => setTimeout(r, 400));
    expect(inquiryEvents().some((d) => (d.event.detail as any).inquiry.id === refused.id)).toBe(false);
  });

  it('records a message over 10 MB as refused without parsing it', async () => {
    const big = ['From: big@example.org', `To: ${INBOUND}`, 'Subject: Fotos', 'Message-ID: <big-1@example.org>', '', 'x'.repeat(76).concat('\r\n').repeat(140_000)].join('\r\n');
    await send(big);
    const refused = await waitFor(async () => (await inquiries()).find((i) => i.messageId === '<big-1@example.org>'), 'the oversize inquiry');
    expect(refused.status).toBe('refused');
    expect(refused.refusedReason).toMatch(/exceeds the limit/);
  });

  it('refuses mail for an address no tenant has', async () => {
    await expect(send(readFileSync(join(DIR, 'unstructured-personal.eml')), 'nobody@nowhere.example')).rejects.toThrow(/550|No inbound address/);
  });

  it('lists inquiries per property, newest first, and shows one in full', async () => {
    const listed = (await api.call('GET', `/inquiries?propertyId=${properties['MI-2026-014']}`, { token: agent })).body.items;
    expect(listed.map((i: any) => i.messageId).sort()).toEqual(['<evil-1@example.com>', '<is24-0001@mail.immobilienscout24.de>']);
    expect(listed[0].createdAt >= listed[1].createdAt).toBe(true);
    const one = await api.call('GET', `/inquiries/${listed[0].id}`, { token: agent });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ format: 'openimmo-feedback', rawMessage: { key: expect.any(String) } });
    expect((await api.call('GET', `/inquiries/${listed[0].id}`, { token: await api.token(tenant(), 'agent') })).status).toBe(404);
  });
});
