import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_SECTIONS, withGeneratedSections } from '#shared/automations/reference-docs';

const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');

describe('the README\'s automation reference', () => {
  it('is what the code generates today (run `npm run docs` after changing a trigger, preset, pick-list, status or helper)', () => {
    expect(withGeneratedSections(readme)).toBe(readme);
  });

  it('has every generated section, each with a table or a list that names real fields', () => {
    for (const name of Object.keys(REFERENCE_SECTIONS)) expect(readme).toContain(`<!-- generated:${name} -->`);
    expect(readme).toMatch(/\| `DealStageChanged` \| `toStage` \| string \| dealStages \|/);
    expect(readme).toMatch(/\| `reserved-task` \| [^|]+ \| `stage` \| string \| `Reserviert` \|/);
    expect(readme).toMatch(/\| `uncertain` \| unklar \|/);
  });

  it('refuses a README that lost a section marker', () => {
    expect(() => withGeneratedSections(readme.replace('<!-- /generated:helpers -->', ''))).toThrow(/generated:helpers/);
  });
});
