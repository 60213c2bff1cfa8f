import { ForbiddenError, NotFoundError } from '../errors.ts';
import { principalOf } from '../http/auth.ts';
import type { JsonHttpEvent } from '../http/middleware/json-body.ts';
import { json } from '../http/response.ts';
import type { HttpResult, RouteImpl } from '../http/types.ts';
import { API_ROUTES, routeKeyOf, type RouteKey } from './routes.ts';

/**
 * Dispatches on API Gateway's `routeKey` (e.g. `PATCH /contacts/{id}`), after checking the route's
 * access level against the caller's role.
 */
export function createRouter(impls: Record<RouteKey, RouteImpl>) {
  const specs = new Map(API_ROUTES.map((r) => [routeKeyOf(r), r]));
  return async (event: JsonHttpEvent): Promise<HttpResult> => {
    const spec = specs.get(event.routeKey);
    const impl = impls[event.routeKey as RouteKey];
    if (!spec || !impl) throw new NotFoundError(`No route ${event.routeKey}`);
    const principal = principalOf(event);
    if (spec.access === 'admin' && principal.role !== 'admin') throw new ForbiddenError();
    const response = await impl({
      principal,
      params: (event.pathParameters ?? {}) as Record<string, string>,
      query: (event.queryStringParameters ?? {}) as Record<string, string>,
      body: event.jsonBody,
    });
    return json(response.status, response.body, response.headers);
  };
}
