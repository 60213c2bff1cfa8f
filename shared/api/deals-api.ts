import * as z from 'zod';
import { Id } from '../model/common.ts';
import { DealInput, DealPatch } from '../model/deal.ts';
import type { RouteImpl } from '../http/types.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { ArchivedQuery, PageQuery, assertReferences, body, created, ok, query } from './helpers.ts';

const ListQuery = PageQuery.extend({
  contactId: Id.optional(),
  propertyId: Id.optional(),
  stage: z.string().max(60).optional(),
  archived: ArchivedQuery,
});

export function dealRoutes({ deals, contacts, properties }: CrmStores): Record<string, RouteImpl> {
  return {
    'POST /deals': async ({ principal: { tenantId }, body: raw }) => {
      const input = body(DealInput, raw);
      await assertReferences(tenantId, [
        { field: 'contactId', id: input.contactId, store: contacts, label: 'contact' },
        { field: 'propertyId', id: input.propertyId, store: properties, label: 'property' },
      ]);
      return created(await deals.create(tenantId, input), 'deals');
    },
    'GET /deals': async ({ principal: { tenantId }, query: q }) => ok(await deals.list(tenantId, query(ListQuery, q))),
    'GET /deals/{id}': async ({ principal: { tenantId }, params }) => ok(await deals.require(tenantId, params.id!)),
    /** A stage change is a PATCH of `stage`; the stream turns it into DealStageChanged. */
    'PATCH /deals/{id}': async ({ principal: { tenantId }, params, body: raw }) => {
      const { version, ...patch } = body(DealPatch, raw);
      return ok(await deals.update(tenantId, params.id!, patch, version));
    },
  };
}
