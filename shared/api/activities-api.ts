import * as z from 'zod';
import { ACTIVITY_TYPES, ActivityInput, AppointmentPatch, checkedActivity } from '../model/activity.ts';
import { ConflictError } from '../errors.ts';
import { parseOrThrow } from '../validation.ts';
import { Id } from '../model/common.ts';
import type { RouteImpl } from '../http/types.ts';
import { requirePickValue } from '../settings/pick-lists.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { PageQuery, assertReferences, body, created, ok, query } from './helpers.ts';

export const ActivityListQuery = PageQuery.extend({ contactId: Id.optional(), propertyId: Id.optional(), type: z.enum(ACTIVITY_TYPES).optional() });

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
    'GET /activities': async ({ principal: { tenantId }, query: q }) => ok(await activities.list(tenantId, query(ActivityListQuery, q))),
    'GET /activities/{id}': async ({ principal: { tenantId }, params }) => ok(await activities.require(tenantId, params.id!)),
    /**
     * Appointments move (start, end, place, title) and are cancelled; a note, call, e-mail or letter
     * stays as recorded (409 `not_changeable`). The change raises ActivityUpdated with its fields.
     */
    'PATCH /activities/{id}': async ({ principal: { tenantId }, params, body: raw }) => {
      const { version, ...patch } = body(AppointmentPatch, raw);
      const current = await activities.require(tenantId, params.id!);
      if (current.type !== 'appointment') {
        throw new ConflictError('not_changeable', `A ${current.type} stays as recorded; only appointments can move or be cancelled`, [
          { path: 'type', code: 'not_changeable', message: 'Only appointments change', params: { type: current.type } },
        ]);
      }
      const merged = { ...current, ...patch };
      if (patch.location === null) delete merged.location;
      parseOrThrow(checkedActivity, merged, 'The appointment');
      return ok(await activities.update(tenantId, current.id, patch, version, { current }));
    },
  };
}
