import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import { compilePattern, InvalidPatternError } from '#shared/patterns/compile';
import { matchesPattern } from '#shared/patterns/match';

/**
 * LocalStack's event-pattern cases (Apache-2.0, see LICENSE.localstack.txt), each validated against
 * AWS EventBridge's TestEventPattern. File name without suffix: matches; `_NEG`: does not match;
 * `_EXC`: the pattern is invalid. One test per file, none skipped.
 */
const DIR = join(import.meta.dirname, 'eventbridge-patterns');

interface Case {
  name: string;
  event: unknown;
  /** The pattern as text, so repeated keys survive to the parser. */
  patternText: string;
}

function loadCases(): Case[] {
  const files = readdirSync(DIR);
  const cases: Case[] = files
    .filter((f) => f.endsWith('.json5'))
    .map((f) => {
      const { Event, EventPattern } = JSON5.parse(readFileSync(join(DIR, f), 'utf8')) as { Event: unknown; EventPattern: unknown };
      return { name: f.replace(/\.json5$/, ''), event: Event, patternText: JSON.stringify(EventPattern) };
    });
  // The one case whose pattern repeats a key comes as two plain JSON files.
  cases.push({
    name: 'complex_multi_key',
    event: JSON.parse(readFileSync(join(DIR, 'complex_multi_key_event.json'), 'utf8')),
    patternText: readFileSync(join(DIR, 'complex_multi_key_event_pattern.json'), 'utf8'),
  });
  return cases;
}

const cases = loadCases();

describe('EventBridge pattern conformance', () => {
  it('covers every case of the suite', () => {
    expect(cases).toHaveLength(readdirSync(DIR).filter((f) => f.endsWith('.json5')).length + 1);
    expect(cases.length).toBeGreaterThanOrEqual(113);
  });

  for (const c of cases) {
    if (c.name.endsWith('_EXC')) {
      it(`${c.name}: refuses the pattern`, () => {
        expect(() => compilePattern(c.patternText)).toThrow(InvalidPatternError);
      });
    } else {
      const expected = !c.name.endsWith('_NEG');
      it(`${c.name}: ${expected ? 'matches' : 'does not match'}`, () => {
        expect(matchesPattern(compilePattern(c.patternText), c.event)).toBe(expected);
      });
    }
  }
});
