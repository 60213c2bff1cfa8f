import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestId } from '#shared/inbound/message-id';
import { agencyWorld, executionsOf, installPreset, mailTo } from '../support/automation-world.ts';
import { tenant } from '../support/dynamo.ts';
import { doctypeXmlMessage, longMessageIdMessage, manyHeadersMessage, nestedPartsMessage, portalInquiry, unclosedHtmlMessage } from '../support/hostile-mail.ts';
import { startTestApi, type TestApi } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Hostile inbound mail over SMTP, on the local stack, with the portal presets installed (create the
 * contact from an inquiry of noreply@immobilienscout24.de, then mail them): forged senders, mail
 * that used to stall the function, Message-ID squatting, and mail that cannot be parsed.
 */

let api: TestApi;
let world: Awaited<ReturnType<typeof agencyWorld>>;
let createContact: { id: string };
let firstMail: { id: string };
const t = tenant();

beforeAll(async () => {
  api = await startTestApi();
  world = await agencyWorld(api, t);
  createContact = await installPreset(api, world.admin, 'inquiry-create-contact', { senderAddresses: ['noreply@immobilienscout24.de'] });
  firstMail = await installPreset(api, world.admin, 'inquiry-first-email');
});
afterAll(() => api.stack.stop());

const DMARC_PASS = ['X-Local-Spf-Verdict: PASS', 'X-Local-Dkim-Verdict: PASS', 'X-Local-Dmarc-Verdict: PASS'];

/** Sends over SMTP (the stand-in answers 250 only after the inbound function ran); resolves to the reply and the milliseconds it took. */
async function send(raw: Buffer, envelopeFrom = 'bounce@attacker.example') {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: api.stack.smtpPort, secure: false, ignoreTLS: true });
  const started = performance.now();
  try {
    const info = await transport.sendMail({ envelope: { from: envelopeFrom, to: world.inbound }, raw });
    return { response: info.response, ms: performance.now() - started };
  } finally {
    transport.close();
  }
}

const allInquiries = async () => (await api.call('GET', '/inquiries?limit=100', { token: world.agent })).body.items as any[];
const inquiriesWith = async (messageId: string, count = 1) =>
  waitFor(async () => {
    const found = (await allInquiries()).filter((i) => i.messageId === messageId);
    return found.length >= count ? found : undefined;
  }, `${count} inquiry(ies) with ${messageId}`);
const inquiryWith = async (messageId: string) => (await inquiriesWith(messageId))[0];
const eventsFor = (inquiryId: string) => api.stack.bus.recent().filter((d) => d.event['detail-type'] === 'InquiryReceived' && (d.event.detail as any).inquiry?.id === inquiryId);
const eventFor = (inquiryId: string) => waitFor(() => eventsFor(inquiryId)[0], `InquiryReceived for ${inquiryId}`);
const contactsWith = async (email: string) => (await api.call('GET', `/contacts?email=${encodeURIComponent(email)}`, { token: world.agent })).body.items as any[];
const settle = () => new Promise((resolve) => setTimeout(resolve, 800));

describe('a forged From does not pass the sender allow-list', () => {
  const forgeries = [
    { name: 'no authentication at all (SES: SPF, DKIM, DMARC GRAY)', victim: 'victim-1@example.com', headers: [], reason: /SPF GRAY, DKIM GRAY, DMARC GRAY: immobilienscout24\.de is not authenticated/ },
    {
      name: 'SPF and DKIM PASS for the attacker\'s own domain',
      victim: 'victim-2@example.com',
      headers: ['X-Local-Spf-Verdict: PASS', 'X-Local-Dkim-Verdict: PASS', 'DKIM-Signature: v=1; a=rsa-sha256; d=attacker.example; s=mx; h=from; bh=x; b=y'],
      reason: /signed by attacker\.example, not aligned with immobilienscout24\.de/,
    },
    { name: 'DMARC FAIL (the portal\'s policy is p=none)', victim: 'victim-3@example.com', headers: ['X-Local-Spf-Verdict: FAIL', 'X-Local-Dmarc-Verdict: FAIL'], reason: /DMARC FAIL for immobilienscout24\.de/ },
    { name: 'a second From header, DMARC PASS for the attacker\'s', victim: 'victim-4@example.com', headers: [...DMARC_PASS, 'From: Mallory <mallory@attacker.example>'], reason: /2 From header fields/ },
  ];

  for (const [index, forgery] of forgeries.entries()) {
    it(`records the forged portal inquiry unauthenticated, fromAddress null: ${forgery.name}`, async () => {
      const messageId = `<forged-${index}@mail.immobilienscout24.de>`;
      await send(portalInquiry(forgery.victim, { messageId, headers: forgery.headers }));
      const inquiry = await inquiryWith(messageId);
      expect(inquiry).toMatchObject({
        status: 'received',
        authenticated: false,
        fromAddress: null,
        from: expect.stringContaining('noreply@immobilienscout24.de'),
        authenticationReason: expect.stringMatching(forgery.reason),
        extracted: { email: forgery.victim, portal: 'ImmobilienScout24' },
        propertyId: world.property.id,
      });
      // Visible to agents, and raised as an event like any inquiry; only the sender is not trusted.
      expect((await api.call('GET', `/inquiries/${inquiry.id}`, { token: world.agent })).body.authenticated).toBe(false);
      await eventFor(inquiry.id);
    });
  }

  it('the portal\'s own mail (DMARC PASS) creates the contact and sends the first e-mail', async () => {
    await send(portalInquiry('julia.echt@example.org', { messageId: '<genuine-1@mail.immobilienscout24.de>', headers: DMARC_PASS }), 'bounce@mail.immobilienscout24.de');
    const inquiry = await inquiryWith('<genuine-1@mail.immobilienscout24.de>');
    expect(inquiry).toMatchObject({ authenticated: true, fromAddress: 'noreply@immobilienscout24.de', verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' }, authenticationReason: 'DMARC PASS for immobilienscout24.de' });
    const [created] = await executionsOf(api, world.admin, createContact.id);
    expect(created).toMatchObject({ status: 'succeeded', steps: [{ type: 'create_contact', result: { created: true } }] });
    expect(await contactsWith('julia.echt@example.org')).toMatchObject([{ lastName: 'Opfer', newsletter: true, source: 'Anfrage (ImmobilienScout24)' }]);
    await executionsOf(api, world.admin, firstMail.id);
    await waitFor(async () => ((await mailTo(api, 'julia.echt@example.org')).length === 1 ? true : undefined), 'the first e-mail');
  });

  it('the portal\'s mail signed by its own domain (DKIM PASS, no DMARC record) creates the contact too', async () => {
    const headers = ['X-Local-Dkim-Verdict: PASS', 'DKIM-Signature: v=1; a=rsa-sha256; d=immobilienscout24.de; s=is24; h=from; bh=x; b=y'];
    await send(portalInquiry('karl.echt@example.org', { messageId: '<genuine-2@mail.immobilienscout24.de>', headers }));
    expect(await inquiryWith('<genuine-2@mail.immobilienscout24.de>')).toMatchObject({ authenticated: true, fromAddress: 'noreply@immobilienscout24.de', verdicts: { dmarc: 'GRAY', dkim: 'PASS' } });
    await waitFor(async () => ((await contactsWith('karl.echt@example.org')).length === 1 ? true : undefined), 'the contact from the DKIM-authenticated inquiry');
  });

  it('no forged inquiry created a contact, ran the automation or mailed its victim', async () => {
    await executionsOf(api, world.admin, createContact.id, 2);
    await settle();
    const executions = (await api.call('GET', `/automations/${createContact.id}/executions`, { token: world.admin })).body.items;
    expect(executions).toHaveLength(2);
    for (const { victim } of forgeries) {
      expect(await contactsWith(victim)).toEqual([]);
      expect(await mailTo(api, victim)).toEqual([]);
    }
  });
});

describe('one inbound mail no longer stalls the others', () => {
  it('records 240 KB of unclosed HTML tags in well under a second, and a mail sent alongside is not held up', async () => {
    const hostile = unclosedHtmlMessage(240 * 1024, { messageId: '<stall-html@attacker.example>' });
    const [slow, other] = await Promise.all([send(hostile), send(portalInquiry('parallel@example.org', { messageId: '<parallel-1@mail.immobilienscout24.de>' }))]);
    expect(slow.response).toMatch(/^250 /);
    expect(slow.ms).toBeLessThan(3_000); // it took 12–14 s of a blocked process
    expect(other.ms).toBeLessThan(3_000);
    expect(await inquiryWith('<stall-html@attacker.example>')).toMatchObject({ status: 'received', format: 'unstructured', extracted: { message: expect.stringMatching(/^a\na\na/) } });
    await inquiryWith('<parallel-1@mail.immobilienscout24.de>');
  });

  it('records 1 MB of unclosed HTML tags (which outlived the Lambda timeout) in well under a second', async () => {
    const { ms } = await send(unclosedHtmlMessage(1024 * 1024, { messageId: '<stall-html-1mb@attacker.example>' }));
    expect(ms).toBeLessThan(3_000);
    expect((await inquiryWith('<stall-html-1mb@attacker.example>')).status).toBe('received');
  });

  it('records a mail whose XML attachment is 30,000 unclosed <!DOCTYPE in well under a second', async () => {
    const { ms } = await send(doctypeXmlMessage(30_000, { messageId: '<stall-xml@attacker.example>' }));
    expect(ms).toBeLessThan(3_000);
    // Not a feedback document; the inquiry is the text part's.
    expect(await inquiryWith('<stall-xml@attacker.example>')).toMatchObject({ status: 'received', format: 'unstructured', extracted: { message: 'Anbei die Anfrage.' } });
  });
});

describe('Message-ID squatting', () => {
  it('a spam-refused message does not block a clean one with the same Message-ID', async () => {
    const messageId = '<squat-1@mail.immobilienscout24.de>';
    await send(portalInquiry('spam-victim@example.com', { messageId, headers: [...DMARC_PASS, 'X-Local-Spam-Verdict: FAIL'] }));
    await send(portalInquiry('clean-1@example.org', { messageId, headers: DMARC_PASS }));
    const both = await inquiriesWith(messageId, 2);
    const refused = both.find((i) => i.status === 'refused');
    const received = both.find((i) => i.status === 'received');
    expect(refused).toMatchObject({ refusedReason: 'Spam verdict FAIL' });
    expect(refused).not.toHaveProperty('extracted');
    expect(received).toMatchObject({ authenticated: true, extracted: { email: 'clean-1@example.org' } });
    await eventFor(received.id);
    expect(eventsFor(refused.id)).toEqual([]);
    await waitFor(async () => ((await contactsWith('clean-1@example.org')).length === 1 ? true : undefined), 'the contact from the clean inquiry');
  });

  it('an unauthenticated message does not block the portal\'s authenticated one with the same Message-ID', async () => {
    const messageId = '<squat-2@mail.immobilienscout24.de>';
    await send(portalInquiry('squatter@example.com', { messageId }));
    await inquiryWith(messageId);
    await send(portalInquiry('clean-2@example.org', { messageId, headers: DMARC_PASS }));
    const both = await inquiriesWith(messageId, 2);
    expect(both.map((i) => [i.authenticated, i.extracted.email]).sort()).toEqual([[false, 'squatter@example.com'], [true, 'clean-2@example.org']]);
    await waitFor(async () => ((await contactsWith('clean-2@example.org')).length === 1 ? true : undefined), 'the contact from the portal\'s inquiry');
    expect(await contactsWith('squatter@example.com')).toEqual([]);
  });

  it('compares Message-IDs with the local part as sent and the domain in any case, and records a redelivery once', async () => {
    await send(portalInquiry('case-1@example.org', { messageId: '<Case-1@Mail.ImmobilienScout24.de>', headers: DMARC_PASS }));
    await send(portalInquiry('case-2@example.org', { messageId: '<case-1@mail.immobilienscout24.de>', headers: DMARC_PASS }));
    await send(portalInquiry('case-3@example.org', { messageId: '<Case-1@MAIL.IMMOBILIENSCOUT24.DE>', headers: DMARC_PASS }));
    await inquiryWith('<Case-1@Mail.ImmobilienScout24.de>');
    await inquiryWith('<case-1@mail.immobilienscout24.de>');
    await settle();
    const recorded = (await allInquiries()).filter((i) => /^<case-1@/i.test(i.messageId));
    expect(recorded.map((i) => i.extracted.email).sort()).toEqual(['case-1@example.org', 'case-2@example.org']);
    for (const inquiry of recorded) expect(eventsFor(inquiry.id)).toHaveLength(1);
  });
});

describe('mail that cannot be parsed within the bounds is recorded as refused, not retried forever', () => {
  const cases = [
    { name: 'a 2 KB Message-ID', raw: () => longMessageIdMessage(2048), messageId: () => digestId(`<${'x'.repeat(2048 - 'attacker.example'.length - 3)}@attacker.example>`), reason: 'The Message-ID of 2048 bytes exceeds the limit of 998 bytes' },
    { name: '50,000 header fields', raw: () => manyHeadersMessage(50_000, { messageId: '<headers-50k@attacker.example>' }), messageId: () => '<headers-50k@attacker.example>', reason: 'The message has more than 1000 header fields' },
    { name: '3,000 nested parts', raw: () => nestedPartsMessage(3_000, { messageId: '<nested-3k@attacker.example>' }), messageId: () => '<nested-3k@attacker.example>', reason: "The message's MIME parts are nested deeper than 16 levels" },
  ];
  for (const c of cases) {
    it(`${c.name}: accepted over SMTP, recorded refused with the reason, no event`, async () => {
      const { response, ms } = await send(c.raw());
      expect(response).toMatch(/^250 /);
      expect(ms).toBeLessThan(3_000);
      const refused = await inquiryWith(c.messageId());
      expect(refused).toMatchObject({ status: 'refused', refusedReason: c.reason, authenticated: false, fromAddress: null, from: 'Mallory <mallory@attacker.example>' });
      expect(refused).not.toHaveProperty('extracted');
      await settle();
      expect(eventsFor(refused.id)).toEqual([]);
    });
  }
});
