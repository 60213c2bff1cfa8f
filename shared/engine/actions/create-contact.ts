import type * as z from 'zod';
import type { CreateContactAction } from '../../automations/model.ts';
import { ConflictError } from '../../errors.ts';
import { ContactInput } from '../../model/contact.ts';
import { DEFAULT_PIPELINE } from '../../model/deal.ts';
import { canonicalValue, stagesOf } from '../../settings/pick-lists.ts';
import { parseOrThrow } from '../../validation.ts';
import { PermanentError, SkipError } from '../errors.ts';
import type { ActionHandler } from './types.ts';

/**
 * From an inquiry: finds the contact by e-mail or creates it with the defaults (status, newsletter,
 * owner = the property's contact person), links the inquiry to it, and opens a deal on the
 * property at the first stage of the tenant's default pipeline. An existing contact only gains the
 * fields it lacks. Every part finds what an earlier attempt made, so a retried step adds nothing
 * twice. The status is stored in the spelling of the tenant's contact statuses; a status no longer
 * in them is left out (and named in the result as `statusNotInPickList`), so the inquiry's contact
 * is never lost over it.
 */
export const createContact: ActionHandler<z.output<typeof CreateContactAction>> = async (action, ctx, _step, { stores }) => {
  const inquiry = ctx.inquiry;
  if (!inquiry) throw new SkipError('The inquiry no longer exists');
  const extracted = inquiry.extracted;
  if (!extracted?.email) throw new SkipError('The inquiry has no e-mail address');
  const ownerId =
    action.defaults.owner === 'none' ? undefined : typeof action.defaults.owner === 'object' ? action.defaults.owner.userId : ctx.contactPerson?.id;
  const person = {
    ...(extracted.salutation ? { salutation: extracted.salutation } : {}),
    ...(extracted.firstName ? { firstName: extracted.firstName } : {}),
    ...(extracted.lastName ? { lastName: extracted.lastName } : {}),
    ...(extracted.phone && /^\+?[0-9 ()/.-]{3,40}$/.test(extracted.phone) ? { phone: extracted.phone } : {}),
  };
  const { pickLists } = ctx;
  const status = canonicalValue(pickLists.contactStatuses, action.defaults.status);
  const dealStage = stagesOf(pickLists, DEFAULT_PIPELINE)![0]!;
  const fresh = {
    ...person,
    email: extracted.email,
    ...(status ? { status } : {}),
    newsletter: action.defaults.newsletter,
    source: `Anfrage${extracted.portal ? ` (${extracted.portal})` : ''}`.slice(0, 100),
    ...(ownerId ? { ownerId } : {}),
  };
  return {
    writes: true,
    preview: { email: extracted.email, newContact: fresh, openDeal: action.openDeal && Boolean(inquiry.propertyId), dealStage },
    execute: async () => {
      let contact = await stores.contacts.findByEmail(ctx.tenantId, extracted.email!);
      const created = !contact;
      if (!contact) {
        const input = (() => {
          try {
            return parseOrThrow(ContactInput, fresh, 'The contact from the inquiry');
          } catch (error) {
            throw new PermanentError((error as Error).message);
          }
        })();
        try {
          contact = await stores.contacts.create(ctx.tenantId, input, { causedBy: ctx.causedBy });
        } catch (error) {
          // Created meanwhile by a parallel run: use that one.
          if (!(error instanceof ConflictError)) throw error;
          contact = (await stores.contacts.findByEmail(ctx.tenantId, extracted.email!))!;
        }
      } else {
        const missing = Object.fromEntries(Object.entries(person).filter(([key]) => (contact as Record<string, unknown>)[key] === undefined));
        if (Object.keys(missing).length > 0) contact = await stores.contacts.update(ctx.tenantId, contact.id, missing, contact.version, { causedBy: ctx.causedBy, current: contact });
      }
      await stores.inquiries.linkContact(ctx.tenantId, inquiry.id, contact.id, { causedBy: ctx.causedBy });
      let dealId: string | undefined;
      if (action.openDeal && inquiry.propertyId) {
        try {
          dealId = (await stores.deals.create(ctx.tenantId, { contactId: contact.id, propertyId: inquiry.propertyId, stage: dealStage, pipelineId: DEFAULT_PIPELINE, archived: false }, { causedBy: ctx.causedBy })).id;
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          dealId = (await stores.deals.list(ctx.tenantId, { contactId: contact.id, propertyId: inquiry.propertyId, archived: 'include' })).items[0]?.id;
        }
      }
      return { contactId: contact.id, created, ...(dealId ? { dealId } : {}), ...(created && !status ? { statusNotInPickList: action.defaults.status } : {}) };
    },
  };
};
