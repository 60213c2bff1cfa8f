import { ValidationError } from '../errors.ts';
import { Id } from '../model/common.ts';
import { REJECTED_STAGE } from '../model/deal.ts';
import { RejectionInput } from '../model/rejection.ts';
import type { RouteImpl } from '../http/types.ts';
import { canonicalValue, requirePickValue, stagesOf } from '../settings/pick-lists.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { PageQuery, assertReferences, body, created, ok, query } from './helpers.ts';

export const RejectionListQuery = PageQuery.extend({ contactId: Id.optional(), propertyId: Id.optional() });

export function rejectionRoutes({ rejections, contacts, properties, deals, settings }: CrmStores): Record<string, RouteImpl> {
  return {
    /**
     * Records an Absage; its reason must be one of the tenant's Absage reasons. On a deal, the
     * deal moves to "Abgesagt" in the same transaction, so the two never disagree, when its
     * pipeline has that stage (in the pipeline's spelling; without it the deal stays where it is);
     * the deal must be the contact's, and its property is taken over.
     */
    'POST /rejections': async ({ principal: { tenantId }, body: raw }) => {
      const input = body(RejectionInput, raw);
      const { pickLists } = await settings.get(tenantId);
      input.reason = requirePickValue(pickLists.rejectionReasons, input.reason, { path: 'reason', list: 'rejectionReasons' });
      await assertReferences(tenantId, [
        { field: 'contactId', id: input.contactId, store: contacts, label: 'contact' },
        { field: 'propertyId', id: input.propertyId, store: properties, label: 'property' },
      ]);
      const deal = input.dealId ? await deals.get(tenantId, input.dealId) : undefined;
      if (input.dealId && !deal) throw new ValidationError('The request names records that do not exist', [{ path: 'dealId', code: 'not_found', params: { entity: 'deal', id: input.dealId }, message: `No deal with id ${input.dealId}` }]);
      if (deal && deal.contactId !== input.contactId) {
        throw new ValidationError('The deal belongs to another contact', [{ path: 'dealId', code: 'deal_of_other_contact', message: 'Not a deal of this contact' }]);
      }
      if (deal && input.propertyId && deal.propertyId !== input.propertyId) {
        throw new ValidationError('The deal concerns another property', [{ path: 'propertyId', code: 'deal_of_other_property', message: 'Differs from the deal\'s property' }]);
      }
      // "Abgesagt" in the spelling of the deal's pipeline; no move when the pipeline lacks it or the deal is there.
      const rejected = deal && canonicalValue(stagesOf(pickLists, deal.pipelineId) ?? [], REJECTED_STAGE);
      const moveTo = deal && rejected !== undefined && canonicalValue([deal.stage], rejected) === undefined ? rejected : undefined;
      const rejection = await rejections.create(
        tenantId,
        { ...input, ...(deal ? { propertyId: deal.propertyId } : {}) },
        { alsoIn: (tx) => deal && moveTo && deals.moveInTransaction(tx, deal, moveTo) },
      );
      return created(rejection, 'rejections');
    },
    'GET /rejections': async ({ principal: { tenantId }, query: q }) => ok(await rejections.list(tenantId, query(RejectionListQuery, q))),
    'GET /rejections/{id}': async ({ principal: { tenantId }, params }) => ok(await rejections.require(tenantId, params.id!)),
  };
}
