import type * as z from 'zod';
import type { Action, MoveDealAction, UpdateContactAction, UpdatePropertyAction } from '../../automations/model.ts';
import type { EntityMeta } from '../../model/common.ts';
import type { Contact } from '../../model/contact.ts';
import type { Property } from '../../model/property.ts';
import type { WriteStore } from '../../stores/store.ts';
import type { RunContext } from '../context.ts';
import { stagesOf } from '../../settings/pick-lists.ts';
import { SkipError } from '../errors.ts';
import type { ActionHandler } from './types.ts';

/** The fields of `set` whose value differs from the entity's. */
function changes(entity: Record<string, unknown>, set: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(set).filter(([key, value]) => value !== undefined && entity[key] !== value));
}

/** An action that sets fields on one of the event's entities, through that entity's store. */
function setFields<A extends { set: Record<string, unknown> }, E extends EntityMeta>(
  pick: (ctx: Parameters<ActionHandler>[1]) => E | undefined,
  store: (deps: Parameters<ActionHandler>[3]) => Pick<WriteStore<E, never>, 'update'>,
  label: 'contactId' | 'propertyId',
  missing: (ctx: RunContext) => string,
): ActionHandler<A & Action> {
  return async (action, ctx, _step, deps) => {
    const entity = pick(ctx);
    if (!entity) throw new SkipError(missing(ctx));
    const set = changes(entity as unknown as Record<string, unknown>, action.set);
    return {
      writes: true,
      preview: { [label]: entity.id, set },
      execute: async () => {
        if (Object.keys(set).length > 0) await store(deps).update(ctx.tenantId, entity.id, set, entity.version, { causedBy: ctx.causedBy, current: entity });
        return { [label]: entity.id, changed: Object.keys(set) };
      },
    };
  };
}

/** Why there is no contact: it was deleted since the event, or the event never named one. */
function missingContact(ctx: RunContext): string {
  const id = ctx.ids.contact;
  return id ? `The contact ${id} no longer exists` : `The ${ctx.eventType} event names no contact`;
}

function missingProperty(ctx: RunContext): string {
  const id = ctx.ids.property;
  return id ? `The property ${id} no longer exists` : `The ${ctx.eventType} event names no property`;
}

/** Sets status, newsletter, owner or archived on the event's contact (a no-op when already so). */
export const updateContact = setFields<z.output<typeof UpdateContactAction>, Contact>((ctx) => ctx.contact, (deps) => deps.stores.contacts, 'contactId', (ctx) => missingContact(ctx));

/** Sets status or archived on the event's property. */
export const updateProperty = setFields<z.output<typeof UpdatePropertyAction>, Property>((ctx) => ctx.property, (deps) => deps.stores.properties, 'propertyId', (ctx) => missingProperty(ctx));

/** Moves the event's deal to a stage. */
export const moveDeal: ActionHandler<z.output<typeof MoveDealAction>> = async (action, ctx, _step, { stores }) => {
  const deal = ctx.deal;
  if (!deal) {
    const id = ctx.ids.deal;
    throw new SkipError(id ? `The deal ${id} no longer exists` : `The ${ctx.eventType} event names no deal`);
  }
  // Stages are per pipeline: a stage of another pipeline would leave the deal where no list has it.
  const stages = stagesOf(ctx.pickLists, deal.pipelineId);
  if (!stages?.includes(action.stage)) {
    throw new SkipError(`"${action.stage}" is not a stage of the pipeline "${deal.pipelineId}" of the deal ${deal.id}${stages ? ` (${stages.join(', ')})` : ''}`);
  }
  return {
    writes: true,
    preview: { dealId: deal.id, fromStage: deal.stage, toStage: action.stage },
    execute: async () => {
      if (deal.stage === action.stage) return { dealId: deal.id, changed: [] };
      await stores.deals.update(ctx.tenantId, deal.id, { stage: action.stage }, deal.version, { causedBy: ctx.causedBy, current: deal });
      return { dealId: deal.id, fromStage: deal.stage, toStage: action.stage };
    },
  };
};
