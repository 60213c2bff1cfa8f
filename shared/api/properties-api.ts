import { Id } from '../model/common.ts';
import { PropertyInput, PropertyPatch, UnitId } from '../model/property.ts';
import type { RouteImpl } from '../http/types.ts';
import { requirePickValue } from '../settings/pick-lists.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { ArchivedQuery, PageQuery, assertReferences, body, created, ok, query } from './helpers.ts';

export const PropertyListQuery = PageQuery.extend({ contactPersonId: Id.optional(), unitId: UnitId.optional(), archived: ArchivedQuery });

export function propertyRoutes({ properties, users, settings }: CrmStores): Record<string, RouteImpl> {
  const contactPerson = (tenantId: string, id: unknown) =>
    assertReferences(tenantId, [{ field: 'contactPersonId', id: id as string | undefined, store: users, label: 'user' }]);
  /** The fields with `status` in the spelling of the tenant's property statuses; a status outside them is a 400. */
  const withStatus = async <T extends { status?: unknown }>(tenantId: string, fields: T): Promise<T> => {
    if (typeof fields.status !== 'string') return fields;
    const { propertyStatuses } = (await settings.get(tenantId)).pickLists;
    return { ...fields, status: requirePickValue(propertyStatuses, fields.status, { path: 'status', list: 'propertyStatuses' }) };
  };

  return {
    'POST /properties': async ({ principal: { tenantId }, body: raw }) => {
      const input = await withStatus(tenantId, body(PropertyInput, raw));
      await contactPerson(tenantId, input.contactPersonId);
      return created(await properties.create(tenantId, input), 'properties');
    },
    'GET /properties': async ({ principal: { tenantId }, query: q }) => ok(await properties.list(tenantId, query(PropertyListQuery, q))),
    'GET /properties/{id}': async ({ principal: { tenantId }, params }) => ok(await properties.require(tenantId, params.id!)),
    'PATCH /properties/{id}': async ({ principal: { tenantId }, params, body: raw }) => {
      const { version, ...fields } = body(PropertyPatch, raw);
      const current = await properties.require(tenantId, params.id!);
      const patch = await withStatus(tenantId, fields);
      await contactPerson(tenantId, patch.contactPersonId);
      return ok(await properties.update(tenantId, params.id!, patch, version, { current }));
    },
  };
}
