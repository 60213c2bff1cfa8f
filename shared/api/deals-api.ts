import * as z from 'zod';
import { Id } from '../model/common.ts';
import { DEFAULT_PIPELINE, DealFields, DealPatch } from '../model/deal.ts';
import type { RouteImpl } from '../http/types.ts';
import { canonicalValue, notInPickList, PickListCheck, stagesOf, type PickLists } from '../settings/pick-lists.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { ArchivedQuery, PageQuery, assertReferences, body, created, ok, query } from './helpers.ts';

export const DealListQuery = PageQuery.extend({
  contactId: Id.optional(),
  propertyId: Id.optional(),
  stage: z.string().max(60).optional(),
  archived: ArchivedQuery,
});

/** A new deal; without a stage it starts at the first stage of its pipeline. */
export const DealBody = DealFields.extend({
  stage: DealFields.shape.stage.optional(),
  pipelineId: Id.default(DEFAULT_PIPELINE),
  archived: z.boolean().default(false),
});

/**
 * The pipeline and stage in the spelling of the tenant's deal stages (`stage` undefined: the
 * pipeline's first stage). An unknown pipeline fails at `pipelineId` listing the pipelines; a stage
 * outside the pipeline fails at `stage` listing its stages.
 */
export function placeDeal(lists: PickLists, pipelineId: string, stage: string | undefined, check: PickListCheck): { pipelineId: string; stage: string | undefined } {
  const pipelines = Object.keys(lists.dealStages);
  const pipeline = canonicalValue(pipelines, pipelineId);
  if (pipeline === undefined) {
    check.fail(notInPickList({ path: 'pipelineId', list: 'dealStages' }, pipelines, pipelineId));
    return { pipelineId, stage };
  }
  const stages = stagesOf(lists, pipeline)!;
  return { pipelineId: pipeline, stage: stage === undefined ? stages[0] : check.value(stages, stage, { path: 'stage', list: 'dealStages', key: pipeline }) };
}

export function dealRoutes({ deals, contacts, properties, settings }: CrmStores): Record<string, RouteImpl> {
  const pickLists = async (tenantId: string) => (await settings.get(tenantId)).pickLists;

  return {
    'POST /deals': async ({ principal: { tenantId }, body: raw }) => {
      const input = body(DealBody, raw);
      const check = new PickListCheck();
      const placed = placeDeal(await pickLists(tenantId), input.pipelineId, input.stage, check);
      check.done();
      await assertReferences(tenantId, [
        { field: 'contactId', id: input.contactId, store: contacts, label: 'contact' },
        { field: 'propertyId', id: input.propertyId, store: properties, label: 'property' },
      ]);
      return created(await deals.create(tenantId, { ...input, pipelineId: placed.pipelineId, stage: placed.stage! }), 'deals');
    },
    'GET /deals': async ({ principal: { tenantId }, query: q }) => ok(await deals.list(tenantId, query(DealListQuery, q))),
    'GET /deals/{id}': async ({ principal: { tenantId }, params }) => ok(await deals.require(tenantId, params.id!)),
    /**
     * A stage change is a PATCH of `stage`; the stream turns it into DealStageChanged. A new stage
     * or pipeline is checked against the pipeline the deal is in afterwards.
     */
    'PATCH /deals/{id}': async ({ principal: { tenantId }, params, body: raw }) => {
      const { version, ...patch } = body(DealPatch, raw);
      const current = await deals.require(tenantId, params.id!);
      const stageGiven = typeof patch.stage === 'string';
      const pipelineGiven = typeof patch.pipelineId === 'string';
      if (stageGiven || pipelineGiven) {
        const check = new PickListCheck();
        const placed = placeDeal(
          await pickLists(tenantId),
          pipelineGiven ? (patch.pipelineId as string) : current.pipelineId,
          stageGiven ? (patch.stage as string) : current.stage,
          check,
        );
        check.done();
        if (pipelineGiven) patch.pipelineId = placed.pipelineId;
        if (stageGiven || placed.stage !== current.stage) patch.stage = placed.stage;
      }
      return ok(await deals.update(tenantId, params.id!, patch, version, { current }));
    },
  };
}
