import { UnauthorizedError } from '../errors.ts';
import type { HttpEvent, Principal } from './types.ts';

export const TENANT_CLAIM = 'custom:tenantId';
export const GROUPS_CLAIM = 'cognito:groups';
export const ADMIN_GROUP = 'admin';

const TENANT_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

/**
 * API Gateway's JWT authorizer passes claims as strings; an array claim such as `cognito:groups`
 * arrives as `[admin agents]`. Accepts that form, a real array, and a single group name.
 */
export function parseGroups(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== 'string' || claim.trim() === '') return [];
  const trimmed = claim.trim();
  if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
    const inner = trimmed.slice(1, -1).trim();
    if (inner.startsWith('"')) {
      try {
        return (JSON.parse(trimmed) as unknown[]).map(String);
      } catch {
        /* fall through to the space-separated form */
      }
    }
    return inner.split(/[\s,]+/).filter(Boolean);
  }
  return [trimmed];
}

/** The caller, from the claims the authorizer verified. A token without a tenant is refused. */
export function principalOf(event: HttpEvent): Principal {
  const claims = event.requestContext?.authorizer?.jwt?.claims ?? {};
  const tenantId = claims[TENANT_CLAIM];
  const userId = claims.sub;
  if (typeof tenantId !== 'string' || !TENANT_ID.test(tenantId) || typeof userId !== 'string' || userId === '') {
    throw new UnauthorizedError('The token names no valid tenant');
  }
  const role = parseGroups(claims[GROUPS_CLAIM]).includes(ADMIN_GROUP) ? 'admin' : 'agent';
  return { tenantId, role, userId };
}
