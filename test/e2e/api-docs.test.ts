import { describe, expect, it } from 'vitest';
import { openApiDocument } from '#shared/api/openapi';
import { useTestApi, type TestApi } from '../support/local-api.ts';

let api: TestApi;
useTestApi('docs', (session) => (api = session.api));

describe('the API contract on the local stack', () => {
  it('serves the OpenAPI document at /openapi.json without a token', async () => {
    const response = await fetch(`${api.stack.apiUrl}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(openApiDocument());
  });

  it('renders it for people at /docs, every operation and schema, with no script and its own stylesheet', async () => {
    const redirect = await fetch(`${api.stack.apiUrl}/docs`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([301, '/docs/']);
    const page = await fetch(`${api.stack.apiUrl}/docs/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/<script|style=/);
    for (const item of Object.values(openApiDocument().paths)) for (const op of Object.values(item)) expect(html).toContain(`id="${op.operationId}"`);
    expect(html).toContain('id="schema-ContactPatch"');
    const css = await fetch(`${api.stack.apiUrl}/docs/docs.css`);
    expect([css.status, css.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
  });
});
