import { isPossibleId } from '../db/keys.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { principalOf } from '../http/auth.ts';
import type { JsonHttpEvent } from '../http/middleware/json-body.ts';
import { json } from '../http/response.ts';
import type { HttpResult, RouteImpl } from '../http/types.ts';
import { API_ROUTES, routeKeyOf, type RouteKey, type RouteSpec } from './routes.ts';

/** The record a route's `{id}` names, by its collection, for the 404 of an id that cannot exist. */
const RECORD: Record<string, string> = {
  users: 'user',
  contacts: 'contact',
  properties: 'property',
  deals: 'deal',
  activities: 'activity',
  rejections: 'rejection',
  tasks: 'task',
  inquiries: 'inquiry',
  automations: 'automation',
  executions: 'execution',
};

const shown = (id: string) => (id.length > 64 ? `${id.slice(0, 64)}…` : id);

/**
 * An `{id}` of a form the CRM never issues (too long, other characters) names nothing, in any
 * tenant, so it is a 404 like any unknown id (another tenant's ids are unknown too), answered
 * before the route reads anything. Other path parameters (a domain) are the route's to check.
 */
function checkId(spec: RouteSpec, id: string | undefined): void {
  if (id === undefined || isPossibleId(id)) return;
  const record = RECORD[spec.path.split('/')[1] ?? ''] ?? 'record';
  throw new NotFoundError(`No ${record} with id ${shown(id)}`);
}

/**
 * Dispatches on API Gateway's `routeKey` (e.g. `PATCH /contacts/{id}`), after checking the route's
 * access level against the caller's role and the path's ids against the form of an id.
 */
export function createRouter(impls: Record<RouteKey, RouteImpl>) {
  const specs = new Map<string, RouteSpec>(API_ROUTES.map((r) => [routeKeyOf(r), r]));
  return async (event: JsonHttpEvent): Promise<HttpResult> => {
    const spec = specs.get(event.routeKey);
    const impl = impls[event.routeKey as RouteKey];
    if (!spec || !impl) throw new NotFoundError(`No route ${event.routeKey}`);
    const principal = principalOf(event);
    if (spec.access === 'admin' && principal.role !== 'admin') throw new ForbiddenError();
    const params = (event.pathParameters ?? {}) as Record<string, string>;
    checkId(spec, params.id);
    const response = await impl({
      principal,
      params,
      query: (event.queryStringParameters ?? {}) as Record<string, string>,
      body: event.jsonBody,
    });
    return json(response.status, response.body, response.headers);
  };
}
