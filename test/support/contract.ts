import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Middleware } from 'openapi-fetch';
import { openApiDocument, type JsonSchema, type OpenApiDocument, type OpenApiOperation } from '#shared/api/openapi';

// ajv-formats is CommonJS; its default export is the plugin under ESM interop.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/**
 * Checks answers against the OpenAPI document: the end-to-end tests' client runs every answer
 * through it, so an answer whose status or body the document does not describe fails the test
 * that received it, whatever that test asserts itself.
 */
export class ContractCheck {
  private readonly ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: Array<{ method: string; pattern: RegExp; path: string; operation: OpenApiOperation }>;
  /** The first segments of the API's paths (`contacts`, `automations`, ...): what else the server serves is not the API. */
  private readonly collections: Set<string>;

  constructor(readonly document: OpenApiDocument = openApiDocument()) {
    // The components under an id of their own, so that `#/components/...` refers into them.
    this.ajv.addSchema({ $id: 'openapi', components: document.components }, 'openapi');
    this.routes = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}/?$`),
        operation,
      })),
    );
    this.collections = new Set(Object.keys(document.paths).map((path) => path.split('/')[1]!));
  }

  /** The operation a request goes to, as the route table would match it. */
  operationOf(method: string, pathname: string) {
    return this.routes.find((r) => r.method === method && r.pattern.test(pathname));
  }

  /**
   * The problems of an answer, none when it conforms: an undocumented status, a body the status
   * does not describe, or a body that fails its schema. Paths outside the API (the local stack's
   * `/_local/...`, `/admin`, `/docs`) are not the document's; a path under an API collection that
   * no operation matches must get API Gateway's 404.
   */
  problems(method: string, pathname: string, status: number, body: unknown): string[] {
    if (method === 'OPTIONS' || !this.collections.has(pathname.split('/')[1] ?? '')) return [];
    const route = this.operationOf(method, pathname);
    const where = `${method} ${pathname} -> ${status}`;
    if (!route) return status === 404 ? this.check('GatewayMessage', body, where) : [`${where}: no operation of the document matches`];
    const response = this.resolve(route.operation.responses[String(status)]);
    if (!response) return [`${where}: ${route.method} ${route.path} does not document status ${status} (documented: ${Object.keys(route.operation.responses).join(', ')})`];
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return body === undefined ? [] : [`${where}: the document says no body, the answer has one`];
    const name = String(schema.$ref ?? '').replace('#/components/schemas/', '');
    return this.check(name, body, where);
  }

  private resolve(response: OpenApiOperation['responses'][string] | undefined) {
    if (!response || !('$ref' in response)) return response;
    const name = response.$ref.replace('#/components/responses/', '');
    return this.document.components.responses[name] as { content?: Record<string, { schema: JsonSchema }> };
  }

  /** The validator of a named schema of the document, compiled once. */
  validator(name: string): ValidateFunction {
    let validate = this.compiled.get(name);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
      this.compiled.set(name, validate);
    }
    return validate;
  }

  private check(name: string, body: unknown, where: string): string[] {
    const validate = this.validator(name);
    if (validate(body)) return [];
    return (validate.errors ?? []).slice(0, 8).map((e) => `${where}: ${name}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  }

  /** The client middleware: an answer that does not conform fails the call with its problems. */
  middleware(): Middleware {
    return {
      onResponse: async ({ request, response }) => {
        const text = await response.clone().text();
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = text;
        }
        const found = this.problems(request.method, new URL(request.url).pathname, response.status, body);
        if (found.length) throw new ContractViolation(found);
        return undefined;
      },
    };
  }
}

export class ContractViolation extends Error {
  constructor(readonly problems: string[]) {
    super(`The answer does not conform to the OpenAPI document:\n${problems.join('\n')}`);
    this.name = 'ContractViolation';
  }
}

let shared: ContractCheck | undefined;
/** One check per test process: the document and its compiled schemas are built once. */
export const contractCheck = () => (shared ??= new ContractCheck());
