import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.ts';

/**
 * The typed client of the HTTP API: openapi-fetch over the types openapi-typescript generates from
 * the OpenAPI document (schema.ts, `npm run openapi`), so a path, its parameters, its body and
 * each status's answer are checked by the compiler. The admin page and the end-to-end tests use
 * it; a front-end project builds the same from `/openapi.json` (README, "A typed client").
 *
 * ```ts
 * const api = createApiClient({ baseUrl: 'http://localhost:3000', token: () => session.idToken });
 * const contact = await unwrap(api.GET('/contacts/{id}', { params: { path: { id } } }));
 * ```
 */
export type { components, paths };
/** The document's named schemas: `Schemas['Contact']`, `Schemas['ContactPatch']`, ... */
export type Schemas = components['schemas'];
export type ApiClient = Client<paths>;

export interface ApiClientOptions {
  baseUrl: string;
  /** The bearer token, or a function that gives the current one (a refreshed sign-in). */
  token?: string | (() => string | undefined);
  /** Called when the API answers 401: the sign-in has expired. */
  onUnauthorized?: () => void;
  fetch?: typeof globalThis.fetch;
}

export function createApiClient({ baseUrl, token, onUnauthorized, fetch }: ApiClientOptions): ApiClient {
  const client = createClient<paths>({ baseUrl, ...(fetch ? { fetch } : {}) });
  const auth: Middleware = {
    onRequest({ request }) {
      const current = typeof token === 'function' ? token() : token;
      if (current && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${current}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) onUnauthorized?.();
      return undefined;
    },
  };
  client.use(auth);
  return client;
}

/** One failing field of an error answer (the document's `FieldProblem`). */
export type FieldProblem = Schemas['FieldProblem'];

/** An error answer: the API's `code` and `fields`, or `network` when the API could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/**
 * The answer's body, or an ApiError: the error envelope's code, message and fields, or API
 * Gateway's own `{ message }` (401 without a valid token, 404 for no route) as `http_<status>`.
 */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch (error) {
    // fetch rejects with a TypeError when the API cannot be reached; anything else is not ours to rename.
    if (error instanceof TypeError) throw new ApiError(0, 'network', 'The API could not be reached');
    throw error;
  }
  const { data, error, response } = answer;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string; fields?: FieldProblem[] }; message?: string };
  throw new ApiError(
    response.status,
    body.error?.code ?? `http_${response.status}`,
    body.error?.message ?? body.message ?? response.statusText,
    Array.isArray(body.error?.fields) ? body.error.fields : [],
  );
}
