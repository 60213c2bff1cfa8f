import { UserInput, UserPatch } from '../model/user.ts';
import type { RouteImpl } from '../http/types.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { ArchivedQuery, PageQuery, body, created, ok, query } from './helpers.ts';

export const UserListQuery = PageQuery.extend({ archived: ArchivedQuery });

export function userRoutes({ users }: CrmStores): Record<string, RouteImpl> {
  return {
    'POST /users': async ({ principal: { tenantId }, body: raw }) => created(await users.create(tenantId, body(UserInput, raw)), 'users'),
    'GET /users': async ({ principal: { tenantId }, query: q }) => ok(await users.list(tenantId, query(UserListQuery, q))),
    'GET /users/{id}': async ({ principal: { tenantId }, params }) => ok(await users.require(tenantId, params.id!)),
    'PATCH /users/{id}': async ({ principal: { tenantId }, params, body: raw }) => {
      const { version, ...patch } = body(UserPatch, raw);
      return ok(await users.update(tenantId, params.id!, patch, version));
    },
  };
}
