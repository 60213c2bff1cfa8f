import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { TestApi } from './local-api.ts';

/**
 * The admin page in headless Chromium (Debian's `chromium`, no browser download): a browser per
 * test file, a signed-in page per test, axe-core's check of what is on screen, and a screenshot of
 * what each test checked (in the git-ignored test-results/screenshots).
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(import.meta.dirname, '../../test-results/screenshots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** A browser for the test file, closed after it. */
export function useBrowser(ready: (browser: Browser) => void): void {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    ready(browser);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
}

/** A page of the admin site signed in as the tenant's admin through the dev sign-in, at `route` (`#/...`). */
export async function adminPage(browser: Browser, api: TestApi, tenantId: string, route = '#/'): Promise<Page> {
  // bypassCSP: axe-core is injected as an inline script, which the page's own CSP (rightly) refuses.
  const context = await browser.newContext({ locale: 'de-DE', timezoneId: 'Europe/Berlin', viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(error.message));
  await page.goto(`${api.stack.apiUrl}/admin/`);
  await page.getByLabel('Mandant').fill(tenantId);
  await page.getByRole('button', { name: 'Als Administrator anmelden' }).click();
  await page.getByRole('navigation', { name: 'Bereich' }).waitFor();
  if (route !== '#/') await page.goto(`${api.stack.apiUrl}/admin/${route}`);
  (page as Page & { failures?: string[] }).failures = failures;
  return page;
}

/** The serious and critical accessibility violations axe-core finds on the page as it is now. */
export async function a11yViolations(page: Page): Promise<Array<{ id: string; impact: string; help: string; nodes: string[] }>> {
  await page.addScriptTag({ content: AXE });
  // A string, so this file needs no DOM types: the page runs axe over its document.
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Fails the test on serious or critical violations, and on script errors the page threw. */
export async function expectAccessible(page: Page): Promise<void> {
  expect(await a11yViolations(page)).toEqual([]);
  expect((page as Page & { failures?: string[] }).failures ?? []).toEqual([]);
}

/** Saves what the test checked, named after it. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
