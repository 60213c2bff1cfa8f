import { compilePattern } from '#shared/patterns/compile';
import { flattenEvent, matchesFlat } from '#shared/patterns/match';
import { round } from './support.ts';

/** A pattern as an admin might write one: a few fields with the usual operators. */
function pattern(i: number): Record<string, unknown> {
  switch (i % 6) {
    case 0:
      return { rejection: { reason: [`Grund ${i}`, 'Kein Kontakt mehr gewünscht'] } };
    case 1:
      return { deal: { stage: [{ 'anything-but': ['Abgesagt', 'Verkauft'] }] }, toStage: [`Stufe ${i % 9}`] };
    case 2:
      return { contact: { email: [{ suffix: `@firma${i}.de` }], newsletter: [true] } };
    case 3:
      return { activity: { type: ['appointment'], category: [{ 'equals-ignore-case': 'besichtigung' }], startsAt: [{ prefix: '2026-' }] } };
    case 4:
      return { $or: [{ contact: { status: ['Interessent'] } }, { contact: { ownerId: [{ exists: false }] } }], age: [{ numeric: ['>=', i % 80] }] };
    default:
      return { inquiry: { fromAddress: [{ wildcard: `*@portal${i}.de` }], extracted: { propertyRef: [{ prefix: 'MI-' }] } } };
  }
}

/** Section 5: 1,000 automations' patterns against one event, nanoseconds per pattern. */
export function matcherCost(count = 1000, rounds = 200): { patterns: number; nsPerPattern: number; compileUsPerPattern: number; matched: number } {
  const compileStart = process.hrtime.bigint();
  const compiled = Array.from({ length: count }, (_, i) => compilePattern(pattern(i)));
  const compileNs = Number(process.hrtime.bigint() - compileStart);
  const event = {
    tenantId: 'acme', eventKey: 'k', age: 46,
    contact: { email: 'max@firma12.de', newsletter: true, status: 'Interessent', lastName: 'Muster' },
    deal: { stage: 'Reserviert' }, toStage: 'Stufe 3',
    activity: { type: 'appointment', category: 'Besichtigung', startsAt: '2026-12-03T13:00:00Z' },
    rejection: { reason: 'Kein Kontakt mehr gewünscht' },
  };
  const flat = flattenEvent(event);
  let matched = 0;
  for (let r = 0; r < 20; r++) for (const p of compiled) matchesFlat(p, flat);
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    matched = 0;
    for (const p of compiled) if (matchesFlat(p, flat)) matched++;
  }
  const ns = Number(process.hrtime.bigint() - start);
  return { patterns: count, nsPerPattern: round(ns / rounds / count, 1), compileUsPerPattern: round(compileNs / count / 1000, 2), matched };
}
