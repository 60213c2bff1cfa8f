import type middy from '@middy/core';
import { ValidationError } from '../../errors.ts';
import type { HttpEvent, HttpResult } from '../types.ts';

export type JsonHttpEvent = HttpEvent & { jsonBody?: unknown };

/**
 * Parses a JSON body into `event.jsonBody`. An empty body stays undefined (the route's schema says
 * whether that is allowed); a body that is not JSON, or is sent as another media type, is a 400.
 */
export function jsonBody(): middy.MiddlewareObj<JsonHttpEvent, HttpResult> {
  return {
    before: async ({ event }) => {
      if (!event.body) return;
      const contentType = headerOf(event, 'content-type');
      if (contentType && !/^application\/(.+\+)?json\b/i.test(contentType)) {
        throw new ValidationError('The body must be JSON', [{ path: '(body)', code: 'unsupported_media_type', message: `Unsupported content type ${contentType}` }]);
      }
      const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      try {
        event.jsonBody = JSON.parse(text);
      } catch (error) {
        throw new ValidationError('The body is not valid JSON', [{ path: '(body)', code: 'invalid_json', message: (error as Error).message }]);
      }
      // `__proto__` would be dropped, or set an object's prototype, once a schema copies the value:
      // no field of the CRM has that name, so it is refused wherever it stands.
      const at = protoPath(event.jsonBody);
      if (at !== undefined) throw new ValidationError('The body names a forbidden key', [{ path: at, code: 'forbidden_key', message: 'No field may be named "__proto__"', params: { key: '__proto__' } }]);
    },
  };
}

/** The dotted path of the first `__proto__` key in a parsed JSON value (JSON.parse keeps it as an own key). */
function protoPath(value: unknown, path = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key === '__proto__') return at;
    const found = protoPath(child, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

function headerOf(event: HttpEvent, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}
