import type * as z from 'zod';
import type { MoveDealAction, UpdateContactAction, UpdatePropertyAction } from '../../automations/model.ts';
import { SkipError } from '../errors.ts';
import type { ActionHandler } from './types.ts';

/** The fields of `set` whose value differs from the entity's. */
function changes(entity: Record<string, unknown>, set: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(set).filter(([key, value]) => value !== undefined && entity[key] !== value));
}

/** Sets status, newsletter, owner or archived on the event's contact (a no-op when already so). */
export const updateContact: ActionHandler<z.output<typeof UpdateContactAction>> = async (action, ctx, _step, { stores }) => {
  const contact = ctx.contact;
  if (!contact) throw new SkipError('The contact no longer exists');
  const set = changes(contact, action.set);
  return {
    writes: true,
    preview: { contactId: contact.id, set },
    execute: async () => {
      if (Object.keys(set).length === 0) return { contactId: contact.id, changed: [] };
      await stores.contacts.update(ctx.tenantId, contact.id, set, contact.version, { causedBy: ctx.causedBy });
      return { contactId: contact.id, changed: Object.keys(set) };
    },
  };
};

/** Sets status or archived on the event's property. */
export const updateProperty: ActionHandler<z.output<typeof UpdatePropertyAction>> = async (action, ctx, _step, { stores }) => {
  const property = ctx.property;
  if (!property) throw new SkipError('The event has no property');
  const set = changes(property, action.set);
  return {
    writes: true,
    preview: { propertyId: property.id, set },
    execute: async () => {
      if (Object.keys(set).length === 0) return { propertyId: property.id, changed: [] };
      await stores.properties.update(ctx.tenantId, property.id, set, property.version, { causedBy: ctx.causedBy });
      return { propertyId: property.id, changed: Object.keys(set) };
    },
  };
};

/** Moves the event's deal to a stage. */
export const moveDeal: ActionHandler<z.output<typeof MoveDealAction>> = async (action, ctx, _step, { stores }) => {
  const deal = ctx.deal;
  if (!deal) throw new SkipError('The event has no deal');
  return {
    writes: true,
    preview: { dealId: deal.id, fromStage: deal.stage, toStage: action.stage },
    execute: async () => {
      if (deal.stage === action.stage) return { dealId: deal.id, changed: [] };
      await stores.deals.update(ctx.tenantId, deal.id, { stage: action.stage }, deal.version, { causedBy: ctx.causedBy });
      return { dealId: deal.id, fromStage: deal.stage, toStage: action.stage };
    },
  };
};
