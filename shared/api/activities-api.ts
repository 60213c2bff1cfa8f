import * as z from 'zod';
import { ACTIVITY_TYPES, ActivityInput } from '../model/activity.ts';
import { Id } from '../model/common.ts';
import type { RouteImpl } from '../http/types.ts';
import { requirePickValue } from '../settings/pick-lists.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { PageQuery, assertReferences, body, created, ok, query } from './helpers.ts';

const ListQuery = PageQuery.extend({ contactId: Id.optional(), propertyId: Id.optional(), type: z.enum(ACTIVITY_TYPES).optional() });

export function activityRoutes({ activities, contacts, properties, deals, settings }: CrmStores): Record<string, RouteImpl> {
  return {
    /** The category must be one of the categories of the activity's type; it is stored in the list's spelling. */
    'POST /activities': async ({ principal: { tenantId }, body: raw }) => {
      const input = body(ActivityInput, raw);
      if (input.category !== undefined) {
        const allowed = (await settings.get(tenantId)).pickLists.activityCategories[input.type];
        input.category = requirePickValue(allowed, input.category, { path: 'category', list: 'activityCategories', key: input.type });
      }
      await assertReferences(tenantId, [
        ...input.contactIds.map((id, i) => ({ field: `contactIds.${i}`, id, store: contacts, label: 'contact' })),
        { field: 'propertyId', id: input.propertyId, store: properties, label: 'property' },
        { field: 'dealId', id: input.dealId, store: deals, label: 'deal' },
      ]);
      return created(await activities.create(tenantId, input), 'activities');
    },
    'GET /activities': async ({ principal: { tenantId }, query: q }) => ok(await activities.list(tenantId, query(ListQuery, q))),
    'GET /activities/{id}': async ({ principal: { tenantId }, params }) => ok(await activities.require(tenantId, params.id!)),
  };
}
