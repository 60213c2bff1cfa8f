import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { dateInZone } from '#shared/birthdays/dates';
import { localConfig } from './config.ts';
import { DevAuth } from './dev-auth.ts';
import { verifyDomainLocally } from './ses-v2.ts';
import { startLocalStack, type LocalStack } from './stack.ts';

/**
 * `npm run demo`: plays the seven scenarios through the public interfaces only (HTTP API, SMTP,
 * the birthday trigger) against the running local stack, or one it starts. Exits non-zero if any
 * scenario did not produce its effect.
 */
const apiUrl = `http://localhost:${localConfig.apiPort}`;
let sesUrl = `http://localhost:${localConfig.sesPort}`;
let stack: LocalStack | undefined;
if (!(await fetch(`${apiUrl}/_local/events?limit=1`).then((r) => r.ok).catch(() => false))) {
  console.log('No local stack running: starting one (npm start keeps one running for the SES inbox).');
  stack = await startLocalStack({ ...localConfig });
  sesUrl = stack.sesUrl;
}
const auth = await DevAuth.load(join(localConfig.dataDir, 'dev-keys.json'));
const tenantId = `demo-${randomBytes(3).toString('hex')}`;
// The demo tenant's own sender domain, registered and verified below; inquiries arrive there too.
const domain = `${tenantId}.demo.example`;
const inbound = `anfragen@${domain}`;
const admin = await auth.sign({ tenantId, role: 'admin' });
const agent = await auth.sign({ tenantId, role: 'agent' });

async function call(method: string, path: string, body?: unknown, token = agent): Promise<any> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const inbox = async (to: string) =>
  ((await (await fetch(`${sesUrl}/store`)).json()) as { emails: Array<{ subject: string; destination: { to: string[] }; attachments: Array<{ filename?: string }> }> }).emails.filter((m) =>
    m.destination.to.some((t) => t.includes(to)),
  );

const results: Array<{ name: string; ok: boolean; detail: string }> = [];
async function scenario(name: string, play: () => Promise<string>): Promise<void> {
  process.stdout.write(`▶ ${name} … `);
  try {
    const detail = await play();
    results.push({ name, ok: true, detail });
    console.log(`✔ ${detail}`);
  } catch (error) {
    results.push({ name, ok: false, detail: (error as Error).message });
    console.log(`✘ ${(error as Error).message}`);
  }
}

const today = dateInZone(new Date(), 'Europe/Berlin');
console.log(`Demo tenant ${tenantId} on ${apiUrl}`);
const registered = await call('POST', '/sender-domains', { domain }, admin);
console.log(`Sender domain ${domain}: ${registered.status}; verifying it (npm run verify-domain -- --domain ${domain})`);
await verifyDomainLocally(sesUrl, domain);
await call('PUT', '/settings', { name: 'Demo Immobilien', senderAddress: `info@${domain}`, inboundAddresses: [inbound] }, admin);
const anna = await call('POST', '/users', { firstName: 'Anna', lastName: 'Agent', email: `anna@${tenantId}.example` }, admin);
const otto = await call('POST', '/users', { firstName: 'Otto', lastName: 'Owner', email: `otto@${tenantId}.example` }, admin);
const altbau = await call('POST', '/properties', { unitId: 'MI-2026-014', title: 'Helle 3-Zimmer-Wohnung mit Balkon', contactPersonId: anna.id, portalIds: { immoscout24: '148923311' } });
const erikaMail = `erika.${tenantId}@example.com`;
const erika = await call('POST', '/contacts', { salutation: 'ms', firstName: 'Erika', lastName: 'Musterfrau', email: erikaMail, birthday: `1980-${today.slice(5)}`, newsletter: true, gdprConsent: true, ownerId: otto.id });
const presets: Record<string, { id: string }> = {};
for (const [preset, params] of Object.entries({
  'viewing-confirmation': {},
  'reserved-task': {},
  'inquiry-create-contact': { senderAddresses: ['noreply@immobilienscout24.de'] },
  'inquiry-first-email': {},
  'birthday-greeting': {},
  'rejection-archive-contact': {},
  'note-archive-property': {},
})) {
  presets[preset] = await call('POST', '/automations', { preset, params, enabled: true }, admin);
}
console.log(`Installed ${Object.keys(presets).length} presets.`);

await scenario('A Besichtigung is booked', async () => {
  await call('POST', '/activities', { type: 'appointment', category: 'Besichtigung', contactIds: [erika.id], propertyId: altbau.id, startsAt: `${today}T15:00:00Z`, endsAt: `${today}T15:45:00Z`, location: 'Torstraße 1, Berlin' });
  const mail = await until('confirmation', async () => (await inbox(erikaMail)).find((m) => m.subject.startsWith('Ihr Besichtigungstermin')));
  if (!mail.attachments.some((a) => a.filename === 'einladung.ics')) throw new Error('the confirmation has no .ics invitation');
  return `"${mail.subject}" with einladung.ics to ${erikaMail}`;
});

await scenario('A deal moves to "Reserviert"', async () => {
  const deal = await call('POST', '/deals', { contactId: erika.id, propertyId: altbau.id });
  await call('PATCH', `/deals/${deal.id}`, { version: 1, stage: 'Reserviert' });
  const task = await until('task', async () => (await call('GET', `/tasks?assigneeId=${anna.id}&state=open`)).items[0]);
  return `task for Anna: "${task.title}"`;
});

await scenario('A portal inquiry e-mail arrives, and the first e-mail follows', async () => {
  const raw = readFileSync(join(import.meta.dirname, '../../test/fixtures/inquiries/portal-openimmo-utf8.eml'));
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: stack?.smtpPort ?? localConfig.smtpPort, secure: false, ignoreTLS: true });
  await transport.sendMail({ envelope: { from: 'noreply@immobilienscout24.de', to: inbound }, raw });
  transport.close();
  const julia = await until('contact from the inquiry', async () => (await call('GET', '/contacts?email=julia.schaefer@example.org')).items[0]);
  const mail = await until('first e-mail', async () => (await inbox('julia.schaefer@example.org')).find((m) => m.subject === 'Vielen Dank für Ihre Anfrage'));
  return `contact ${julia.firstName} ${julia.lastName} (${julia.status}, owner Anna) and "${mail.subject}"`;
});

await scenario('Today\'s birthday', async () => {
  await call('POST', '/birthday-runs', { date: today }, admin);
  const mail = await until('birthday greeting', async () => (await inbox(erikaMail)).find((m) => m.subject.startsWith('Alles Gute')));
  return `"${mail.subject}"`;
});

await scenario('An Absage "Kein Kontakt mehr gewünscht"', async () => {
  const max = await call('POST', '/contacts', { firstName: 'Max', lastName: 'Mustermann', email: `max.${tenantId}@example.com` });
  await call('POST', '/rejections', { reason: 'Kein Kontakt mehr gewünscht', contactId: max.id });
  await until('archived contact', async () => ((await call('GET', `/contacts/${max.id}`)).archived ? true : undefined));
  return 'Max Mustermann archived';
});

await scenario('A note of the archiving category', async () => {
  const sold = await call('POST', '/properties', { unitId: 'KR-2026-003', title: 'Reihenhaus, verkauft' });
  await call('POST', '/activities', { type: 'note', category: 'Objekt archivieren', propertyId: sold.id, body: 'Notartermin erfolgt' });
  await until('archived property', async () => ((await call('GET', `/properties/${sold.id}`)).archived ? true : undefined));
  return `property ${sold.unitId} archived`;
});

console.log('\nAutomations (Zuletzt ausgeführt):');
for (const automation of (await call('GET', '/automations', undefined, admin)).items.reverse()) {
  console.log(`  ${String(automation.lastRunStatus ?? 'never').padEnd(9)} ${String(automation.lastRunAt ?? '').padEnd(24)} runs ${String(automation.runCount).padStart(2)}  ${automation.name}`);
}
console.log(`\nMail sent: ${sesUrl} (SES inbox)${stack ? ' — only while a stack runs; start `npm start` to keep it' : ''}`);
const failed = results.filter((r) => !r.ok);
console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
await stack?.stop();
process.exit(failed.length ? 1 : 0);
