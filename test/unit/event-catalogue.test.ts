import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETAIL_SCHEMAS, DETAIL_TYPES, SOURCE_OF, SOURCES } from '#events/catalogue';
import { RULES } from '#events/rules';
import { compilePattern } from '#shared/patterns/compile';
import { matchesPattern } from '#shared/patterns/match';

const FIXTURES = join(import.meta.dirname, '../../events/fixtures');
const versions = readdirSync(FIXTURES).sort();
const fixture = (version: string, type: string) => JSON.parse(readFileSync(join(FIXTURES, version, `${type}.json`), 'utf8'));

describe('event catalogue', () => {
  it('has a fixture for every detail-type in every schema version', () => {
    expect(versions).toContain('v1');
    for (const version of versions) expect(readdirSync(join(FIXTURES, version)).sort()).toEqual(DETAIL_TYPES.map((t) => `${t}.json`).sort());
  });

  // Backward compatibility: the current schemas must still read every fixture ever published.
  for (const version of versions) {
    for (const type of DETAIL_TYPES) {
      it(`reads the ${version} ${type} fixture with the current schema`, () => {
        const result = DETAIL_SCHEMAS[type].safeParse(fixture(version, type));
        expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
      });
    }
  }

  it('lets producers add fields without breaking consumers', () => {
    const withExtra = { ...fixture('v1', 'DealStageChanged'), pipelineName: 'Verkauf', deal: { ...fixture('v1', 'DealStageChanged').deal, score: 7 } };
    expect(DETAIL_SCHEMAS.DealStageChanged.parse(withExtra)).toMatchObject({ pipelineName: 'Verkauf', deal: { score: 7 } });
  });

  it('refuses a detail without its key, tenant or entity', () => {
    const { eventKey: _k, ...noKey } = fixture('v1', 'ContactCreated');
    expect(DETAIL_SCHEMAS.ContactCreated.safeParse(noKey).success).toBe(false);
    expect(DETAIL_SCHEMAS.RejectionCreated.safeParse({ ...fixture('v1', 'RejectionCreated'), rejection: undefined }).success).toBe(false);
    expect(DETAIL_SCHEMAS.ContactCreated.safeParse({ ...fixture('v1', 'ContactCreated'), schemaVersion: 2 }).success).toBe(false);
  });

  it('routes every family\'s events by its rule, property events to the property runner', () => {
    const rules = Object.entries(RULES).map(([family, pattern]) => ({ family, pattern: compilePattern(pattern) }));
    const routed = (type: (typeof DETAIL_TYPES)[number]) =>
      rules.filter((r) => matchesPattern(r.pattern, { source: SOURCE_OF[type], 'detail-type': type, detail: fixture('v1', type) })).map((r) => r.family);
    expect(routed('DealStageChanged')).toEqual(['deals']);
    expect(routed('ContactBirthday')).toEqual(['contacts']);
    expect(routed('RejectionCreated')).toEqual(['rejections']);
    expect(routed('ActivityCreated')).toEqual(['activities']);
    expect(routed('InquiryReceived')).toEqual(['inquiries']);
    expect(routed('PropertyUpdated')).toEqual(['properties']);
    for (const type of DETAIL_TYPES) expect(routed(type), type).toHaveLength(1);
    expect(Object.values(SOURCES)).toHaveLength(6);
  });
});
