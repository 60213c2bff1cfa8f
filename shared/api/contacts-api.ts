import * as z from 'zod';
import { EXECUTION_STATUSES } from '../automations/execution.ts';
import { Id } from '../model/common.ts';
import { ContactFields, ContactInput, ContactPatch } from '../model/contact.ts';
import type { RouteImpl } from '../http/types.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import type { ExecutionStore } from '../stores/execution-store.ts';
import { requirePickValue } from '../settings/pick-lists.ts';
import { ArchivedQuery, PageQuery, assertReferences, body, created, ok, query } from './helpers.ts';

export const ContactCreateQuery = z.strictObject({ upsert: z.enum(['true', 'false']).optional() });
/** An upsert names only the fields it sets, and the e-mail address it is keyed on. */
export const ContactUpsert = ContactFields.partial().extend({ email: ContactFields.shape.email.unwrap() });
export const ContactListQuery = PageQuery.extend({ ownerId: Id.optional(), email: z.string().max(254).optional(), archived: ArchivedQuery });
export const ContactExecutionQuery = PageQuery.extend({ status: z.enum(EXECUTION_STATUSES).optional() });

/**
 * The contact routes, and the runs of automations that acted on a contact (for agents as well as
 * admins: what the CRM did to their contact is theirs to see).
 */
export function contactRoutes({ contacts, users, settings }: CrmStores, executions: Pick<ExecutionStore, 'list'>): Record<string, RouteImpl> {
  const owner = (tenantId: string, ownerId: unknown) =>
    assertReferences(tenantId, [{ field: 'ownerId', id: ownerId as string | undefined, store: users, label: 'user' }]);
  /** The fields with `status` in the spelling of the tenant's contact statuses; a status outside them is a 400. */
  const withStatus = async <T extends { status?: unknown }>(tenantId: string, fields: T): Promise<T> => {
    if (typeof fields.status !== 'string') return fields;
    const { contactStatuses } = (await settings.get(tenantId)).pickLists;
    return { ...fields, status: requirePickValue(contactStatuses, fields.status, { path: 'status', list: 'contactStatuses' }) };
  };

  return {
    'POST /contacts': async ({ principal: { tenantId }, query: q, body: raw }) => {
      if (query(ContactCreateQuery, q).upsert === 'true') {
        const fields = await withStatus(tenantId, body(ContactUpsert, raw));
        await owner(tenantId, fields.ownerId);
        const { contact, created: isNew } = await contacts.upsertByEmail(tenantId, fields);
        return isNew ? created(contact, 'contacts') : ok(contact);
      }
      const input = await withStatus(tenantId, body(ContactInput, raw));
      await owner(tenantId, input.ownerId);
      return created(await contacts.create(tenantId, input), 'contacts');
    },
    'GET /contacts': async ({ principal: { tenantId }, query: q }) => ok(await contacts.list(tenantId, query(ContactListQuery, q))),
    'GET /contacts/{id}': async ({ principal: { tenantId }, params }) => ok(await contacts.require(tenantId, params.id!)),
    'PATCH /contacts/{id}': async ({ principal: { tenantId }, params, body: raw }) => {
      const { version, ...fields } = body(ContactPatch, raw);
      const current = await contacts.require(tenantId, params.id!);
      const patch = await withStatus(tenantId, fields);
      await owner(tenantId, patch.ownerId);
      return ok(await contacts.update(tenantId, params.id!, patch, version, { current }));
    },
    'GET /contacts/{id}/executions': async ({ principal: { tenantId }, params, query: q }) => {
      const page = query(ContactExecutionQuery, q);
      await contacts.require(tenantId, params.id!);
      return ok(await executions.list(tenantId, { ...page, contactId: params.id! }));
    },
    /** Contacts are never deleted, only archived: their history stays. */
    'DELETE /contacts/{id}': async ({ principal: { tenantId }, params }) => ok(await contacts.archive(tenantId, params.id!)),
  };
}
