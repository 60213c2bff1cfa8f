import type middy from '@middy/core';
import { ValidationError } from '../../errors.ts';
import type { HttpEvent, HttpResult } from '../types.ts';

export type JsonHttpEvent = HttpEvent & { jsonBody?: unknown };

/**
 * How deep a body may nest objects and arrays (the body itself is level 1). The deepest body the API
 * takes is an automation: trigger, where and a pattern of at most 16 levels; 64 is what
 * System.Text.Json allows by default. Checked on the text, before parsing, in one pass.
 */
export const MAX_BODY_DEPTH = 64;

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
      if (nestingOf(text, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
        throw new ValidationError('The body nests too deep', [
          { path: '(body)', code: 'too_deep', message: `Objects and arrays nest at most ${MAX_BODY_DEPTH} levels deep`, params: { maximum: MAX_BODY_DEPTH } },
        ]);
      }
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

/**
 * How deep a JSON text nests objects and arrays, counting brackets outside strings; stops counting
 * past `limit`. Malformed text is left to the parser.
 */
export function nestingOf(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return deepest;
}

/** The dotted path of the first `__proto__` key in a parsed JSON value (JSON.parse keeps it as an own key), in document order, without recursion. */
function protoPath(value: unknown): string | undefined {
  const stack: Array<[key: string, at: string, child: unknown]> = [];
  const push = (node: unknown, path: string) => {
    if (typeof node !== 'object' || node === null) return;
    const entries = Object.entries(node);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      stack.push([key, path ? `${path}.${key}` : key, child]);
    }
  };
  push(value, '');
  while (stack.length > 0) {
    const [key, at, child] = stack.pop()!;
    if (key === '__proto__') return at;
    push(child, at);
  }
  return undefined;
}

function headerOf(event: HttpEvent, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}
