import { Id } from '../model/common.ts';
import { PropertyInput, PropertyPatch, UnitId } from '../model/property.ts';
import type { RouteImpl } from '../http/types.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { ArchivedQuery, PageQuery, assertReferences, body, created, ok, query } from './helpers.ts';

const ListQuery = PageQuery.extend({ contactPersonId: Id.optional(), unitId: UnitId.optional(), archived: ArchivedQuery });

export function propertyRoutes({ properties, users }: CrmStores): Record<string, RouteImpl> {
  const contactPerson = (tenantId: string, id: unknown) =>
    assertReferences(tenantId, [{ field: 'contactPersonId', id: id as string | undefined, store: users, label: 'user' }]);

  return {
    'POST /properties': async ({ principal: { tenantId }, body: raw }) => {
      const input = body(PropertyInput, raw);
      await contactPerson(tenantId, input.contactPersonId);
      return created(await properties.create(tenantId, input), 'properties');
    },
    'GET /properties': async ({ principal: { tenantId }, query: q }) => ok(await properties.list(tenantId, query(ListQuery, q))),
    'GET /properties/{id}': async ({ principal: { tenantId }, params }) => ok(await properties.require(tenantId, params.id!)),
    'PATCH /properties/{id}': async ({ principal: { tenantId }, params, body: raw }) => {
      const { version, ...patch } = body(PropertyPatch, raw);
      await contactPerson(tenantId, patch.contactPersonId);
      return ok(await properties.update(tenantId, params.id!, patch, version));
    },
  };
}
