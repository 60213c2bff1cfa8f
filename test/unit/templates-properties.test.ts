import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TRIGGER_EVENTS } from '#shared/automations/model';
import { templateProblems } from '#shared/automations/templates';
import { templateScope } from '#shared/automations/trigger-reference';
import { assertProperty } from '../support/properties.ts';
import { STALL_MS } from '../support/stall.ts';

/**
 * The template check on save: whatever string an admin sends as a subject, body or title, the
 * answer is a list of problems (or none), never a thrown error, and it comes quickly.
 */

/** For templates of up to 200 characters, and for those at the schema's limit (an e-mail body: 20,000). */
const SHORT_BOUND_MS = STALL_MS;
const LONG_BOUND_MS = STALL_MS;
const MAX_TEMPLATE = 20_000;
const scopes = TRIGGER_EVENTS.map((trigger) => templateScope(trigger));

function check(source: string, scope = scopes[0]!, bound = SHORT_BOUND_MS) {
  const started = performance.now();
  const problems = templateProblems(source, scope);
  expect(performance.now() - started).toBeLessThan(bound);
  expect(Array.isArray(problems)).toBe(true);
  for (const problem of problems) {
    expect(typeof problem.code).toBe('string');
    expect(typeof problem.message).toBe('string');
  }
  return problems;
}

/** Pieces of Handlebars, valid and not, that strings are built from. */
const token = fc.oneof(
  fc.constantFrom(
    '{{', '}}', '{{{', '}}}', '{{#if ', '{{/if}}', '{{#unless ', '{{/unless}}', '{{else}}', '{{^}}', '{{>', '{{!', '{{!--', '--}}', '{{*', '{{&',
    '(', ')', ' ', '\n', '"', "'", '=', '~', '|', '@root', '../', 'this', '.', '[', ']', '#', '/', '\\',
    'contact.firstName', 'contact', 'property.price', 'activity.startsAt', 'tenant.name', 'event.occurredAt', 'owner',
    'date ', 'time ', 'money ', 'greeting ', 'salutation ', 'required ', 'lookup ', 'log ', 'each ', 'with ', 'constructor', '__proto__',
    'format="short"', 'x=1', '1', 'true', 'null', 'undefined',
  ),
  fc.string({ maxLength: 5 }),
);
const templateLike = fc.array(token, { maxLength: 40 }).map((tokens) => tokens.join(''));
/** Long and deep templates, up to the longest the schema lets through. */
const nasty = fc
  .oneof(
    fc.integer({ min: 1, max: 2_000 }).map((n) => `{{date ${'(required '.repeat(n)}contact.createdAt${')'.repeat(n)}}}`),
    fc.integer({ min: 1, max: 650 }).map((n) => `${'{{#if contact.firstName}}'.repeat(n)}x${'{{/if}}'.repeat(n)}`),
    fc.integer({ min: 1, max: 800 }).map((n) => '{{#if contact.firstName}}'.repeat(n)),
    fc.integer({ min: 1, max: 950 }).map((n) => '{{contact.firstName}}'.repeat(n)),
    fc.integer({ min: 1, max: 2_000 }).map((n) => '{{nope.x}}'.repeat(n)),
    fc.integer({ min: 1, max: 1_250 }).map((n) => '{{contact.nope}}'.repeat(n)),
    fc.integer({ min: 1, max: 9_990 }).map((n) => `{{${'a.'.repeat(n)}b}}`),
    fc.integer({ min: 1, max: 20_000 }).map((n) => '{'.repeat(n)),
    fc.integer({ min: 1, max: 19_990 }).map((n) => `{{x ${'"'.repeat(n)}}}`),
  )
  .map((source) => source.slice(0, MAX_TEMPLATE));

describe('the template check', () => {
  it('answers any string with a list of problems or none, quickly', () => {
    assertProperty(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom(...scopes), (source, scope) => {
        check(source, scope);
      }),
      { numRuns: 200 },
    );
  });

  it('answers strings made of Handlebars pieces the same way', () => {
    let accepted = 0;
    assertProperty(
      fc.property(templateLike, fc.constantFrom(...scopes), (source, scope) => {
        if (check(source, scope).length === 0) accepted++;
      }),
      { numRuns: 200 },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('stays within the time bound on long and deeply nested templates (up to 20,000 characters)', () => {
    assertProperty(
      fc.property(nasty, (source) => {
        check(source, scopes[0], LONG_BOUND_MS);
      }),
      { numRuns: 30 },
    );
  });
});
