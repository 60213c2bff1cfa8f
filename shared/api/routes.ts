/**
 * The HTTP API's routes as plain data: the CDK stack creates one API Gateway route per entry (each
 * behind the JWT authorizer), the local server matches requests against the same list, and the API
 * handler dispatches on the route key. Who may call: `admin` needs the admin group, `member` any
 * user of the tenant.
 */
export type Access = 'admin' | 'member';
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: Method;
  path: string;
  access: Access;
}

const route = (method: Method, path: string, access: Access = 'member'): RouteSpec => ({ method, path, access });

export const API_ROUTES = [
  route('GET', '/settings', 'admin'),
  route('PUT', '/settings', 'admin'),
  route('GET', '/pick-lists'),
  route('POST', '/sender-domains', 'admin'),
  route('GET', '/sender-domains', 'admin'),
  route('GET', '/sender-domains/{domain}', 'admin'),
  route('POST', '/users', 'admin'),
  route('GET', '/users'),
  route('GET', '/users/{id}'),
  route('PATCH', '/users/{id}', 'admin'),
  route('POST', '/contacts'),
  route('GET', '/contacts'),
  route('GET', '/contacts/{id}'),
  route('PATCH', '/contacts/{id}'),
  route('DELETE', '/contacts/{id}'),
  route('GET', '/contacts/{id}/executions'),
  route('POST', '/properties'),
  route('GET', '/properties'),
  route('GET', '/properties/{id}'),
  route('PATCH', '/properties/{id}'),
  route('POST', '/deals'),
  route('GET', '/deals'),
  route('GET', '/deals/{id}'),
  route('PATCH', '/deals/{id}'),
  route('POST', '/activities'),
  route('GET', '/activities'),
  route('GET', '/activities/{id}'),
  route('PATCH', '/activities/{id}'),
  route('POST', '/rejections'),
  route('GET', '/rejections'),
  route('GET', '/rejections/{id}'),
  route('POST', '/tasks'),
  route('GET', '/tasks'),
  route('GET', '/tasks/{id}'),
  route('PATCH', '/tasks/{id}'),
  route('GET', '/inquiries'),
  route('GET', '/inquiries/{id}'),
  route('POST', '/birthday-runs', 'admin'),
  route('GET', '/automation-presets', 'admin'),
  route('GET', '/automation-triggers', 'admin'),
  route('POST', '/automations', 'admin'),
  route('GET', '/automations', 'admin'),
  route('GET', '/automations/{id}', 'admin'),
  route('PUT', '/automations/{id}', 'admin'),
  route('DELETE', '/automations/{id}', 'admin'),
  route('POST', '/automations/{id}/enable', 'admin'),
  route('POST', '/automations/{id}/disable', 'admin'),
  route('POST', '/automations/{id}/test', 'admin'),
  route('GET', '/automations/{id}/executions', 'admin'),
  route('GET', '/executions', 'admin'),
  route('GET', '/executions/{id}', 'admin'),
  route('POST', '/executions/{id}/cancel', 'admin'),
  route('POST', '/executions/{id}/resume', 'admin'),
] as const satisfies readonly RouteSpec[];

export type RouteKey = `${(typeof API_ROUTES)[number]['method']} ${(typeof API_ROUTES)[number]['path']}`;

export const routeKeyOf = (r: RouteSpec) => `${r.method} ${r.path}`;

/** Matches a request against the route table as API Gateway does: literal segments, `{name}` parameters. */
export function matchRoute(method: string, path: string): { route: RouteSpec; params: Record<string, string> } | undefined {
  const segments = (path.length > 1 ? path.replace(/\/$/, '') : path).split('/');
  for (const candidate of API_ROUTES) {
    if (candidate.method !== method) continue;
    const pattern = candidate.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((part, i) => {
      const segment = segments[i]!;
      if (part.startsWith('{') && part.endsWith('}')) {
        if (segment === '') return false;
        params[part.slice(1, -1)] = decodeURIComponent(segment);
        return true;
      }
      return part === segment;
    });
    if (matches) return { route: candidate, params };
  }
  return undefined;
}
