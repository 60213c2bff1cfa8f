import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractInquiry } from '#shared/inbound/extract';
import { parseMail } from '#shared/inbound/mail';

const DIR = join(import.meta.dirname, '../fixtures/inquiries');
const names = readdirSync(DIR).filter((f) => f.endsWith('.eml')).map((f) => f.replace(/\.eml$/, ''));

describe('inquiry fixtures', () => {
  it('finds all eight fixtures', () => {
    expect(names).toHaveLength(8);
  });

  for (const name of names) {
    it(`${name} yields its expected fields`, async () => {
      const { note: _note, ...expected } = JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), 'utf8'));
      const extracted = extractInquiry(await parseMail(readFileSync(join(DIR, `${name}.eml`))));
      expect(extracted).toMatchObject(expected);
    });
  }
});
