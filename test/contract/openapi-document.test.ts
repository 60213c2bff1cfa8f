import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { CLIENT_TYPES_PATH, clientTypesText } from '#infra/local/openapi-files';
import { openApiDocument, type OpenApiOperation } from '#shared/api/openapi';
import { API_ROUTES, routeKeyOf } from '#shared/api/routes';
import { ContractCheck } from '../support/contract.ts';

const document = openApiDocument();
const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })));
const operation = (key: string) => operations.find((o) => o.key === key)!.op;
const errorCodes = (op: OpenApiOperation, status: string) => {
  const response = op.responses[status] as { $ref?: string } | undefined;
  if (!response) return undefined;
  const name = response.$ref ? (document.components.responses[response.$ref.split('/').pop()!] as any).content['application/json'].schema.$ref.split('/').pop() : 'Conflict';
  const schema = document.components.schemas[name] as any;
  const envelope = schema.anyOf ? schema.anyOf.find((s: any) => s.properties?.error) : schema;
  return envelope.properties.error.properties.code.enum as string[];
};

describe('the OpenAPI document', () => {
  it('describes every route of the route table, and nothing else', () => {
    expect(operations.map((o) => o.key).sort()).toEqual(API_ROUTES.map(routeKeyOf).sort());
    expect(operations).toHaveLength(53);
  });

  it("names each route's role, needs the bearer token everywhere and answers 403 to an agent on admin routes", () => {
    for (const route of API_ROUTES) {
      const op = operation(routeKeyOf(route));
      expect(op['x-access'], routeKeyOf(route)).toBe(route.access);
      expect(op.security).toEqual([{ bearer: [] }]);
      expect('403' in op.responses, routeKeyOf(route)).toBe(route.access === 'admin');
      expect(op.responses['401']).toEqual({ $ref: '#/components/responses/Unauthorized' });
    }
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it('gives every route a success answer with its body, and the error envelope with the codes of each status', () => {
    for (const { key, op } of operations) {
      expect(Object.keys(op.responses).some((s) => s.startsWith('2')), key).toBe(true);
      expect(errorCodes(op, '500'), key).toEqual(['internal']);
    }
    expect(errorCodes(operation('PATCH /contacts/{id}'), '400')).toEqual(['validation_failed']);
    expect(errorCodes(operation('GET /contacts/{id}'), '404')).toEqual(['not_found']);
    expect(errorCodes(operation('PUT /automations/{id}'), '403')).toEqual(['forbidden']);
    expect(errorCodes(operation('POST /contacts'), '413')).toEqual(['payload_too_large']);
    expect(operation('PATCH /activities/{id}').responses['409']).toMatchObject({ description: 'Conflict: `version_conflict`, `not_changeable`' });
    expect(operation('DELETE /automations/{id}').responses['204']).toEqual({ description: 'Done; no body' });
    expect(document.components.schemas.FieldProblem).toMatchObject({ required: ['path', 'code', 'message'] });
  });

  it('takes the query parameters and bodies from the schemas the routes validate with', () => {
    const list = operation('GET /tasks').parameters!.map((p) => [p.name, p.in, p.required]);
    expect(list).toEqual([['limit', 'query', false], ['cursor', 'query', false], ['assigneeId', 'query', false], ['state', 'query', false]]);
    expect(operation('GET /contacts/{id}').parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(operation('POST /contacts').requestBody).toEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ContactCreate' } } } });
    expect(operation('POST /automations/{id}/test').requestBody?.required).toBe(false);
    // Strict bodies: an unknown field is refused, so the document says so.
    expect(document.components.schemas.UserPatch).toMatchObject({ additionalProperties: false, required: ['version'] });
    expect((document.components.schemas.Contact as any).properties.email).toMatchObject({ type: 'string', format: 'email' });
  });

  it('is a valid OpenAPI 3.1 document, and each of its schemas compiles as JSON Schema 2020-12', async () => {
    const result = await new Validator().validate(structuredClone(document) as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const check = new ContractCheck(document);
    for (const name of Object.keys(document.components.schemas)) expect(() => check.validator(name), name).not.toThrow();
  });

  it('is what the committed client types were generated from (`npm run openapi`)', async () => {
    expect(readFileSync(CLIENT_TYPES_PATH, 'utf8'), 'shared/api/client/schema.ts is stale: run npm run openapi').toBe(await clientTypesText(document));
  });
});
