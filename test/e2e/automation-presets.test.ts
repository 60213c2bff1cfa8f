import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencyWorld, executionsOf, installPreset, mailTo, sendEml } from '../support/automation-world.ts';
import { startTestApi, type TestApi } from '../support/local-api.ts';
import { tenant } from '../support/dynamo.ts';
import { waitFor } from '../support/wait.ts';

let api: TestApi;
let world: Awaited<ReturnType<typeof agencyWorld>>;
const t = tenant();
// The tenant's own verified domain (agencyWorld registers and verifies it).
const INBOUND = `anfragen@${t}.acme.example`;

beforeAll(async () => {
  api = await startTestApi();
  world = await agencyWorld(api, t, INBOUND);
});
afterAll(() => api.stack.stop());

describe('the seven presets, through the API alone', () => {
  it('(a) confirms a Besichtigung to the prospect, with an .ics invitation', async () => {
    const automation = await installPreset(api, world.admin, 'viewing-confirmation');
    const viewing = await world.must('POST', '/activities', {
      type: 'appointment', category: 'Besichtigung', contactIds: [world.erika.id], propertyId: world.property.id,
      startsAt: '2026-12-03T13:00:00Z', endsAt: '2026-12-03T13:45:00Z', location: 'Torstraße 1, Berlin',
    });
    const [execution] = await executionsOf(api, world.admin, automation.id);
    expect(execution).toMatchObject({ status: 'succeeded', eventType: 'ActivityCreated', steps: [{ type: 'send_email', status: 'succeeded' }] });
    const [mail] = await mailTo(api, 'erika@example.com');
    expect(mail!.subject).toBe('Ihr Besichtigungstermin am 03.12.2026 um 14:00 Uhr');
    expect(mail!.from).toContain(`info@${t}.acme.example`);
    expect(mail!.from).toContain(world.senderAddress);
    expect(mail!.body.text).toContain('Sehr geehrte Frau Musterfrau');
    expect(mail!.body.text).toContain('"Altbau in Mitte"');
    const ics = mail!.attachments.find((a) => a.filename === 'einladung.ics')!;
    expect(ics.contentType).toMatch(/text\/calendar/);
    const calendar = Buffer.from(ics.content, 'base64').toString('utf8');
    expect(calendar).toContain('DTSTART:20261203T130000Z');
    expect(calendar).toContain(`UID:${viewing.id}@${t}.crm`);
    expect(calendar).toContain('LOCATION:Torstraße 1\\, Berlin');
  });

  it('(b) gives the property\'s contact person a task when a deal moves to "Reserviert"', async () => {
    const automation = await installPreset(api, world.admin, 'reserved-task');
    const deal = await world.must('POST', '/deals', { contactId: world.erika.id, propertyId: world.property.id });
    await world.must('PATCH', `/deals/${deal.id}`, { version: 1, stage: 'Besichtigung' });
    await world.must('PATCH', `/deals/${deal.id}`, { version: 2, stage: 'Reserviert' });
    const [execution] = await executionsOf(api, world.admin, automation.id);
    expect(execution.status).toBe('succeeded');
    const tasks = (await api.call('GET', `/tasks?assigneeId=${world.anna.id}&state=open`, { token: world.agent })).body.items;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ title: 'Reservierung bearbeiten: Altbau in Mitte (MI-2026-014) für Erika Musterfrau', dealId: deal.id, propertyId: world.property.id, contactId: world.erika.id });
    expect(tasks[0].body).toContain('von "Besichtigung" nach "Reserviert"');
  });

  it('(c, d) creates the contact from a portal inquiry and sends the first e-mail', async () => {
    const createContact = await installPreset(api, world.admin, 'inquiry-create-contact', { senderAddresses: ['noreply@immobilienscout24.de'] });
    const firstMail = await installPreset(api, world.admin, 'inquiry-first-email');
    await sendEml(api, 'portal-openimmo-utf8.eml', INBOUND);
    const [created] = await executionsOf(api, world.admin, createContact.id);
    expect(created).toMatchObject({ status: 'succeeded', steps: [{ type: 'create_contact', result: { created: true } }] });
    const julia = (await api.call('GET', '/contacts?email=julia.schaefer@example.org', { token: world.agent })).body.items[0];
    expect(julia).toMatchObject({ salutation: 'ms', firstName: 'Julia', lastName: 'Schäfer', status: 'Interessent', newsletter: true, ownerId: world.anna.id, source: 'Anfrage (ImmobilienScout24)' });
    expect(julia.causedBy).toMatchObject({ automationId: createContact.id, depth: 1 });
    const inquiry = (await api.call('GET', `/inquiries?contactId=${julia.id}`, { token: world.agent })).body.items[0];
    expect(inquiry.propertyId).toBe(world.property.id);
    const deals = (await api.call('GET', `/deals?contactId=${julia.id}`, { token: world.agent })).body.items;
    expect(deals).toMatchObject([{ propertyId: world.property.id, stage: 'Anfrage' }]);

    const [greeted] = await executionsOf(api, world.admin, firstMail.id);
    expect(greeted).toMatchObject({ status: 'succeeded', depth: 1 });
    const mails = await mailTo(api, 'julia.schaefer@example.org');
    expect(mails.map((m) => m.subject)).toEqual(['Vielen Dank für Ihre Anfrage']);
    expect(mails[0]!.body.text).toContain('Sehr geehrte Frau Schäfer');
    expect(mails[0]!.body.text).toContain('Anna Agent');
  });

  it('(e) sends birthday greetings only with consent and newsletter', async () => {
    const automation = await installPreset(api, world.admin, 'birthday-greeting');
    await world.must('POST', '/contacts', { lastName: 'Ohne Einwilligung', email: 'nope@example.com', birthday: `--${world.today.slice(5)}`, newsletter: true });
    const run = await api.call('POST', '/birthday-runs', { token: world.admin, body: { date: world.today } });
    expect(run.body.birthdays).toBe(2);
    const executions = await executionsOf(api, world.admin, automation.id, 2);
    expect(executions.map((e) => e.status).sort()).toEqual(['skipped', 'succeeded']);
    expect(executions.find((e) => e.status === 'skipped')!.reason).toMatch(/^The contact Ohne Einwilligung \(\w+\) has not consented to marketing e-mail$/);
    const greetings = (await mailTo(api, 'erika@example.com')).filter((m) => m.subject.startsWith('Alles Gute'));
    expect(greetings.map((m) => m.subject)).toEqual(['Alles Gute zum Geburtstag, Erika!']);
    expect(await mailTo(api, 'nope@example.com')).toEqual([]);
  });

  it('(f) archives the contact after an Absage "Kein Kontakt mehr gewünscht"', async () => {
    const automation = await installPreset(api, world.admin, 'rejection-archive-contact');
    const max = await world.must('POST', '/contacts', { firstName: 'Max', lastName: 'Mustermann', email: 'max@example.com' });
    await world.must('POST', '/rejections', { reason: 'Preis zu hoch', contactId: max.id });
    await world.must('POST', '/rejections', { reason: 'Kein Kontakt mehr gewünscht', contactId: max.id });
    const [execution] = await executionsOf(api, world.admin, automation.id);
    expect(execution).toMatchObject({ status: 'succeeded', steps: [{ result: { contactId: max.id, changed: ['archived'] } }] });
    expect((await api.call('GET', `/contacts/${max.id}`, { token: world.agent })).body).toMatchObject({ archived: true, causedBy: { automationId: automation.id } });
    const all = (await api.call('GET', `/automations/${automation.id}/executions`, { token: world.admin })).body.items;
    expect(all).toHaveLength(1);
  });

  it('(g) archives the property when a note of the category is recorded', async () => {
    const automation = await installPreset(api, world.admin, 'note-archive-property');
    const property = await world.must('POST', '/properties', { unitId: 'KR-9', title: 'Verkauftes Haus' });
    await world.must('POST', '/activities', { type: 'note', category: 'Objekt archivieren', propertyId: property.id, body: 'Notartermin war am Montag' });
    const [execution] = await executionsOf(api, world.admin, automation.id);
    expect(execution.status).toBe('succeeded');
    expect((await api.call('GET', `/properties/${property.id}`, { token: world.agent })).body).toMatchObject({ archived: true, status: 'Archiviert' });
  });

  it('shows the last run of every automation, and stops firing while switched off', async () => {
    const list = (await api.call('GET', '/automations', { token: world.admin })).body.items;
    expect(list).toHaveLength(7);
    for (const automation of list) expect(automation).toMatchObject({ lastRunAt: expect.any(String), lastRunStatus: expect.stringMatching(/succeeded|skipped/), runCount: expect.any(Number) });

    const archive = list.find((a: any) => a.preset === 'note-archive-property');
    expect((await api.call('POST', `/automations/${archive.id}/disable`, { token: world.admin })).body.enabled).toBe(false);
    const quiet = await world.must('POST', '/properties', { unitId: 'KR-10', title: 'Bleibt' });
    await world.must('POST', '/activities', { type: 'note', category: 'Objekt archivieren', propertyId: quiet.id });
    await new Promise((r) => setTimeout(r, 800));
    expect((await api.call('GET', `/properties/${quiet.id}`, { token: world.agent })).body.archived).toBe(false);
    expect((await api.call('GET', `/automations/${archive.id}/executions`, { token: world.admin })).body.items).toHaveLength(1);

    await api.call('POST', `/automations/${archive.id}/enable`, { token: world.admin });
    const again = await world.must('POST', '/properties', { unitId: 'KR-11', title: 'Geht weg' });
    await world.must('POST', '/activities', { type: 'note', category: 'Objekt archivieren', propertyId: again.id });
    await waitFor(async () => ((await api.call('GET', `/properties/${again.id}`, { token: world.agent })).body.archived ? true : undefined), 'the archive after re-enabling');
  });
});
