import { Id } from '../model/common.ts';
import type { RouteImpl } from '../http/types.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { PageQuery, ok, query } from './helpers.ts';

export const InquiryListQuery = PageQuery.extend({ propertyId: Id.optional(), contactId: Id.optional() });

/** Inquiries are written by the inbound-mail function only; the API reads them. */
export function inquiryRoutes({ inquiries }: CrmStores): Record<string, RouteImpl> {
  return {
    'GET /inquiries': async ({ principal: { tenantId }, query: q }) => ok(await inquiries.list(tenantId, query(InquiryListQuery, q))),
    'GET /inquiries/{id}': async ({ principal: { tenantId }, params }) => ok(await inquiries.require(tenantId, params.id!)),
  };
}
