/**
 * The page's only way to the API: the typed client generated from the API's OpenAPI document
 * (shared/api/client), with the signed-in admin's token. `unwrap` turns every failure into an
 * ApiError with the API's `code` and `fields`, which the page shows in German (messages.ts) at the
 * field they concern.
 */
import { ApiError, createApiClient, unwrap, type ApiClient, type FieldProblem, type Schemas } from '../../api/client/client.ts';

export { ApiError, unwrap };
export type { FieldProblem, Schemas };

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export type Api = ApiClient;

/** The client as the signed-in admin; `onUnauthorized` runs when the API answers 401 (the sign-in has expired). */
export function createApi(token: string, base = '', onUnauthorized: () => void = () => undefined): Api {
  return createApiClient({ baseUrl: base, token, onUnauthorized });
}
