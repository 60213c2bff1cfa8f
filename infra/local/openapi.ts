import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { openApiDocument } from '#shared/api/openapi';
import { CLIENT_TYPES_PATH, clientTypesText, documentText, snapshotPath } from './openapi-files.ts';

/**
 * `npm run openapi [-- --out FILE]`: writes the OpenAPI document of this version to
 * shared/api/versions/<version>.json (frozen from then on: each version's document is committed
 * once), and to FILE if given, and the typed client's types. A document that differs from its
 * version's frozen snapshot is refused: the change needs a new version (README, "Versioning").
 */
const outIndex = process.argv.indexOf('--out');
const out = outIndex > 0 ? process.argv[outIndex + 1] : undefined;
const document = openApiDocument();
const text = documentText(document);
const snapshot = snapshotPath(document.info.version);
if (existsSync(snapshot) && readFileSync(snapshot, 'utf8') !== text) {
  console.error(`The document differs from the frozen snapshot of version ${document.info.version} (${relative(process.cwd(), snapshot)}).`);
  console.error('Move API_VERSION in shared/api/openapi.ts (major for a breaking change, minor for an addition, patch for prose) and run this again.');
  process.exit(1);
}
if (!existsSync(snapshot)) writeFileSync(snapshot, text);
if (out) writeFileSync(out, text);
writeFileSync(CLIENT_TYPES_PATH, await clientTypesText(document));
for (const file of [snapshot, ...(out ? [out] : []), CLIENT_TYPES_PATH]) console.log(`wrote ${relative(process.cwd(), file)}`);
