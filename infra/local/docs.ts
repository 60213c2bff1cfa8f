import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withGeneratedSections } from '#shared/automations/reference-docs';

/** `npm run docs`: rewrites the README's generated reference sections from the code. */
const path = join(import.meta.dirname, '../../README.md');
const before = readFileSync(path, 'utf8');
const after = withGeneratedSections(before);
writeFileSync(path, after);
console.log(before === after ? 'README.md is up to date' : 'README.md: generated sections updated');
