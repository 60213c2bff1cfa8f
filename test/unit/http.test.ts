import { describe, expect, it } from 'vitest';
import { matchRoute } from '#shared/api/routes';
import { UnauthorizedError } from '#shared/errors';
import { parseGroups, principalOf } from '#shared/http/auth';
import type { HttpEvent } from '#shared/http/types';

const withClaims = (claims: Record<string, unknown>) => ({ requestContext: { authorizer: { jwt: { claims } } } }) as unknown as HttpEvent;

describe('principal from the verified claims', () => {
  it('reads the tenant and the admin group as API Gateway passes them', () => {
    expect(principalOf(withClaims({ sub: 'u1', 'custom:tenantId': 'acme', 'cognito:groups': '[admin agents]' }))).toEqual({
      tenantId: 'acme',
      role: 'admin',
      userId: 'u1',
    });
  });

  it('makes everyone outside the admin group an agent', () => {
    expect(principalOf(withClaims({ sub: 'u2', 'custom:tenantId': 'acme', 'cognito:groups': '[agents]' })).role).toBe('agent');
    expect(principalOf(withClaims({ sub: 'u3', 'custom:tenantId': 'acme' })).role).toBe('agent');
  });

  it('refuses a token without a well-formed tenant', () => {
    expect(() => principalOf(withClaims({ sub: 'u1' }))).toThrow(UnauthorizedError);
    expect(() => principalOf(withClaims({ sub: 'u1', 'custom:tenantId': 'ACME#x' }))).toThrow(UnauthorizedError);
    expect(() => principalOf({ requestContext: {} } as unknown as HttpEvent)).toThrow(UnauthorizedError);
  });

  it.each([
    ['[admin agents]', ['admin', 'agents']],
    ['["admin","agents"]', ['admin', 'agents']],
    ['admin', ['admin']],
    ['', []],
    [['admin'], ['admin']],
    [undefined, []],
  ])('parses the groups claim %j', (claim, groups) => {
    expect(parseGroups(claim)).toEqual(groups);
  });
});

describe('route matching', () => {
  it('matches literal and parameter segments as API Gateway does', () => {
    expect(matchRoute('PATCH', '/contacts/01J')).toMatchObject({ route: { path: '/contacts/{id}' }, params: { id: '01J' } });
    expect(matchRoute('GET', '/contacts')).toMatchObject({ route: { path: '/contacts' }, params: {} });
    expect(matchRoute('GET', '/contacts/')).toMatchObject({ route: { path: '/contacts' } });
  });

  it('finds nothing for unknown paths and methods', () => {
    expect(matchRoute('GET', '/contacts/1/deals')).toBeUndefined();
    expect(matchRoute('DELETE', '/deals/1')).toBeUndefined();
    expect(matchRoute('GET', '/contacts//')).toBeUndefined();
  });
});
