import * as z from 'zod';
import { Id } from '../model/common.ts';
import { OPERATIONS, REQUEST_SCHEMAS, RESPONSE_SCHEMAS, type Operation } from './contract.ts';
import { errorBody, FieldProblem, GatewayMessage } from './responses.ts';
import { API_ROUTES, routeKeyOf, type RouteSpec } from './routes.ts';

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route table and the contract's zod
 * schemas (`z.toJSONSchema`); nothing in it is written by hand but the prose. Served by the local
 * stack at `/openapi.json`, written by `npm run openapi`, rendered at `/docs`. Never imported by
 * the API Lambda: the generation stays out of its bundle.
 *
 * `API_VERSION` is the document's `info.version` and follows the README's versioning rules: a
 * breaking change (a route, a response field or an accepted value removed, a field narrowed, a new
 * required request field) moves the major version, an addition the minor one, prose the patch.
 */
export const API_VERSION = '1.0.0';

export type JsonSchema = Record<string, unknown>;
export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown>; responses: Record<string, unknown> };
  [key: string]: unknown;
};
export interface OpenApiOperation {
  operationId: string;
  'x-access': RouteSpec['access'];
  parameters?: Array<{ name: string; in: 'path' | 'query'; required: boolean; schema: JsonSchema; description?: string }>;
  requestBody?: { required: boolean; content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, { description: string; content?: { 'application/json': { schema: JsonSchema } } } | { $ref: string }>;
  [key: string]: unknown;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The error bodies every operation shares, by the status that carries them. */
const ERROR_SCHEMAS = {
  FieldProblem,
  ValidationFailed: errorBody(['validation_failed']),
  GatewayMessage,
  Unauthorized: z.union([GatewayMessage, errorBody(['unauthorized'])]),
  Forbidden: errorBody(['forbidden']),
  NotFound: errorBody(['not_found']),
  Conflict: errorBody(['version_conflict', 'duplicate', 'pick_list_value_in_use', 'not_changeable', 'not_waiting']),
  PayloadTooLarge: z.union([GatewayMessage, errorBody(['payload_too_large'])]),
  InternalError: errorBody(['internal']),
};

const ERROR_RESPONSES = {
  BadRequest: ['ValidationFailed', 'A field is invalid, unknown or missing (each named in `fields`), or the body is not JSON'],
  Unauthorized: ['Unauthorized', 'No valid bearer token: API Gateway answers `{"message":"Unauthorized"}`'],
  Forbidden: ['Forbidden', 'The route needs the admin role'],
  NotFound: ['NotFound', 'No such record in the caller\'s tenant (another tenant\'s ids are unknown too)'],
  PayloadTooLarge: ['PayloadTooLarge', 'The body is over 256 KB'],
  InternalError: ['InternalError', 'An unexpected error; its details stay in the log'],
} as const;

/**
 * A transform keeps the type of what it transforms here (e-mail addresses are lower-cased, query
 * flags mapped), so a piped transform is described by its input side; zod would leave it empty.
 */
function describeTransforms(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }, io: 'input' | 'output'): void {
  const def = (ctx.zodSchema as { _zod: { def: { type: string; in?: z.ZodType; out?: { _zod: { def: { type: string } } } } } })._zod.def;
  if (def.type !== 'pipe' || def.out?._zod.def.type !== 'transform' || !def.in) return;
  const { $schema: _ignored, ...inner } = z.toJSONSchema(def.in, { io, unrepresentable: 'any' }) as JsonSchema;
  for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
  Object.assign(ctx.jsonSchema, inner);
}

/** Named zod schemas as JSON Schemas under `#/components/schemas`, referring to each other by name. */
function components(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, {
    io,
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
    override: (ctx) => describeTransforms(ctx as never, io),
  }).schemas;
  // A schema used in several places or by itself needs a name of its own; zod would park it under `__shared`.
  if ('__shared' in generated) throw new Error('A recursive schema has no name: add it to the contract\'s schemas');
  return Object.fromEntries(Object.entries(generated).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema as JsonSchema]));
}

/** `GET /contacts/{id}/executions` -> `getContactsByIdExecutions`: stable, so generated clients keep their names. */
export function operationIdOf(route: RouteSpec): string {
  const words = route.path
    .split('/')
    .filter(Boolean)
    .map((part) => (part.startsWith('{') ? `by-${part.slice(1, -1)}` : part))
    .flatMap((part) => part.split('-'));
  return route.method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

const TAGS: Record<string, string> = {
  settings: 'Settings',
  'pick-lists': 'Settings',
  'sender-domains': 'Sender domains',
  users: 'Users',
  contacts: 'Contacts',
  properties: 'Properties',
  deals: 'Deals',
  activities: 'Activities',
  rejections: 'Rejections',
  tasks: 'Tasks',
  inquiries: 'Inquiries',
  'birthday-runs': 'Automations',
  'automation-presets': 'Automations',
  'automation-triggers': 'Automations',
  automations: 'Automations',
  executions: 'Executions',
};

const PATH_PARAMETERS: Record<string, { schema: z.ZodType; description: string }> = {
  id: { schema: Id, description: 'The record id' },
  domain: { schema: z.string().max(253), description: 'The domain name, e.g. `acme.example`' },
};

function parameters(route: RouteSpec, operation: Operation): OpenApiOperation['parameters'] {
  const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => {
    const known = PATH_PARAMETERS[name!];
    if (!known) throw new Error(`No description of the path parameter {${name}} of ${routeKeyOf(route)}`);
    const { $schema: _s, ...schema } = z.toJSONSchema(known.schema, { io: 'input' }) as JsonSchema;
    return { name: name!, in: 'path' as const, required: true, schema, description: known.description };
  });
  const query = operation.query ? (z.toJSONSchema(operation.query, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonSchema>; required?: string[] }) : {};
  const inQuery = Object.entries(query.properties ?? {}).map(([name, schema]) => ({ name, in: 'query' as const, required: query.required?.includes(name) ?? false, schema }));
  const all = [...inPath, ...inQuery];
  return all.length ? all : undefined;
}

const errorRef = (name: keyof typeof ERROR_RESPONSES) => ({ $ref: `#/components/responses/${name}` });

function responses(route: RouteSpec, operation: Operation): OpenApiOperation['responses'] {
  const result: OpenApiOperation['responses'] = {};
  for (const [status, name] of Object.entries(operation.responses)) {
    result[status] = name === null ? { description: 'Done; no body' } : { description: status === '201' ? 'Created' : 'OK', content: { 'application/json': { schema: ref(name) } } };
  }
  const takesBody = route.method !== 'GET' && route.method !== 'DELETE';
  if (operation.query || takesBody || route.path.includes('{domain}')) result['400'] = errorRef('BadRequest');
  result['401'] = errorRef('Unauthorized');
  if (route.access === 'admin') result['403'] = errorRef('Forbidden');
  if (route.path.includes('{') || operation.body === 'DryRunInput') result['404'] = errorRef('NotFound');
  if (operation.conflicts) {
    result['409'] = { description: `Conflict: ${operation.conflicts.map((c) => `\`${c}\``).join(', ')}`, content: { 'application/json': { schema: ref('Conflict') } } };
  }
  if (takesBody) result['413'] = errorRef('PayloadTooLarge');
  result['500'] = errorRef('InternalError');
  return result;
}

function operationOf(route: RouteSpec): OpenApiOperation {
  const operation = OPERATIONS[routeKeyOf(route) as keyof typeof OPERATIONS]!;
  const params = parameters(route, operation);
  const role = route.access === 'admin' ? 'Needs the admin role (the `admin` group).' : 'Any user of the tenant (agent or admin).';
  return {
    operationId: operationIdOf(route),
    summary: operation.summary,
    description: [operation.description, role].filter(Boolean).join('\n\n'),
    tags: [TAGS[route.path.split('/')[1]!] ?? 'Other'],
    'x-access': route.access,
    security: [{ bearer: [] }],
    ...(params ? { parameters: params } : {}),
    ...(operation.body
      ? { requestBody: { required: !operation.bodyOptional, content: { 'application/json': { schema: ref(operation.body) } } } }
      : {}),
    responses: responses(route, operation),
  };
}

/** The document, built fresh: the same input gives the same document, key for key. */
export function openApiDocument(): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of API_ROUTES) (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'CRM automation engine API',
      version: API_VERSION,
      description: [
        'The HTTP API of the real-estate CRM\'s automation engine. JSON in and out; lists answer `{ "items": [...], "nextCursor": "..." }` newest first (`limit` 1–100, `cursor`); updates carry the `version` they are based on.',
        'Errors answer `{ "error": { "code", "message", "fields": [{ "path", "code", "message", "params" }] } }`: `code` per status as listed, each field error with a stable snake_case code.',
        'Every route needs a bearer token (a Cognito ID token with `custom:tenantId` and `cognito:groups`); `x-access` says whether a route needs the admin role (`admin`) or any user of the tenant (`member`).',
        'Versioning: see the README (`info.version` moves by semver; a breaking change moves the major version).',
      ].join('\n\n'),
    },
    servers: [{ url: 'http://localhost:3000', description: 'The local stack (`npm start`)' }],
    tags: [...new Set(Object.values(TAGS))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { ...components(REQUEST_SCHEMAS, 'input'), ...components({ ...RESPONSE_SCHEMAS, ...ERROR_SCHEMAS }, 'output') },
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([name, [schema, description]]) => [name, { description, content: { 'application/json': { schema: ref(schema) } } }]),
      ),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Cognito ID token (locally: `npm run token -- --tenant T --role admin|agent`)' },
      },
    },
  };
}
