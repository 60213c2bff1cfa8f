import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adminPage, expectAccessible, screenshot, useBrowser } from '../support/browser.ts';
import { tenant } from '../support/dynamo.ts';
import { useTestApi, type TestApi } from '../support/local-api.ts';

/** The admin page is served at /admin by the local stack, signs in locally without copying a token, and is accessible. */

let api: TestApi;
let browser: Browser;
const t = tenant();
useTestApi(t, (session) => ({ api } = session));
useBrowser((b) => (browser = b));

describe('the admin page', () => {
  it('is served at /admin with its security headers, and nothing outside its folder', async () => {
    const index = await fetch(`${api.stack.apiUrl}/admin/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await index.text()).toContain('<html lang="de">');
    expect((await fetch(`${api.stack.apiUrl}/admin`, { redirect: 'manual' })).status).toBe(301);
    expect((await fetch(`${api.stack.apiUrl}/admin/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${api.stack.apiUrl}/admin/config.json`)).status).toBe(200);
  });

  it('signs a tenant\'s admin in locally, shows "Verwaltung › Automatisierungen" and signs out', async () => {
    const page = await adminPage(browser, api, t);
    await expect(page.getByRole('navigation', { name: 'Bereich' }).textContent()).resolves.toContain('Automatisierungen');
    await expectAccessible(page);
    await screenshot(page, 'shell-signed-in');
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.getByLabel('Mandant').waitFor();
    await expectAccessible(page);
    await page.context().close();
  });

  it('runs under its own Content-Security-Policy, and shows markup in names as text', async () => {
    const hostile = '<img src=x onerror="window.__owned=1">Übernahme';
    const admin = await api.token(t, 'admin');
    const created = await api.call('POST', '/automations', { token: admin, body: { name: hostile, trigger: { event: 'ContactCreated' }, actions: [{ type: 'update_contact', set: { status: 'Kunde' } }] } });
    expect(created.status).toBe(201);
    // No bypassCSP here: the page must work with the headers it is served with.
    const context = await browser.newContext({ locale: 'de-DE', timezoneId: 'Europe/Berlin' });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${api.stack.apiUrl}/admin/`);
    await page.getByLabel('Mandant').fill(t);
    await page.getByRole('button', { name: 'Als Administrator anmelden' }).click();
    await page.getByRole('cell', { name: hostile }).first().waitFor();
    expect(await page.evaluate('window.__owned')).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(violations).toEqual([]);
    await screenshot(page, 'shell-hostile-name');
    await context.close();
  });
});
