import { ApiError, createApiClient, unwrap, type ApiClient } from '#shared/api/client/client';
import { contractCheck } from './contract.ts';

/**
 * The tests' way to the API: the typed client (shared/api/client) with every answer checked
 * against the OpenAPI document, and its raw escape hatch for the requests no typed call can make.
 */

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

/** The typed client of the API at `baseUrl` as `token`'s holder; an answer the document does not describe fails the call. */
export function checkedClient(baseUrl: string, token?: string): ApiClient {
  const client = createApiClient({ baseUrl, ...(token ? { token } : {}) });
  client.use(contractCheck().middleware());
  return client;
}

type RawRequest = (method: string, path: string, init: Record<string, unknown>) => Promise<{ response: Response; data?: string; error?: unknown }>;

export interface RawOptions {
  body?: unknown;
  /** A body sent as it is (malformed JSON, another content type). */
  raw?: string;
  headers?: Record<string, string>;
}

/**
 * The client's escape hatch: any method and path (the hostile tests' malformed paths), a JSON
 * `body` of any shape or a `raw` one; the answer is checked against the document all the same.
 */
export async function rawCall(client: ApiClient, method: string, path: string, opts: RawOptions = {}): Promise<Reply> {
  const request = client.request as unknown as RawRequest;
  const { response, data, error } = await request(method, path, {
    parseAs: 'text',
    ...(opts.headers ? { headers: opts.headers } : {}),
    ...(opts.body !== undefined ? { body: opts.body } : opts.raw !== undefined ? { body: opts.raw, bodySerializer: (raw: string) => raw } : {}),
  });
  // openapi-fetch hands a success's text as it came and an error's body parsed.
  const body = response.ok ? (data ? JSON.parse(data) : undefined) : error === '' ? undefined : error;
  return { status: response.status, body, headers: response.headers };
}

/** A typed call's body, or a failure that names the status, the code and every field problem. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  try {
    return await unwrap(call);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    throw new Error(`${error.status} ${error.code}: ${error.message} ${JSON.stringify(error.fields)}`);
  }
}
