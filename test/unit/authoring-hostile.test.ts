import { describe, expect, it } from 'vitest';
import { conditionProblems } from '#shared/automations/conditions';
import { renderLine, templateProblems } from '#shared/automations/templates';
import { templateScope } from '#shared/automations/trigger-reference';
import { compilePattern, InvalidPatternError } from '#shared/patterns/compile';
import { STALL_MS } from '../support/stall.ts';

/** Hostile input against the pure parts of automation authoring; each test states the correct behaviour. */

describe('rendering', () => {
  it('never cuts a subject in the middle of a surrogate pair', () => {
    const subject = renderLine('{{contact.lastName}}', { contact: { lastName: `${'a'.repeat(299)}😀` } });
    expect(subject.length).toBeLessThanOrEqual(300);
    expect(subject).not.toMatch(/[\uD800-\uDBFF]$/);
    expect(Buffer.from(subject, 'utf8').toString('utf8')).toBe(subject);
  });
});

describe('template checks', () => {
  it('answers a deeply nested sub-expression with a problem, not a thrown RangeError', () => {
    const source = `{{date ${'(required '.repeat(1_800)}contact.createdAt${')'.repeat(1_800)}}}`;
    expect(() => templateProblems(source, templateScope('ContactCreated'))).not.toThrow();
    expect(templateProblems(source, templateScope('ContactCreated')).length).toBeGreaterThan(0);
  });
});

describe('pattern compilation', () => {
  it('refuses, quickly, a pattern whose sibling $or objects multiply into millions of alternatives', () => {
    // 2^18 alternatives from a 700-byte pattern; each sibling doubles time and memory (2^30, 1.2 KB, kills the process).
    const where = Object.fromEntries(Array.from({ length: 18 }, (_, i) => [`k${i}`, { $or: [{ a: ['x'] }, { b: ['y'] }] }]));
    const started = Date.now();
    expect(() => compilePattern(where)).toThrow(InvalidPatternError);
    expect(Date.now() - started).toBeLessThan(STALL_MS);
  });
});

describe('condition checks', () => {
  it('accepts the same pattern written with dotted keys and nested keys, and refuses each unknown path once', () => {
    expect(conditionProblems({ 'deal.stage': ['Reserviert'] }, 'DealStageChanged')).toEqual([]);
    expect(conditionProblems({ deal: { stage: ['Reserviert'] } }, 'DealStageChanged')).toEqual([]);
    const problems = conditionProblems({ $or: [{ deal: { stag: ['x'] } }, { deal: { stag: ['y'] } }] }, 'DealStageChanged');
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['trigger.where.$or.0.deal.stag', 'unknown_path'],
      ['trigger.where.$or.1.deal.stag', 'unknown_path'],
    ]);
    expect(problems[0]!.params).toMatchObject({ suggestion: 'deal.stage' });
  });
});
