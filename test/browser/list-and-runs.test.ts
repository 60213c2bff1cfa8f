import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { agencyWorld, executionsOf, mailTo } from '../support/automation-world.ts';
import { adminPage, expectAccessible, screenshot, useBrowser } from '../support/browser.ts';
import { tenant } from '../support/dynamo.ts';
import { useTestApi, type TestApi } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The admin page's list of automations and its run page, in headless Chromium against the local
 * stack: the switch decides whether an automation fires and shows what the API holds; a failed
 * run's error is one click away from "Zuletzt ausgeführt"; a waiting run shows its wake-up time
 * and is cancelled from the page; earlier runs filter by status and page; a switch the API
 * refuses says why in German; the list and a run page pass axe-core.
 */

let api: TestApi;
let browser: Browser;
const t = tenant();
useTestApi(t, (session) => ({ api } = session));
useBrowser((b) => (browser = b));

let world: Awaited<ReturnType<typeof agencyWorld>>;
beforeAll(async () => {
  world = await agencyWorld(api, t);
});

const BERLIN = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });

async function automation(admin: string, body: Record<string, unknown>): Promise<{ id: string; name: string }> {
  const reply = await api.call('POST', '/automations', { token: admin, body });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
}

const get = async (admin: string, path: string) => (await api.call('GET', path, { token: admin })).body;

/** The automation's row in the list. */
const rowOf = (page: Page, id: string) => page.locator(`tr[data-automation="${id}"]`);

/**
 * The page signed in at `route`. The list is opened first: once it shows, the page follows hash
 * changes (a hash set while it still starts up could be missed).
 */
async function openAt(tenantId: string, route: string): Promise<Page> {
  const page = await adminPage(browser, api, tenantId);
  await page.getByRole('heading', { level: 1, name: 'Automatisierungen' }).waitFor();
  await page.goto(`${api.stack.apiUrl}/admin/${route}`);
  return page;
}

async function done(page: Page) {
  await page.context().close();
}

describe('the list of automations', () => {
  it('switches an automation off and on: off it does not fire, on it does, and after a reload the switch shows what the API holds', async () => {
    const where = { contact: { company: ['Schaltertest GmbH'] } };
    const welcome = await automation(world.admin, {
      name: 'Willkommens-E-Mail',
      enabled: true,
      trigger: { event: 'ContactCreated', where },
      actions: [{ type: 'send_email', to: 'contact', subject: 'Willkommen bei Acme', body: 'Guten Tag {{contact.lastName}}' }],
    });
    // A second automation on the same event: once it has run, the event was handled, and the switched-off one had its chance.
    const sentinel = await automation(world.admin, {
      name: 'Aufgabe für neue Kontakte',
      enabled: true,
      trigger: { event: 'ContactCreated', where },
      actions: [{ type: 'create_task', assignee: 'contact_owner', title: 'Neuen Kontakt begrüßen' }],
    });
    const page = await adminPage(browser, api, t);
    const toggle = page.getByRole('switch', { name: '„Willkommens-E-Mail“ aktiv' });
    await expect(toggle.isChecked()).resolves.toBe(true);

    await toggle.click();
    await waitFor(async () => ((await get(world.admin, `/automations/${welcome.id}`)).enabled === false ? true : undefined), 'the automation to be disabled');
    await page.getByRole('status').filter({ hasText: 'ist jetzt ausgeschaltet' }).waitFor({ state: 'attached' });
    await page.reload();
    await expect(page.getByRole('switch', { name: '„Willkommens-E-Mail“ aktiv' }).isChecked()).resolves.toBe(false);

    const off = await world.must('POST', '/contacts', { lastName: 'Aus', company: 'Schaltertest GmbH', email: `aus-${t}@example.com`, ownerId: world.otto.id });
    await waitFor(async () => (await executionsOf(api, world.admin, sentinel.id, 1)).find((e) => (e.event.contact as { id: string }).id === off.id), 'the sentinel run for the first contact');
    expect((await get(world.admin, `/automations/${welcome.id}/executions`)).items).toEqual([]);
    expect(await mailTo(api, off.email)).toEqual([]);

    await page.getByRole('switch', { name: '„Willkommens-E-Mail“ aktiv' }).check();
    await waitFor(async () => ((await get(world.admin, `/automations/${welcome.id}`)).enabled === true ? true : undefined), 'the automation to be enabled');
    await page.reload();
    await expect(page.getByRole('switch', { name: '„Willkommens-E-Mail“ aktiv' }).isChecked()).resolves.toBe(true);

    const on = await world.must('POST', '/contacts', { lastName: 'An', company: 'Schaltertest GmbH', email: `an-${t}@example.com`, ownerId: world.otto.id });
    const [run] = await executionsOf(api, world.admin, welcome.id, 1);
    expect(run).toMatchObject({ status: 'succeeded', contactId: on.id });
    expect((await mailTo(api, on.email)).map((m) => m.subject)).toEqual(['Willkommen bei Acme']);

    // The list shows the run: "Zuletzt ausgeführt" relative, with its badge and counters.
    await page.getByRole('button', { name: 'Aktualisieren' }).click();
    const row = rowOf(page, welcome.id);
    await row.locator('.last-run').getByText('erfolgreich').waitFor();
    await expect(row.locator('.last-run a').textContent()).resolves.toMatch(/gerade eben|vor \d+ Minute/);
    await expect(row.locator('.counters').textContent()).resolves.toBe('1 Lauf');
    await expect(row.getByRole('cell').nth(1).textContent()).resolves.toContain('E-Mail an den Kontakt: „Willkommen bei Acme“');
    await screenshot(page, 'list-switch');
    await done(page);
  });

  it('shows a German error and leaves the switch off when the API refuses to enable an automation that no longer fits the settings', async () => {
    const other = tenant();
    const admin = await api.token(other, 'admin');
    const installed = await api.call('POST', '/automations', { token: admin, body: { preset: 'reserved-task', enabled: false } });
    expect(installed.status).toBe(201);
    // "Reserviert" leaves the deal stages (allowed: no enabled automation uses it); enabling now fails validation.
    const put = await api.call('PUT', '/settings', { token: admin, body: { name: 'Agentur ohne Reserviert', pickLists: { dealStages: { default: ['Anfrage', 'Besichtigung', 'Verhandlung', 'Notartermin', 'Verkauft', 'Abgesagt'] } } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);

    const page = await adminPage(browser, api, other);
    const name = installed.body.name as string;
    const toggle = page.getByRole('switch', { name: `„${name}“ aktiv` });
    await toggle.click();
    const alert = page.locator(`tr[data-failure-for="${installed.body.id}"]`).getByRole('alert');
    await alert.waitFor();
    const text = await alert.textContent();
    expect(text).toContain(`„${name}“ konnte nicht eingeschaltet werden.`);
    expect(text).toContain('„Reserviert“ steht nicht in der Auswahlliste');
    expect(text).toContain('Notartermin');
    await expect(toggle.isChecked()).resolves.toBe(false);
    await expect(toggle.getAttribute('aria-describedby')).resolves.toBe(await alert.getAttribute('id'));
    expect((await get(admin, `/automations/${installed.body.id}`)).enabled).toBe(false);
    await expectAccessible(page);
    await screenshot(page, 'list-switch-refused');
    await done(page);
  });

  it('shows a failed run\'s error after a click on "Zuletzt ausgeführt"', async () => {
    // An agency without a sender address: the e-mail step fails for good (the list warns of it beforehand).
    const other = tenant();
    const admin = await api.token(other, 'admin');
    const agent = await api.token(other, 'agent');
    const mailer = await automation(admin, {
      name: 'Begrüßung neuer Kontakte',
      enabled: true,
      trigger: { event: 'ContactCreated' },
      actions: [{ type: 'send_email', to: 'contact', subject: 'Willkommen', body: 'Guten Tag' }],
    });
    const contact = (await api.call('POST', '/contacts', { token: agent, body: { firstName: 'Erika', lastName: 'Musterfrau', email: `erika-${other}@example.com` } })).body;
    const [run] = await executionsOf(api, admin, mailer.id, 1);
    expect(run).toMatchObject({ status: 'failed', error: expect.stringContaining('no sender address') });

    const page = await adminPage(browser, api, other);
    const row = rowOf(page, mailer.id);
    await expect(row.locator('.warnings').textContent()).resolves.toContain('Die Agentur hat keine Absenderadresse');
    await expect(row.locator('.last-run .badge').textContent()).resolves.toContain('fehlgeschlagen');
    await row.locator('.last-run').getByRole('link').click();

    await page.waitForURL(`**/admin/#/executions/${run.id}`);
    const heading = page.getByRole('heading', { level: 1 });
    await expect(heading.textContent()).resolves.toContain('„Begrüßung neuer Kontakte“');
    await expect(heading.textContent()).resolves.toContain('fehlgeschlagen');
    const alert = page.locator('.outcome[role="alert"]');
    await expect(alert.textContent()).resolves.toContain('Fehlgeschlagen: Die Agentur hat keine Absenderadresse');
    await expect(alert.textContent()).resolves.toContain('The tenant has no sender address');
    const step = page.locator('ol.steps > li').first();
    await expect(step.textContent()).resolves.toContain('Schritt 1: E-Mail an den Kontakt: „Willkommen“');
    await expect(step.locator('.badge').textContent()).resolves.toContain('fehlgeschlagen');
    // Names come in as the records are read.
    await expect.poll(() => page.locator('.event-words').textContent()).toBe('Kontakt angelegt: Erika Musterfrau');
    // The contact it acted on, by name.
    await page.locator('.records').getByText('Erika Musterfrau').waitFor();
    await expect(page.locator('.records').textContent()).resolves.toContain(contact.id);
    await expectAccessible(page);
    await screenshot(page, 'execution-failed');
    await done(page);
  });
  it('helps an agency without automations to start from a preset, and pages through a long list', async () => {
    const other = tenant();
    const admin = await api.token(other, 'admin');
    const page = await adminPage(browser, api, other);
    const empty = page.getByRole('region', { name: 'Noch keine Automatisierungen – aus einer Vorlage anlegen' });
    await empty.getByRole('link', { name: 'Besichtigungstermin bestätigen' }).waitFor();
    await expect(empty.getByRole('link', { name: 'Besichtigungstermin bestätigen' }).getAttribute('href')).resolves.toBe('#/new?preset=viewing-confirmation');
    await expect(empty.getByRole('link', { name: 'Ohne Vorlage neu anlegen' }).getAttribute('href')).resolves.toBe('#/new');
    await expectAccessible(page);
    await screenshot(page, 'list-empty');

    for (let i = 1; i <= 26; i++) {
      await automation(admin, { name: `Aufgabe ${String(i).padStart(2, '0')}`, trigger: { event: 'DealCreated' }, actions: [{ type: 'create_task', assignee: 'property_contact_person', title: 'Neuer Deal' }] });
    }
    await page.getByRole('button', { name: 'Aktualisieren' }).click();
    const rows = page.locator('tr[data-automation]');
    await rows.nth(24).waitFor();
    await expect(rows.count()).resolves.toBe(25);
    await page.getByRole('button', { name: 'Weitere Automatisierungen laden' }).click();
    await rows.nth(25).waitFor();
    await expect(rows.count()).resolves.toBe(26);
    await expect(page.getByRole('button', { name: 'Weitere Automatisierungen laden' }).count()).resolves.toBe(0);
    await expect(page.getByRole('switch', { name: '„Aufgabe 01“ aktiv' }).isChecked()).resolves.toBe(false);
    await done(page);
  });
});

describe('a run', () => {
  it('shows a waiting run with its wake-up time, cancels it after a confirmation, and then shows it as skipped with the reason', async () => {
    const follow = await automation(world.admin, {
      name: 'Nachfassen nach der Beratung',
      enabled: true,
      trigger: { event: 'ActivityCreated', where: { activity: { type: ['appointment'], category: ['Beratung'] } } },
      actions: [{ type: 'wait', for: 'P1D' }, { type: 'send_email', to: 'contact', subject: 'Wie war die Beratung?', body: 'Guten Tag' }],
    });
    const book = () =>
      world.must('POST', '/activities', { type: 'appointment', category: 'Beratung', contactIds: [world.erika.id], propertyId: world.property.id, startsAt: '2026-12-03T13:00:00Z', endsAt: '2026-12-03T14:00:00Z' });
    await book();
    const waiting = await waitFor(async () => (await get(world.admin, `/automations/${follow.id}/executions?status=waiting`)).items[0], 'the waiting run');

    const page = await openAt(t, `#/executions/${waiting.id}`);
    const panel = page.getByRole('region', { name: 'Wartet' });
    await panel.waitFor();
    await expect(panel.textContent()).resolves.toContain(`Wartet bis ${BERLIN.format(new Date(waiting.resumeAt))}`);
    await expect(panel.textContent()).resolves.toContain('Danach: Schritt 2, E-Mail an den Kontakt: „Wie war die Beratung?“');
    // Names come in as the records are read.
    await expect.poll(() => page.locator('.event-words').textContent()).toBe(
      'Aktivität erfasst: Beratung am 03.12.2026 um 14:00 für Erika Musterfrau, Objekt MI-2026-014 „Altbau in Mitte“',
    );
    await expectAccessible(page);
    await screenshot(page, 'execution-waiting');

    await panel.getByRole('button', { name: 'Abbrechen', exact: true }).click();
    const confirm = page.getByRole('group', { name: /Diesen Lauf wirklich abbrechen/ });
    await waitFor(async () => ((await page.locator(':focus').textContent().catch(() => '')) === 'Ja, Lauf abbrechen' ? true : undefined), 'the focus on the confirmation');
    await confirm.getByRole('button', { name: 'Ja, Lauf abbrechen' }).click();
    await page.getByRole('status').filter({ hasText: 'Der Lauf wurde abgebrochen.' }).waitFor();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('übersprungen');
    await expect(page.locator('.outcome').textContent()).resolves.toMatch(/Übersprungen \(nichts wurde geändert\)\. Grund: Von einem Administrator abgebrochen/);
    await expect(page.locator('ol.steps > li').first().textContent()).resolves.toContain('übersprungen');
    await expect(page.getByRole('region', { name: 'Wartet' }).count()).resolves.toBe(0);
    expect(await get(world.admin, `/executions/${waiting.id}`)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('Cancelled by an admin') });
    await screenshot(page, 'execution-cancelled');

    // Another waiting run, ended behind the page's back: resuming it says so in German.
    await book();
    const second = await waitFor(async () => (await get(world.admin, `/automations/${follow.id}/executions?status=waiting`)).items.find((e: any) => e.id !== waiting.id), 'the second waiting run');
    await page.goto(`${api.stack.apiUrl}/admin/#/executions/${second.id}`);
    await page.getByRole('button', { name: 'Jetzt fortsetzen' }).waitFor();
    expect((await api.call('POST', `/executions/${second.id}/cancel`, { token: world.admin })).status).toBe(200);
    await page.getByRole('button', { name: 'Jetzt fortsetzen' }).click();
    const refused = page.locator('.notice[role="alert"]');
    await expect(refused.textContent()).resolves.toBe('Fortsetzen ist nicht gelungen: Dieser Lauf wartet nicht (mehr): er wurde schon fortgesetzt oder beendet.');
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'übersprungen' }).waitFor();
    await done(page);
  });

  it('lists the earlier runs of its automation, filtered by status and page by page', async () => {
    const greet = await automation(world.admin, {
      name: 'Kontaktbestätigung',
      enabled: true,
      trigger: { event: 'ContactCreated', where: { contact: { company: ['Filtertest AG'] } } },
      actions: [{ type: 'send_email', to: 'contact', subject: 'Danke für Ihr Interesse', body: 'Guten Tag' }],
    });
    // One contact with an address (succeeded), then eleven without (skipped: no e-mail address).
    await world.must('POST', '/contacts', { lastName: 'Mit Adresse', company: 'Filtertest AG', email: `filter-${t}@example.com` });
    await executionsOf(api, world.admin, greet.id, 1);
    for (let i = 1; i <= 11; i++) await world.must('POST', '/contacts', { lastName: `Ohne Adresse ${i}`, company: 'Filtertest AG' });
    const runs = await executionsOf(api, world.admin, greet.id, 12);
    const skipped = runs.find((e) => e.status === 'skipped')!;
    expect(skipped.reason).toContain('has no e-mail address');

    const page = await openAt(t, `#/executions/${skipped.id}`);
    const history = page.getByRole('region', { name: 'Frühere Läufe von „Kontaktbestätigung“' });
    const rows = history.locator('tbody tr');
    await rows.nth(9).waitFor();
    await expect(rows.count()).resolves.toBe(10);
    await history.getByRole('button', { name: 'Weitere Läufe laden' }).click();
    await rows.nth(11).waitFor();
    await expect(rows.count()).resolves.toBe(12);
    await expect(history.locator('a[aria-current="page"]').count()).resolves.toBe(1);
    await expect(page.locator('.outcome').textContent()).resolves.toMatch(/Grund: Der Kontakt Ohne Adresse \d+ \(\w+\) hat keine E-Mail-Adresse\./);

    const status = history.getByLabel('Status');
    await status.selectOption({ label: 'erfolgreich' });
    await waitFor(async () => ((await rows.count()) === 1 ? true : undefined), 'one succeeded run');
    await expect(rows.first().locator('.badge').textContent()).resolves.toContain('erfolgreich');

    await status.selectOption({ label: 'übersprungen' });
    await waitFor(async () => ((await rows.count()) === 10 ? true : undefined), 'a page of skipped runs');
    expect(await rows.locator('.badge').allTextContents()).toEqual(Array(10).fill(expect.stringContaining('übersprungen')));
    await expect(rows.first().textContent()).resolves.toContain('hat keine E-Mail-Adresse');
    await history.getByRole('button', { name: 'Weitere Läufe laden' }).click();
    await rows.nth(10).waitFor();
    await expect(history.getByRole('button', { name: 'Weitere Läufe laden' }).count()).resolves.toBe(0);
    await screenshot(page, 'execution-history-filtered');

    await status.selectOption({ label: 'fehlgeschlagen' });
    await history.getByText('Keine Läufe mit dem Status „fehlgeschlagen“.').waitFor();
    await expect(rows.count()).resolves.toBe(0);

    // A run of the list opens its page.
    await status.selectOption({ label: 'erfolgreich' });
    await rows.first().getByRole('link').click();
    const succeeded = runs.find((e) => e.status === 'succeeded')!;
    await page.waitForURL(`**/admin/#/executions/${succeeded.id}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'erfolgreich' }).waitFor();
    await expect(page.locator('.step-result').first().textContent()).resolves.toContain(`E-Mail an filter-${t}@example.com mit dem Betreff „Danke für Ihr Interesse“ gesendet`);
    await done(page);
  });

  it('the list and a run page are accessible (axe-core: no serious or critical violations)', async () => {
    // A viewing confirmation: a run with an event, a contact, a property and an e-mail activity to show.
    const confirmation = await automation(world.admin, { preset: 'viewing-confirmation', enabled: true });
    await world.must('POST', '/activities', {
      type: 'appointment', category: 'Besichtigung', contactIds: [world.erika.id], propertyId: world.property.id, startsAt: '2026-12-03T13:00:00Z', endsAt: '2026-12-03T13:45:00Z',
    });
    const [run] = await executionsOf(api, world.admin, confirmation.id, 1);
    expect(run.status).toBe('succeeded');

    const page = await adminPage(browser, api, t);
    await page.getByRole('heading', { level: 1, name: 'Automatisierungen' }).waitFor();
    await rowOf(page, confirmation.id).locator('.last-run .badge').waitFor();
    await page.getByRole('link', { name: 'Neue Automatisierung' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'list');

    // Keyboard: the switch and the link of the last run are reachable with Tab.
    const focused: string[] = [];
    for (let i = 0; i < 60 && !focused.some((f) => f.startsWith('link:')); i++) {
      await page.keyboard.press('Tab');
      const now = await page.locator(':focus').evaluate((el: any) => `${el.getAttribute('role') ?? el.tagName.toLowerCase()}:${el.closest('td')?.className ?? ''}`);
      if (now.startsWith('switch:')) focused.push(now);
      if (now.startsWith('a:last-run')) focused.push('link:last-run');
    }
    expect(focused[0]).toMatch(/^switch:/);
    expect(focused).toContain('link:last-run');

    await rowOf(page, confirmation.id).locator('.last-run').getByRole('link').click();
    await page.waitForURL(`**/admin/#/executions/${run.id}`);
    await page.locator('.records').getByText('Erika Musterfrau').first().waitFor();
    await page.locator('.records').getByText('MI-2026-014 „Altbau in Mitte“').first().waitFor();
    await page.getByRole('region', { name: /Frühere Läufe/ }).locator('tbody tr').first().waitFor();
    // Names come in as the records are read.
    await expect.poll(() => page.locator('.event-words').textContent()).toBe(
      'Aktivität erfasst: Besichtigung am 03.12.2026 um 14:00 für Erika Musterfrau, Objekt MI-2026-014 „Altbau in Mitte“',
    );
    await expect(page.locator('.step-result').first().textContent()).resolves.toContain('E-Mail an erika@example.com');
    await expectAccessible(page);
    await screenshot(page, 'execution');
    // Everything folded away is accessible too.
    await page.$$eval('details', (all: any[]) => all.forEach((d) => (d.open = true)));
    await expectAccessible(page);
    await done(page);
  });
});
