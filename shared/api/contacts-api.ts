import * as z from 'zod';
import { Id } from '../model/common.ts';
import { ContactFields, ContactInput, ContactPatch } from '../model/contact.ts';
import type { RouteImpl } from '../http/types.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { ArchivedQuery, PageQuery, assertReferences, body, created, ok, query } from './helpers.ts';

const CreateQuery = z.strictObject({ upsert: z.enum(['true', 'false']).optional() });
/** An upsert names only the fields it sets, and the e-mail address it is keyed on. */
const ContactUpsert = ContactFields.partial().extend({ email: ContactFields.shape.email.unwrap() });
const ListQuery = PageQuery.extend({ ownerId: Id.optional(), email: z.string().max(254).optional(), archived: ArchivedQuery });

export function contactRoutes({ contacts, users }: CrmStores): Record<string, RouteImpl> {
  const owner = (tenantId: string, ownerId: unknown) =>
    assertReferences(tenantId, [{ field: 'ownerId', id: ownerId as string | undefined, store: users, label: 'user' }]);

  return {
    'POST /contacts': async ({ principal: { tenantId }, query: q, body: raw }) => {
      if (query(CreateQuery, q).upsert === 'true') {
        const fields = body(ContactUpsert, raw);
        await owner(tenantId, fields.ownerId);
        const { contact, created: isNew } = await contacts.upsertByEmail(tenantId, fields);
        return isNew ? created(contact, 'contacts') : ok(contact);
      }
      const input = body(ContactInput, raw);
      await owner(tenantId, input.ownerId);
      return created(await contacts.create(tenantId, input), 'contacts');
    },
    'GET /contacts': async ({ principal: { tenantId }, query: q }) => ok(await contacts.list(tenantId, query(ListQuery, q))),
    'GET /contacts/{id}': async ({ principal: { tenantId }, params }) => ok(await contacts.require(tenantId, params.id!)),
    'PATCH /contacts/{id}': async ({ principal: { tenantId }, params, body: raw }) => {
      const { version, ...patch } = body(ContactPatch, raw);
      await owner(tenantId, patch.ownerId);
      return ok(await contacts.update(tenantId, params.id!, patch, version));
    },
    /** Contacts are never deleted, only archived: their history stays. */
    'DELETE /contacts/{id}': async ({ principal: { tenantId }, params }) => ok(await contacts.archive(tenantId, params.id!)),
  };
}
