import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { agencyWorld, installPreset } from '../support/automation-world.ts';
import { adminPage, expectAccessible, screenshot, useBrowser } from '../support/browser.ts';
import { tenant } from '../support/dynamo.ts';
import { useTestApi, type TestApi } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The editor of the admin page: an automation from a preset's form or blank, conditions from rows
 * or JSON, steps with placeholders, the live preview, problems at their fields, a version conflict.
 */

let api: TestApi;
let browser: Browser;
let world: Awaited<ReturnType<typeof agencyWorld>>;
const t = tenant();
useTestApi(t, (session) => ({ api } = session));
useBrowser((b) => (browser = b));
beforeAll(async () => {
  world = await agencyWorld(api, t);
});

// The page's globals in expressions (this file is type-checked without the DOM's types).
const hash = (page: Page) => page.evaluate<string>('location.hash');
const focused = (page: Page) => page.evaluate<string | undefined>('document.activeElement ? document.activeElement.id : undefined');
const idFromHash = async (page: Page) => {
  await page.waitForFunction('/^#\\/automations\\/[A-Za-z0-9_-]+$/.test(location.hash)');
  return (await hash(page)).split('/').pop()!;
};
const stored = async (id: string) => (await api.call('GET', `/automations/${id}`, { token: world.admin })).body;

describe('the editor', () => {
  it('shows a condition on an unknown field at the field, with the German message', async () => {
    const page = await adminPage(browser, api, t, '#/new');
    await page.getByRole('heading', { name: 'Aus Vorlage' }).waitFor();
    await expect(page.getByRole('heading', { level: 3, name: 'Aufgabe bei Reservierung' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Leer beginnen' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Notartermin: E-Mail');
    await expect(page.getByLabel('Ereignis').inputValue()).resolves.toBe('DealStageChanged');

    await page.getByRole('button', { name: 'Als JSON bearbeiten' }).click();
    await page.getByLabel('Bedingung als JSON').fill('{"stage": ["Notartermin"]}');
    await page.locator('#f-a0-subject').fill('Ihr Notartermin');
    await page.locator('#f-a0-body').fill('{{greeting contact}},\nwir melden uns mit dem Termin.');
    await page.getByRole('button', { name: 'Speichern', exact: true }).click();

    const message = 'Das Ereignis hat kein Feld „stage“. Gemeint ist vielleicht „toStage“?';
    const json = page.getByLabel('Bedingung als JSON');
    await expect(page.locator('#f-where-json-error').textContent()).resolves.toBe(message);
    await expect(json.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(json.getAttribute('aria-describedby')).resolves.toContain('f-where-json-error');
    // The summary at the top names it, and takes the admin to the field.
    const summary = page.getByRole('alert');
    await expect(summary.textContent()).resolves.toContain(message);
    await summary.getByRole('button', { name: 'Bedingung als JSON' }).click();
    await expect(focused(page)).resolves.toBe('f-where-json');
    await expectAccessible(page);
    await screenshot(page, 'editor-unknown-field');

    // Corrected as the message suggests, it saves.
    await json.fill('{"toStage": ["Notartermin"]}');
    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    await page.getByText('Gespeichert (Version 1).').waitFor();
    const id = await idFromHash(page);
    expect((await stored(id)).trigger).toEqual({ event: 'DealStageChanged', where: { toStage: ['Notartermin'] } });
    // The stored pattern is shown as a row now.
    await page.reload();
    await expect(page.locator('#f-cond-0-field').inputValue()).resolves.toBe('toStage');
    await page.context().close();
  });

  it('installs a preset with parameters from its form, edits it, and the automation fires', async () => {
    const page = await adminPage(browser, api, t, '#/new');
    await page.getByRole('link', { name: 'Vorlage verwenden: Aufgabe bei Reservierung' }).click();
    await page.getByRole('heading', { level: 2, name: 'Aufgabe bei Reservierung' }).waitFor();
    // The stages come from the tenant's pick-list.
    const stage = page.getByLabel('Deal-Phase');
    await expect(stage.locator('option').allTextContents()).resolves.toEqual(expect.arrayContaining(['Reserviert', 'Notartermin', 'Mietvertrag']));
    await expect(stage.inputValue()).resolves.toBe('Reserviert');
    await expectAccessible(page);
    await stage.selectOption('Notartermin');
    // A parameter out of range is refused at its field.
    const due = page.getByLabel('Fällig in (Tagen)');
    await due.fill('100');
    await page.getByRole('button', { name: 'Anlegen' }).click();
    await expect(page.locator('#f-param-dueInDays-error').textContent()).resolves.toBe('Zu groß: höchstens 60.');
    await expect(due.getAttribute('aria-invalid')).resolves.toBe('true');
    await due.fill('1');
    await page.getByRole('switch', { name: 'aktiv' }).check();
    await screenshot(page, 'editor-preset-form');
    await page.getByRole('button', { name: 'Anlegen' }).click();

    await page.getByRole('heading', { level: 1, name: 'Automatisierung bearbeiten' }).waitFor();
    const id = await idFromHash(page);
    const installed = await stored(id);
    expect(installed).toMatchObject({ preset: 'reserved-task', enabled: true, version: 1, trigger: { event: 'DealStageChanged', where: { toStage: ['Notartermin'] } } });
    expect(installed.actions[0]).toMatchObject({ type: 'create_task', dueInDays: 1 });
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('wurde angelegt und ist aktiv');
    await expect(page.locator('#f-cond-0-values option:checked').allTextContents()).resolves.toEqual(['Notartermin']);
    await expectAccessible(page);

    await page.getByLabel('Titel').fill('Notartermin vorbereiten: {{property.unitId}}');
    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    await page.getByText('Gespeichert (Version 2).').waitFor();
    const edited = await stored(id);
    expect(edited.version).toBe(2);
    expect(edited.actions[0].title).toBe('Notartermin vorbereiten: {{property.unitId}}');
    await screenshot(page, 'editor-preset-edited');

    // It fires for real: a deal moved to "Notartermin" gives the contact person a task.
    const deal = await world.must('POST', '/deals', { contactId: world.erika.id, propertyId: world.property.id });
    await world.must('PATCH', `/deals/${deal.id}`, { version: deal.version, stage: 'Notartermin' });
    const task = await waitFor(async () => {
      const tasks = (await api.call('GET', `/tasks?assigneeId=${world.anna.id}`, { token: world.agent })).body.items as Array<{ title: string; dealId?: string }>;
      return tasks.find((x) => x.dealId === deal.id);
    }, 'the task of the installed automation');
    expect(task.title).toBe('Notartermin vorbereiten: MI-2026-014');
    await page.context().close();
  });

  it('builds a condition from rows with the tenant\'s values, inserts a placeholder, saves and previews it for a chosen deal', async () => {
    const lists = (await api.call('GET', '/pick-lists', { token: world.admin })).body;
    const stages = [...lists.dealStages.default];
    stages.splice(stages.indexOf('Verhandlung') + 1, 0, 'Finanzierung geprüft');
    const settings = (await api.call('GET', '/settings', { token: world.admin })).body;
    const put = await api.call('PUT', '/settings', {
      token: world.admin,
      body: { name: settings.name, senderAddress: settings.senderAddress, inboundAddresses: settings.inboundAddresses, version: settings.version, pickLists: { dealStages: { ...lists.dealStages, default: stages } } },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const max = await world.must('POST', '/contacts', { salutation: 'mr', firstName: 'Max', lastName: 'Mustermann', email: 'max@example.com' });
    const deal = await world.must('POST', '/deals', { contactId: max.id, propertyId: world.property.id });
    await world.must('PATCH', `/deals/${deal.id}`, { version: deal.version, stage: 'Finanzierung geprüft' });

    const page = await adminPage(browser, api, t, '#/new');
    await page.getByRole('button', { name: 'Leer beginnen' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Finanzierung geprüft: E-Mail an den Interessenten');
    await page.getByRole('button', { name: 'Bedingung hinzufügen' }).click();
    await page.locator('#f-cond-0-field').selectOption('toStage');
    await expect(page.locator('#f-cond-0-op').inputValue()).resolves.toBe('in');
    const values = page.locator('#f-cond-0-values');
    await expect(values.locator('option').allTextContents()).resolves.toContain('Finanzierung geprüft');
    await values.selectOption(['Finanzierung geprüft']);

    const subject = page.locator('#f-a0-subject');
    await subject.fill('Hallo ');
    await page.getByText('Platzhalter', { exact: true }).click();
    await page.getByRole('button', { name: '{{contact.firstName}}', exact: true }).click();
    await expect(subject.inputValue()).resolves.toBe('Hallo {{contact.firstName}}');
    await page.waitForFunction("document.activeElement && document.activeElement.id === 'f-a0-subject'");
    await page.locator('#f-a0-body').fill('{{greeting contact}},\nIhre Finanzierung ist geprüft.');
    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    await page.getByText('Gespeichert (Version 1).').waitFor();
    const id = await idFromHash(page);
    const saved = await stored(id);
    expect(saved.trigger).toEqual({ event: 'DealStageChanged', where: { toStage: ['Finanzierung geprüft'] } });
    expect(saved.actions[0]).toMatchObject({ type: 'send_email', to: 'contact', subject: 'Hallo {{contact.firstName}}' });

    await page.getByLabel('Deal', { exact: true }).selectOption(deal.id);
    await page.getByRole('button', { name: 'Vorschau', exact: true }).click();
    const result = page.locator('.preview-result');
    await result.waitFor();
    await expect(result.textContent()).resolves.toContain('Der Auslöser trifft zu');
    await expect(result.locator('dd').allTextContents()).resolves.toEqual(expect.arrayContaining(['max@example.com', 'Hallo Max']));
    await expect(result.locator('pre').textContent()).resolves.toContain('Sehr geehrter Herr Mustermann');
    await expectAccessible(page);
    await screenshot(page, 'editor-rows-placeholder-preview');
    await page.context().close();
  });

  it('builds a wait with the duration picker, saved as "for": "P2D"', async () => {
    const page = await adminPage(browser, api, t, '#/new');
    await page.getByRole('button', { name: 'Leer beginnen' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Zwei Tage nach dem Wechsel nachfassen');
    await page.locator('#f-a0-type').selectOption('wait');
    await page.locator('#f-a0-for').fill('2');
    await page.locator('#f-a0-for-unit').selectOption({ label: 'Tage' });
    await page.getByLabel('Neuer Schritt').selectOption('create_task');
    await page.getByRole('button', { name: 'Schritt hinzufügen' }).click();
    await page.locator('#f-a1-title').fill('Nachfassen: {{contact.lastName}}');
    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    await page.getByText('Gespeichert (Version 1).').waitFor();
    const saved = await stored(await idFromHash(page));
    expect(saved.actions[0]).toMatchObject({ type: 'wait', for: 'P2D' });
    expect(saved.actions[1]).toMatchObject({ type: 'create_task', title: 'Nachfassen: {{contact.lastName}}' });

    // The steps move with buttons: the task first, then the wait (a wait last is refused, at its step).
    await page.getByRole('button', { name: 'Schritt 2 nach oben' }).click();
    await expect(page.locator('#f-a0-type').inputValue()).resolves.toBe('create_task');
    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    await expect(page.locator('#f-a1-type-error').textContent()).resolves.toBe('Nach einer Wartezeit muss noch eine Aktion folgen.');
    await expect(page.locator('#f-a1-type').getAttribute('aria-invalid')).resolves.toBe('true');
    await screenshot(page, 'editor-wait');

    // "Löschen" asks first, then deletes.
    const id = await idFromHash(page);
    await page.getByRole('button', { name: 'Löschen' }).click();
    await page.getByRole('button', { name: 'Abbrechen' }).click();
    expect((await api.call('GET', `/automations/${id}`, { token: world.admin })).status).toBe(200);
    await page.getByRole('button', { name: 'Löschen' }).click();
    await page.waitForFunction("document.activeElement && document.activeElement.textContent === 'Endgültig löschen'");
    await page.getByRole('button', { name: 'Endgültig löschen' }).click();
    await page.waitForFunction("location.hash === '#/'");
    expect((await api.call('GET', `/automations/${id}`, { token: world.admin })).status).toBe(404);
    await page.context().close();
  });

  it('shows a version conflict in German and reloads the automation', async () => {
    const installed = await installPreset(api, world.admin, 'rejection-archive-contact');
    const page = await adminPage(browser, api, t, `#/automations/${installed.id}`);
    const name = page.getByLabel('Name', { exact: true });
    await expect(name.inputValue()).resolves.toBe(installed.name);
    // Meanwhile, someone else changes it.
    const current = await stored(installed.id);
    const changed = await api.call('PUT', `/automations/${installed.id}`, { token: world.admin, body: { ...current, name: 'Geändert über die API' } });
    expect(changed.status).toBe(200);

    await name.fill('Meine Änderung');
    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toContain('Jemand hat das inzwischen geändert. Bitte neu laden und die Änderung wiederholen.');
    await expectAccessible(page);
    await screenshot(page, 'editor-version-conflict');
    await alert.getByRole('button', { name: 'Neu laden' }).click();
    await page.getByText('Neu geladen: Version 2').waitFor();
    await expect(name.inputValue()).resolves.toBe('Geändert über die API');
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
    await page.context().close();
  });
});
