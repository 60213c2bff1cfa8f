import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApiDocument } from '#shared/api/openapi';
import { DOCS_CSS, renderDocsPage } from '#shared/api/openapi-html';
import type { LocalRoute } from './http-server.ts';

/**
 * The API's contract on the local stack: `GET /openapi.json` (the document, generated at start
 * from the same schemas the API validates with) and `/docs`, the document as a page, written once
 * to a folder the server serves as a static site.
 */
export interface OpenApiSite {
  localRoutes: Record<string, LocalRoute>;
  sites: Record<string, string>;
}

let site: OpenApiSite | undefined;

/** Built once per process: the schemas do not change while it runs (the e2e tests start many stacks). */
export function openApiSite(): OpenApiSite {
  site ??= buildSite();
  return site;
}

function buildSite(): OpenApiSite {
  const document = openApiDocument();
  const dir = mkdtempSync(join(tmpdir(), 'crm-api-docs-'));
  writeFileSync(join(dir, 'index.html'), renderDocsPage(document));
  writeFileSync(join(dir, 'docs.css'), DOCS_CSS);
  return {
    localRoutes: { 'GET /openapi.json': async () => ({ status: 200, body: document }) },
    sites: { '/docs': dir },
  };
}
