import type { JsonSchema, OpenApiDocument, OpenApiOperation } from './openapi.ts';

/**
 * The breaking changes from one version of the OpenAPI document to the next, for the versioning
 * rule (README, "Versioning"): a client written against `before` must keep working against
 * `after`. So a request that `before` accepted must still be accepted (no operation, parameter or
 * body field removed, nothing newly required, no value, length or range narrowed, no type
 * changed), and an answer of `after` must still be one `before` promised (no field removed or
 * made optional, no new type or enum value a client's exhaustive switch would not know).
 */
export function breakingChanges(before: OpenApiDocument, after: OpenApiDocument): string[] {
  const found: string[] = [];
  for (const [path, item] of Object.entries(before.paths)) {
    for (const [method, old] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      const next = after.paths[path]?.[method];
      if (!next) found.push(`${where}: the operation was removed`);
      else compareOperation(where, old, next, new Comparer(before, after, found));
    }
  }
  return found;
}

function compareOperation(where: string, old: OpenApiOperation, next: OpenApiOperation, c: Comparer): void {
  const key = (p: { name: string; in: string }) => `${p.in} ${p.name}`;
  const oldParams = new Map((old.parameters ?? []).map((p) => [key(p), p]));
  for (const param of next.parameters ?? []) {
    const was = oldParams.get(key(param));
    if (!was) {
      if (param.required) c.report(`${where} ${key(param)}`, 'a new required parameter');
    } else {
      if (param.required && !was.required) c.report(`${where} ${key(param)}`, 'the parameter became required');
      c.request(`${where} ${key(param)}`, was.schema, param.schema);
    }
  }
  for (const [name] of oldParams) if (!(next.parameters ?? []).some((p) => key(p) === name)) c.report(`${where} ${name}`, 'the parameter was removed (sending it is refused)');
  const oldBody = old.requestBody?.content['application/json'].schema;
  const newBody = next.requestBody?.content['application/json'].schema;
  if (newBody && next.requestBody?.required && !old.requestBody?.required) c.report(`${where} body`, 'the body became required');
  if (oldBody && newBody) c.request(`${where} body`, oldBody, newBody);
  for (const [status, response] of Object.entries(old.responses)) {
    const was = c.response(c.before, response);
    const is = c.response(c.after, next.responses[status]);
    if (was && is) c.answer(`${where} ${status}`, was, is);
  }
}

const typesOf = (s: JsonSchema): Set<string> | undefined => {
  if (s.const !== undefined) return new Set([s.const === null ? 'null' : typeof s.const === 'number' ? 'number' : typeof s.const]);
  if (s.type === undefined) return undefined;
  const types = (Array.isArray(s.type) ? s.type : [s.type]) as string[];
  // An integer is a number to a client; a number where an integer was is a widening, caught below.
  return new Set(types);
};
const subset = (a: Set<string>, b: Set<string>) => [...a].every((t) => b.has(t) || (t === 'integer' && b.has('number')));
const union = (s: JsonSchema) => (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
const LOWER = ['minLength', 'minimum', 'exclusiveMinimum', 'minItems'] as const;
const UPPER = ['maxLength', 'maximum', 'exclusiveMaximum', 'maxItems'] as const;

/** Walks two schemas side by side, each resolved in its own document; a pair of refs is visited once. */
class Comparer {
  private readonly seen = new Set<string>();
  constructor(
    readonly before: OpenApiDocument,
    readonly after: OpenApiDocument,
    private readonly found: string[],
  ) {}

  report(where: string, what: string): void {
    this.found.push(`${where}: ${what}`);
  }

  response(doc: OpenApiDocument, response: OpenApiOperation['responses'][string] | undefined): JsonSchema | undefined {
    const resolved = response && '$ref' in response ? doc.components.responses[String(response.$ref).split('/').pop()!] : response;
    return (resolved as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content?.['application/json']?.schema;
  }

  private resolve(doc: OpenApiDocument, s: JsonSchema): JsonSchema {
    return typeof s.$ref === 'string' ? (doc.components.schemas[s.$ref.split('/').pop()!] ?? {}) : s;
  }

  /** Whether the pair was compared already (recursive and shared schemas). */
  private visited(kind: string, a: JsonSchema, b: JsonSchema): boolean {
    if (typeof a.$ref !== 'string' || typeof b.$ref !== 'string') return false;
    const id = `${kind} ${a.$ref} ${b.$ref}`;
    if (this.seen.has(id)) return true;
    this.seen.add(id);
    return false;
  }

  /** `next` must accept every value `old` accepted. */
  request(where: string, oldRaw: JsonSchema, nextRaw: JsonSchema): void {
    if (this.visited('request', oldRaw, nextRaw)) return;
    const [old, next] = [this.resolve(this.before, oldRaw), this.resolve(this.after, nextRaw)];
    const [oldUnion, nextUnion] = [union(old), union(next)];
    if (oldUnion || nextUnion) {
      const [a, b] = [oldUnion ?? [old], nextUnion ?? [next]];
      if (b.length < a.length) return this.report(where, 'fewer alternatives are accepted');
      a.forEach((member, i) => this.request(`${where} (alternative ${i + 1})`, member, b[i]!));
      return;
    }
    const [oldTypes, nextTypes] = [typesOf(old), typesOf(next)];
    if (nextTypes && (!oldTypes || !subset(oldTypes, nextTypes))) this.report(where, `the type narrowed to ${[...nextTypes].join(' | ')}`);
    if (Array.isArray(next.enum)) {
      const lost = Array.isArray(old.enum) ? old.enum.filter((v) => !(next.enum as unknown[]).includes(v)) : ['(any value)'];
      if (lost.length) this.report(where, `values no longer accepted: ${lost.map((v) => JSON.stringify(v)).join(', ')}`);
    }
    for (const bound of LOWER) if (typeof next[bound] === 'number' && !((old[bound] as number) >= (next[bound] as number))) this.report(where, `${bound} raised to ${next[bound]}`);
    for (const bound of UPPER) if (typeof next[bound] === 'number' && !((old[bound] as number) <= (next[bound] as number))) this.report(where, `${bound} lowered to ${next[bound]}`);
    for (const key of ['pattern', 'format'] as const) if (next[key] !== undefined && next[key] !== old[key]) this.report(where, `${key} changed to ${JSON.stringify(next[key])}`);
    const oldProps = (old.properties ?? {}) as Record<string, JsonSchema>;
    const nextProps = (next.properties ?? {}) as Record<string, JsonSchema>;
    const oldRequired = new Set((old.required as string[] | undefined) ?? []);
    for (const name of (next.required as string[] | undefined) ?? []) if (!oldRequired.has(name)) this.report(`${where}.${name}`, 'the field became required');
    for (const [name, schema] of Object.entries(oldProps)) {
      if (nextProps[name]) this.request(`${where}.${name}`, schema, nextProps[name]);
      else if (next.additionalProperties === false) this.report(`${where}.${name}`, 'the field was removed (sending it is refused)');
    }
    if (next.additionalProperties === false && old.additionalProperties !== false && old.type === 'object') this.report(where, 'other fields are refused now');
    if (old.items && next.items) this.request(`${where}[]`, old.items as JsonSchema, next.items as JsonSchema);
  }

  /** Every value `next` answers must be one a client of `old` understands. */
  answer(where: string, oldRaw: JsonSchema, nextRaw: JsonSchema): void {
    if (this.visited('answer', oldRaw, nextRaw)) return;
    const [old, next] = [this.resolve(this.before, oldRaw), this.resolve(this.after, nextRaw)];
    const [oldUnion, nextUnion] = [union(old), union(next)];
    if (oldUnion || nextUnion) {
      const [a, b] = [oldUnion ?? [old], nextUnion ?? [next]];
      if (b.length > a.length) return this.report(where, 'answers take more alternatives');
      b.forEach((member, i) => this.answer(`${where} (alternative ${i + 1})`, a[i]!, member));
      return;
    }
    const [oldTypes, nextTypes] = [typesOf(old), typesOf(next)];
    if (oldTypes && (!nextTypes || !subset(nextTypes, oldTypes))) this.report(where, `the type changed to ${nextTypes ? [...nextTypes].join(' | ') : 'any'}`);
    if (Array.isArray(old.enum)) {
      const added = Array.isArray(next.enum) ? next.enum.filter((v) => !(old.enum as unknown[]).includes(v)) : ['(any value)'];
      if (added.length) this.report(where, `new values in answers: ${added.map((v) => JSON.stringify(v)).join(', ')}`);
    }
    const oldProps = (old.properties ?? {}) as Record<string, JsonSchema>;
    const nextProps = (next.properties ?? {}) as Record<string, JsonSchema>;
    const nextRequired = new Set((next.required as string[] | undefined) ?? []);
    for (const name of (old.required as string[] | undefined) ?? []) if (nextProps[name] && !nextRequired.has(name)) this.report(`${where}.${name}`, 'the field may be absent now');
    for (const [name, schema] of Object.entries(oldProps)) {
      if (nextProps[name]) this.answer(`${where}.${name}`, schema, nextProps[name]);
      else this.report(`${where}.${name}`, 'the field was removed');
    }
    if (old.items && next.items) this.answer(`${where}[]`, old.items as JsonSchema, next.items as JsonSchema);
  }
}
