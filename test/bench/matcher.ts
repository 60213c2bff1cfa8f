import { conditionProblems } from '#shared/automations/conditions';
import { validateDefinition } from '#shared/automations/validate';
import { compilePattern, PATTERN_LIMITS } from '#shared/patterns/compile';
import { flattenEvent, matchesFlat } from '#shared/patterns/match';
import { DEFAULT_PICK_LISTS } from '#shared/settings/pick-lists';
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

/** String fields of InquiryReceived (under `inquiry`), each of which may hold 10 wildcard stars. */
const INQUIRY_TEXT_FIELDS = [
  'extracted.message', 'extracted.firstName', 'extracted.lastName', 'extracted.email', 'extracted.phone', 'extracted.propertyRef', 'extracted.portal',
  'extracted.portalObjectId', 'extracted.sentOn', 'extracted.address.street', 'extracted.address.city', 'extracted.address.postalCode', 'extracted.address.company',
  'subject', 'from', 'fromAddress', 'recipient', 'messageId', 'sesMessageId', 'refusedReason', 'receivedAt', 'propertyId', 'contactId',
];

const nestAt = (path: string, leaf: unknown): Record<string, unknown> =>
  path.split('.').reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), leaf as Record<string, unknown>);

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (Array.isArray(existing) && Array.isArray(value)) existing.push(...value);
    else if (existing && typeof existing === 'object' && value && typeof value === 'object') mergeInto(existing as Record<string, unknown>, value as Record<string, unknown>);
    else target[key] = value;
  }
}

/**
 * The costliest pattern the limits let through, on InquiryReceived: exactly 1,000 `$or`
 * combinations (three groups of ten alternatives, each alternative a wildcard), then wildcards of 5
 * stars with repeating pieces (`*a*a*a*a*b`, the kind that made a regular expression backtrack), 10
 * stars on each text field, until the pattern is as long as allowed.
 */
export function worstPattern(): Record<string, unknown> {
  const field = (i: number) => INQUIRY_TEXT_FIELDS[i % INQUIRY_TEXT_FIELDS.length]!;
  const stars = new Map<string, number>();
  const wildcardOn = (path: string, text: string) => {
    stars.set(path, (stars.get(path) ?? 0) + text.split('*').length - 1);
    return nestAt(path, [{ wildcard: text }]);
  };
  const where: Record<string, unknown> = {
    $or: Array.from({ length: 10 }, (_, i) => ({ inquiry: wildcardOn(field(i), `*${i}*`) })),
    inquiry: {
      $or: Array.from({ length: 10 }, (_, i) => wildcardOn(field(i + 10), `*${i}*`)),
      extracted: { $or: Array.from({ length: 10 }, (_, i) => ({ wishes: [`W${i}`] })) },
    },
  };
  const fits = (candidate: Record<string, unknown>) => JSON.stringify(candidate).length <= PATTERN_LIMITS.maxSize;
  for (let i = 0; i < 10 * INQUIRY_TEXT_FIELDS.length; i++) {
    const path = field(i);
    const room = PATTERN_LIMITS.maxFieldWildcardStars - (stars.get(path) ?? 0);
    if (room <= 0) continue;
    const text = `${'*a'.repeat(Math.min(room, PATTERN_LIMITS.maxWildcardStars) - 1)}*b`;
    const candidate = structuredClone(where);
    mergeInto(candidate, { inquiry: nestAt(path, [{ wildcard: text }]) });
    if (!fits(candidate)) continue;
    mergeInto(where, { inquiry: nestAt(path, [{ wildcard: text }]) });
    stars.set(path, (stars.get(path) ?? 0) + text.split('*').length - 1);
  }
  return where;
}

/**
 * Section 5, second row: what saving the worst pattern costs (compiling it and checking its fields
 * against the trigger, as `validateDefinition` does; target < 50 ms), and what matching it costs
 * against an inquiry whose texts are 10,000 characters of "a" each and then "9b" (each wildcard scans
 * its value to the end, and only the last alternative of each `$or` holds).
 */
export function worstPatternCost(rounds = 20): { size: number; combinations: number; wildcards: number; saveMs: number; validateMs: number; matchMs: number } {
  const where = worstPattern();
  const definition = { name: 'Worst', trigger: { event: 'InquiryReceived' as const, where }, actions: [{ type: 'create_task' as const, assignee: 'property_contact_person' as const, title: 'T', dueInDays: 1 }], enabled: false };
  const median = (run: () => void) => {
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const started = process.hrtime.bigint();
      run();
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return round(times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!, 3);
  };
  const compiled = compilePattern(where);
  const problems = conditionProblems(where, 'InquiryReceived');
  if (problems.length > 0) throw new Error(`The worst pattern names what InquiryReceived lacks: ${JSON.stringify(problems.slice(0, 3))}`);
  // Every wildcard scans its whole value, and only the last alternative of each $or holds: the most work a match can be.
  const long = `${'a'.repeat(10_000)}9b`;
  const detail = { inquiry: Object.fromEntries(INQUIRY_TEXT_FIELDS.filter((f) => !f.includes('.')).map((f) => [f, long])) };
  mergeInto(detail, { inquiry: { extracted: { wishes: ['W9'] } } });
  for (const path of INQUIRY_TEXT_FIELDS.filter((f) => f.includes('.'))) mergeInto(detail, { inquiry: nestAt(path, long) });
  const flat = flattenEvent(detail);
  if (!matchesFlat(compiled, flat)) throw new Error('The worst event must match the worst pattern (or the match stopped early)');
  return {
    size: JSON.stringify(where).length,
    combinations: compiled.combinations,
    wildcards: JSON.stringify(where).split('*').length - 1,
    saveMs: median(() => {
      compilePattern(where);
      conditionProblems(where, 'InquiryReceived');
    }),
    validateMs: median(() => validateDefinition(definition, DEFAULT_PICK_LISTS)),
    matchMs: median(() => matchesFlat(compiled, flat)),
  };
}
