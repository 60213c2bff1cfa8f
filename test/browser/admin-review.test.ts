import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { agencyWorld, executionsOf } from '../support/automation-world.ts';
import { a11yViolations, adminPage, screenshot, useBrowser } from '../support/browser.ts';
import { tenant } from '../support/dynamo.ts';
import { useTestApi, type TestApi } from '../support/local-api.ts';
import { waitFor } from '../support/wait.ts';

/**
 * A hostile review of the admin page: an admin who makes mistakes and an attacker. Each test
 * asserts what the page should do; the failing ones are the findings.
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

const failures = (page: Page) => (page as Page & { failures?: string[] }).failures ?? [];
const focusedText = (page: Page) => page.evaluate<string>('document.activeElement ? (document.activeElement.tagName + ":" + (document.activeElement.textContent || document.activeElement.getAttribute("aria-label") || document.activeElement.id || "")).trim() : ""');
const call = (method: string, path: string, body?: unknown, token = world.admin) => api.call(method, path, { token, body });
async function create(body: Record<string, unknown>, token = world.admin) {
  const reply = await api.call('POST', '/automations', { token, body });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body as { id: string; name: string; version: number };
}
const rowOf = (page: Page, id: string) => page.locator(`tr[data-automation="${id}"]`);
async function openAt(route: string, tenantId = t): Promise<Page> {
  const page = await adminPage(browser, api, tenantId);
  await page.getByRole('heading', { level: 1, name: 'Automatisierungen' }).waitFor();
  if (route !== '#/') await page.goto(`${api.stack.apiUrl}/admin/${route}`);
  return page;
}
/** Obvious English on screen (words the German UI never needs). */
const ENGLISH = /\b(the|is|has|not|must|should|no longer|unknown|error|failed|Name at least|expected|received|Invalid|Too)\b/;
const visibleText = (page: Page) => page.evaluate<string>('document.querySelector("main").innerText');

describe('review: stale state and sessions', () => {
  it('a switch of an automation deleted in another tab says in German that it is gone, without a script error', async () => {
    const a = await create({ name: 'Gleich weg', trigger: { event: 'ContactCreated' }, actions: [{ type: 'update_contact', set: { status: 'Kunde' } }] });
    const page = await openAt('#/');
    await rowOf(page, a.id).waitFor();
    expect((await call('DELETE', `/automations/${a.id}`)).status).toBeLessThan(300);
    await page.getByRole('switch', { name: '„Gleich weg“ aktiv' }).click();
    const alert = page.locator(`[data-failure-for="${a.id}"]`);
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    expect(text).toContain('Nicht gefunden');
    expect(text).not.toMatch(ENGLISH);
    await expect(page.getByRole('switch', { name: '„Gleich weg“ aktiv' }).isChecked()).resolves.toBe(false);
    expect(failures(page)).toEqual([]);
    await screenshot(page, 'review-stale-switch');
    await page.context().close();
  });

  it('the editor and a run of a deleted automation / an unknown run show a German 404', async () => {
    const a = await create({ name: 'Gelöscht', trigger: { event: 'ContactCreated' }, actions: [{ type: 'update_contact', set: { status: 'Kunde' } }] });
    await call('DELETE', `/automations/${a.id}`);
    const page = await openAt(`#/automations/${a.id}`);
    await page.getByRole('alert').waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Nicht gefunden');
    await page.goto(`${api.stack.apiUrl}/admin/#/executions/01JXXXXXXXXXXXXXXXXXXXXXXX`);
    await page.getByRole('alert').waitFor();
    const text = (await page.getByRole('alert').textContent()) ?? '';
    expect(text).toContain('Nicht gefunden');
    expect(text).not.toMatch(ENGLISH);
    expect(failures(page)).toEqual([]);
    expect(await a11yViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('an expired or forged token takes the admin back to the sign-in', async () => {
    const page = await openAt('#/');
    await page.evaluate("sessionStorage.setItem('crm-admin-token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig')");
    await page.reload();
    await page.getByLabel('Mandant').waitFor({ timeout: 5_000 });
    expect(failures(page)).toEqual([]);
    await page.context().close();
  });

  it('an expired token while editing: Speichern takes the admin back to the sign-in', async () => {
    const a = await create({ name: 'Ablauf', trigger: { event: 'ContactCreated' }, actions: [{ type: 'update_contact', set: { status: 'Kunde' } }] });
    const page = await openAt(`#/automations/${a.id}`);
    await page.getByRole('heading', { level: 1, name: 'Automatisierung bearbeiten' }).waitFor();
    // The token expires: the page's fetch now answers 401 for the API.
    await page.route(/\/automations\//, (route) => route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unauthorized', message: 'The token has expired' } }) }));
    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    await page.getByLabel('Mandant').waitFor({ timeout: 5_000 });
    expect(failures(page)).toEqual([]);
    await page.context().close();
  });
});

describe('review: German everywhere', () => {
  it('an error code the page does not know is not shown as English', async () => {
    const a = await create({ name: 'Unbekannter Code', trigger: { event: 'ContactCreated' }, actions: [{ type: 'update_contact', set: { status: 'Kunde' } }] });
    const page = await openAt('#/');
    await page.route(new RegExp(`/automations/${a.id}/enable$`), (route) =>
      route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify({ error: { code: 'quota_exceeded', message: 'The tenant has too many enabled automations' } }) }),
    );
    await page.getByRole('switch', { name: '„Unbekannter Code“ aktiv' }).click();
    const alert = page.locator(`[data-failure-for="${a.id}"]`);
    await alert.waitFor();
    expect(await alert.textContent()).not.toMatch(ENGLISH);
    await screenshot(page, 'review-unknown-code');
    await page.context().close();
  });

  it('an update step with nothing to set is refused in German at the step (the API answers zod "custom")', async () => {
    const page = await openAt('#/');
    const reply = await call('POST', '/automations', { name: 'Leeres Setzen', trigger: { event: 'ContactCreated' }, actions: [{ type: 'update_contact', set: {} }] });
    expect(reply.status).toBe(400);
    const field = reply.body.error.fields[0];
    // The page's message for this field problem:
    await page.goto(`${api.stack.apiUrl}/admin/#/new`);
    await page.getByRole('button', { name: 'Leer beginnen' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Leeres Setzen');
    await page.getByLabel('Ereignis').selectOption('ContactCreated');
    const typeSelect = page.locator('#f-a0-type');
    if (await typeSelect.count()) await typeSelect.selectOption('update_contact');
    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    await page.getByRole('alert').first().waitFor();
    const text = await visibleText(page);
    expect(text, `API said ${JSON.stringify(field)}`).not.toContain(field.message);
    expect(text).not.toMatch(/Name at least one field/);
    await screenshot(page, 'review-empty-set');
    await page.context().close();
  });

  it('a run with a step type or reason the page does not know shows no raw code', async () => {
    const a = await create({ name: 'Lauf mit Unbekanntem', enabled: true, trigger: { event: 'ContactCreated', where: { contact: { company: ['Rohcode GmbH'] } } }, actions: [{ type: 'update_contact', set: { status: 'Kunde' } }] });
    await world.must('POST', '/contacts', { lastName: 'Roh', company: 'Rohcode GmbH', email: `roh-${t}@example.com`, ownerId: world.otto.id });
    const [run] = await executionsOf(api, world.admin, a.id, 1);
    const page = await openAt('#/');
    await page.route(new RegExp(`/executions/${run.id}$`), async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      for (const step of body.steps ?? []) {
        step.type = 'send_sms';
        step.status = 'retrying';
      }
      await route.fulfill({ response, json: body });
    });
    await page.goto(`${api.stack.apiUrl}/admin/#/executions/${run.id}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.waitForTimeout(500);
    const text = await visibleText(page);
    await screenshot(page, 'review-raw-step');
    expect(text).not.toContain('send_sms');
    expect(text).not.toContain('retrying');
    await page.context().close();
  });
});

describe('review: time zone', () => {
  it('with the agency in America/New_York, the list and the run show New York times (the browser is in Berlin)', async () => {
    const other = tenant();
    const admin = await api.token(other, 'admin');
    const settings = (await api.call('GET', '/settings', { token: admin })).body;
    const put = await api.call('PUT', '/settings', { token: admin, body: { name: settings.name ?? 'NY Agentur', timeZone: 'America/New_York' } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect((await api.call('GET', '/settings', { token: admin })).body.timeZone).toBe('America/New_York');
    const a = await create({ name: 'NY', enabled: true, trigger: { event: 'ContactCreated' }, actions: [{ type: 'update_contact', set: { status: 'Kunde' } }] }, admin);
    const agent = await api.token(other, 'agent');
    const contact = await api.call('POST', '/contacts', { token: agent, body: { lastName: 'York', email: `ny-${other}@example.com` } });
    expect(contact.status).toBeLessThan(300);
    const [run] = await executionsOf(api, admin, a.id, 1);
    const at = new Date(run.startedAt ?? run.createdAt ?? run.finishedAt);
    const ny = new Intl.DateTimeFormat('de-DE', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit' }).format(at);
    const berlin = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(at);

    const page = await adminPage(browser, api, other);
    const link = rowOf(page, a.id).locator('.last-run a');
    await link.waitFor();
    const title = (await link.getAttribute('title')) ?? '';
    expect(title).toContain(ny);
    expect(title).not.toContain(berlin);
    await link.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.waitForTimeout(500);
    const text = await visibleText(page);
    await screenshot(page, 'review-new-york-run');
    expect(text).toContain(ny);
    expect(text).not.toContain(berlin);
    expect(await a11yViolations(page)).toEqual([]);
    await page.context().close();
  });
});

describe('review: hostile data', () => {
  it('a 200-character name with RTL, emoji and markup, 10 steps with long templates: list, editor, unchanged save', async () => {
    const name = (`‮RTL مرحبا 👨‍👩‍👧 <b>fett</b> ${'Ä'.repeat(200)}`).slice(0, 200);
    const actions = [
      ...Array.from({ length: 9 }, (_, i) => ({ type: 'create_task', assignee: 'contact_owner', title: `Schritt ${i + 1} <script>alert(1)</script> 🎉 ${'x'.repeat(250)}`, body: `${'مرحبا '.repeat(400)}\n{{contact.lastName}}` })),
      { type: 'send_email', to: 'contact', subject: '</textarea><img src=x onerror=alert(1)> Grüße ‏עברית', body: `Hallo {{contact.lastName}}\n${'Ü'.repeat(15_000)}` },
    ];
    const a = await create({ name, description: '<i>Beschreibung</i> 🏠', trigger: { event: 'ContactCreated' }, actions });
    const page = await openAt('#/');
    await rowOf(page, a.id).waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    // The row does not push the switch or the last run off the screen.
    const box = await page.getByRole('switch', { name: `„${name}“ aktiv` }).boundingBox();
    await screenshot(page, 'review-hostile-list');
    expect.soft(box && box.x + box.width <= 1280, `switch at ${JSON.stringify(box)}, page width ${await page.evaluate('document.documentElement.scrollWidth')}`).toBe(true);
    expect(await a11yViolations(page)).toEqual([]);

    await page.getByRole('link', { name: `Bearbeiten „${name}“` }).click();
    await page.getByRole('heading', { level: 1, name: 'Automatisierung bearbeiten' }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    const before = (await call('GET', `/automations/${a.id}`)).body;
    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    await page.getByText('Gespeichert (Version 2).').waitFor();
    const after = (await call('GET', `/automations/${a.id}`)).body;
    const strip = (x: any) => ({ ...x, version: 0, updatedAt: 0, updatedBy: 0 });
    expect(strip(after)).toEqual(strip(before));
    expect(failures(page)).toEqual([]);
    await screenshot(page, 'review-hostile-editor');
    await page.context().close();
  });
});

describe('review: round trips', () => {
  const ALL: Array<[string, Record<string, unknown>]> = [
    ['send_email', { trigger: { event: 'ContactCreated' }, actions: [{ type: 'send_email', to: { address: 'chef@example.com' }, subject: 'Neu: {{contact.lastName}}', body: 'Text', purpose: 'transactional', attachIcs: false }] }],
    ['send_email marketing', { trigger: { event: 'ContactCreated' }, actions: [{ type: 'send_email', to: 'contact', subject: 'News', body: 'Text', purpose: 'marketing' }] }],
    ['create_task', { trigger: { event: 'ContactCreated' }, actions: [{ type: 'create_task', assignee: 'contact_owner', title: 'T', body: 'B', dueInDays: 0 }] }],
    ['update_contact', { trigger: { event: 'ContactCreated' }, actions: [{ type: 'update_contact', set: { status: 'Kunde', newsletter: false, archived: true } }] }],
    ['update_property', { trigger: { event: 'DealStageChanged', where: { toStage: ['Reserviert'] } }, actions: [{ type: 'update_property', set: { status: 'Reserviert', archived: false } }] }],
    ['move_deal', { trigger: { event: 'DealStageChanged', where: { toStage: ['Reserviert'] } }, actions: [{ type: 'move_deal', stage: 'Notartermin' }] }],
    ['create_contact', { trigger: { event: 'InquiryReceived' }, actions: [{ type: 'create_contact', defaults: { status: 'Interessent', newsletter: false, owner: 'none' }, openDeal: false }] }],
    ['wait for + until', { trigger: { event: 'DealStageChanged', where: { toStage: ['Reserviert'] } }, actions: [{ type: 'wait', for: 'P2DT3H', withinSendWindow: true, ifPast: 'skip' }, { type: 'create_task', assignee: 'contact_owner', title: 'Nach dem Warten' }] }],
  ];
  for (const [label, body] of ALL) {
    it(`opens and saves a ${label} automation unchanged: nothing but the version changes`, async () => {
      const created = await call('POST', '/automations', { name: `Rund: ${label}`, ...body });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const before = created.body;
      const page = await openAt(`#/automations/${before.id}`);
      await page.getByRole('heading', { level: 1, name: 'Automatisierung bearbeiten' }).waitFor();
      await page.getByRole('button', { name: 'Speichern', exact: true }).click();
      await Promise.race([page.getByText('Gespeichert (Version 2).').waitFor(), page.getByRole('alert').first().waitFor()]);
      const shown = await visibleText(page);
      await screenshot(page, `review-roundtrip-${label.replace(/\W+/g, '-')}`);
      expect(shown).toContain('Gespeichert (Version 2).');
      const after = (await call('GET', `/automations/${before.id}`)).body;
      const strip = (x: any) => ({ ...x, version: 0, updatedAt: 0, updatedBy: 0 });
      expect(strip(after)).toEqual(strip(before));
      expect(await a11yViolations(page)).toEqual([]);
      await page.context().close();
    });
  }

  it('installs every preset with its defaults from the form, then saves it unchanged without a problem', async () => {
    const presets = (await call('GET', '/automation-presets')).body.items as Array<{ key: string; name: string }>;
    const problems: string[] = [];
    const page = await openAt('#/');
    for (const preset of presets) {
      await page.goto(`${api.stack.apiUrl}/admin/#/new?preset=${preset.key}`);
      await page.getByRole('heading', { level: 2, name: preset.name }).waitFor();
      const v = await a11yViolations(page);
      if (v.length) problems.push(`${preset.key} form: axe ${JSON.stringify(v)}`);
      await page.getByRole('button', { name: 'Anlegen' }).click();
      const ok = await page.getByRole('heading', { level: 1, name: 'Automatisierung bearbeiten' }).waitFor({ timeout: 5_000 }).then(() => true, () => false);
      if (!ok) {
        problems.push(`${preset.key}: not installed with defaults: ${(await visibleText(page)).slice(0, 300)}`);
        await screenshot(page, `review-preset-${preset.key}`);
        continue;
      }
      await page.waitForFunction('/^#\\/automations\\/[A-Za-z0-9_-]+$/.test(location.hash)');
      const id = (await page.evaluate<string>('location.hash')).split('/').pop()!;
      const before = (await call('GET', `/automations/${id}`)).body;
      await page.getByRole('button', { name: 'Speichern', exact: true }).click();
      const saved = await page.getByText('Gespeichert (Version 2).').waitFor({ timeout: 5_000 }).then(() => true, () => false);
      if (!saved) {
        problems.push(`${preset.key}: unchanged save failed: ${(await visibleText(page)).slice(0, 400)}`);
        await screenshot(page, `review-preset-${preset.key}`);
        continue;
      }
      const after = (await call('GET', `/automations/${id}`)).body;
      const strip = (x: any) => ({ ...x, version: 0, updatedAt: 0, updatedBy: 0 });
      const sorted = (x: unknown): unknown => (Array.isArray(x) ? x.map(sorted) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sorted(v)])) : x);
      if (JSON.stringify(sorted(strip(after))) !== JSON.stringify(sorted(strip(before)))) problems.push(`${preset.key}: changed by an unchanged save: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
      const v2 = await a11yViolations(page);
      if (v2.length) problems.push(`${preset.key} editor: axe ${JSON.stringify(v2)}`);
    }
    expect(problems).toEqual([]);
    expect(failures(page)).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('a preset parameter that is not a number is refused in German at its field', async () => {
    const page = await openAt('#/new?preset=reserved-task');
    await page.getByRole('heading', { level: 2, name: 'Aufgabe bei Reservierung' }).waitFor();
    const due = page.getByLabel('Fällig in (Tagen)');
    await due.fill('-5');
    await page.getByRole('button', { name: 'Anlegen' }).click();
    await page.locator('#f-param-dueInDays-error').waitFor();
    expect(await page.locator('#f-param-dueInDays-error').textContent()).toMatch(/Zu klein|mindestens/);
    expect(await a11yViolations(page)).toEqual([]);
    await page.context().close();
  });
});

describe('review: double clicks', () => {
  it('a double click on Speichern of a new automation creates one automation', async () => {
    const name = `Doppelklick ${Date.now()}`;
    const page = await openAt('#/new');
    await page.getByRole('button', { name: 'Leer beginnen' }).click();
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.locator('#f-a0-subject').fill('Betreff');
    await page.locator('#f-a0-body').fill('Text');
    await page.getByRole('button', { name: 'Speichern', exact: true }).dblclick();
    await page.getByText('Gespeichert (Version').first().waitFor();
    await page.waitForTimeout(1_000);
    const all = (await call('GET', '/automations?limit=100')).body.items as Array<{ name: string }>;
    expect(all.filter((x) => x.name === name)).toHaveLength(1);
    await page.context().close();
  });

  it('Speichern and then Vorschau at once on a new automation create one automation', async () => {
    const name = `Vorschau-Rennen ${Date.now()}`;
    const page = await openAt('#/new');
    await page.getByRole('button', { name: 'Leer beginnen' }).click();
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.locator('#f-a0-subject').fill('Betreff');
    await page.locator('#f-a0-body').fill('Text');
    const preview = page.getByRole('button', { name: /Vorschau/ }).first();
    await Promise.all([page.getByRole('button', { name: 'Speichern', exact: true }).click(), preview.click({ force: true }).catch(() => undefined)]);
    await page.waitForTimeout(1_500);
    const all = (await call('GET', '/automations?limit=100')).body.items as Array<{ name: string }>;
    expect(all.filter((x) => x.name === name)).toHaveLength(1);
    await page.context().close();
  });

  it('a double click on Anlegen of a preset installs it once', async () => {
    const name = `Vorlage doppelt ${Date.now()}`;
    const page = await openAt('#/new?preset=reserved-task');
    await page.getByRole('heading', { level: 2, name: 'Aufgabe bei Reservierung' }).waitFor();
    await page.locator('#f-name').fill(name);
    await page.getByRole('button', { name: 'Anlegen' }).dblclick();
    await page.getByRole('heading', { level: 1, name: 'Automatisierung bearbeiten' }).waitFor();
    await page.waitForTimeout(1_000);
    const all = (await call('GET', '/automations?limit=100')).body.items as Array<{ name: string }>;
    expect(all.filter((x) => x.name === name)).toHaveLength(1);
    await page.context().close();
  });
});

describe('review: keyboard only', () => {
  it('the list: Tab reaches the switch, Space toggles it, focus stays on it', async () => {
    const a = await create({ name: 'Tastatur', trigger: { event: 'ContactCreated' }, actions: [{ type: 'update_contact', set: { status: 'Kunde' } }] });
    const page = await openAt('#/');
    const sw = page.getByRole('switch', { name: '„Tastatur“ aktiv' });
    await sw.focus();
    await page.keyboard.press('Space');
    await waitFor(async () => ((await call('GET', `/automations/${a.id}`)).body.enabled === true ? true : undefined), 'enabled');
    await page.waitForTimeout(300);
    expect(await page.evaluate<string>('document.activeElement.getAttribute("role")')).toBe('switch');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.getAttribute("role")')).toBe('switch');
    await page.context().close();
  });

  it('the editor: "Löschen", Escape closes the confirmation and focus returns to "Löschen"; "Abbrechen" does the same', async () => {
    const a = await create({ name: 'Löschtest', trigger: { event: 'ContactCreated' }, actions: [{ type: 'update_contact', set: { status: 'Kunde' } }] });
    const page = await openAt(`#/automations/${a.id}`);
    await page.getByRole('heading', { level: 1, name: 'Automatisierung bearbeiten' }).waitFor();
    await page.getByRole('button', { name: 'Löschen', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect(focusedText(page)).resolves.toBe('BUTTON:Endgültig löschen');
    expect(await a11yViolations(page)).toEqual([]);
    await page.keyboard.press('Tab');
    await expect(focusedText(page)).resolves.toBe('BUTTON:Abbrechen');
    await page.keyboard.press('Enter');
    const afterCancel = await focusedText(page);
    await page.getByRole('button', { name: 'Löschen', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    const escapeClosed = (await page.getByRole('button', { name: 'Endgültig löschen' }).count()) === 0;
    expect({ afterCancel, escapeClosed }).toEqual({ afterCancel: 'BUTTON:Löschen', escapeClosed: true });
    await page.context().close();
  });

  it('the editor: deleting by keyboard lands on the list with the message announced and focus not lost', async () => {
    const a = await create({ name: 'Weg per Tastatur', trigger: { event: 'ContactCreated' }, actions: [{ type: 'update_contact', set: { status: 'Kunde' } }] });
    const page = await openAt(`#/automations/${a.id}`);
    await page.getByRole('heading', { level: 1, name: 'Automatisierung bearbeiten' }).waitFor();
    await page.getByRole('button', { name: 'Löschen', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Automatisierungen' }).waitFor();
    await expect(visibleText(page)).resolves.toContain('„Weg per Tastatur“ wurde gelöscht.');
    const tag = await page.evaluate<string>('document.activeElement ? document.activeElement.tagName : ""');
    expect(tag).not.toBe('BODY');
    await page.context().close();
  });

  it('the editor: Tab goes through the whole form and back out without a trap', async () => {
    const a = await create({ name: 'Falle?', trigger: { event: 'ContactCreated' }, actions: [{ type: 'send_email', to: 'contact', subject: 'S', body: 'B' }, { type: 'create_task', assignee: 'contact_owner', title: 'T' }] });
    const page = await openAt(`#/automations/${a.id}`);
    await page.getByRole('heading', { level: 1, name: 'Automatisierung bearbeiten' }).waitFor();
    const seen = new Set<string>();
    let reachedSave = false;
    for (let i = 0; i < 150; i++) {
      await page.keyboard.press('Tab');
      const now = await focusedText(page);
      if (now.startsWith('BUTTON:Speichern')) reachedSave = true;
      seen.add(now);
    }
    expect(reachedSave).toBe(true);
    // Tab in a textarea must not insert tabs (no trap): the body stays as it was.
    const stored = (await call('GET', `/automations/${a.id}`)).body;
    expect(stored.actions[0].body).toBe('B');
    expect(await page.locator('#f-a0-body').inputValue()).toBe('B');
    await page.context().close();
  });
});
