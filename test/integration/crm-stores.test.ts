import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '#shared/errors';
import { ActivityInput } from '#shared/model/activity';
import { ContactInput } from '#shared/model/contact';
import { DealInput } from '#shared/model/deal';
import { PropertyInput } from '#shared/model/property';
import { TaskInput } from '#shared/model/task';
import { UserInput } from '#shared/model/user';
import { freshStores, tenant } from '../support/dynamo.ts';

let ctx: Awaited<ReturnType<typeof freshStores>>;
beforeAll(async () => {
  ctx = await freshStores();
});

async function world() {
  const t = tenant();
  const { stores } = ctx;
  const agent = await stores.users.create(t, UserInput.parse({ firstName: 'Anna', lastName: 'Agent', email: 'anna@acme.example' }));
  const contact = await stores.contacts.create(t, ContactInput.parse({ lastName: 'Muster', email: 'max@example.com' }));
  const property = await stores.properties.create(
    t,
    PropertyInput.parse({ unitId: 'MI-2026-014', title: 'Altbau in Mitte', contactPersonId: agent.id, portalIds: { immoscout24: '143279874' } }),
  );
  return { t, agent, contact, property };
}

describe('DynamoUserStore', () => {
  it('keeps user e-mails unique per tenant and lists users newest first', async () => {
    const { t, agent } = await world();
    await expect(ctx.stores.users.create(t, UserInput.parse({ firstName: 'B', lastName: 'B', email: 'ANNA@acme.example' }))).rejects.toThrow(ConflictError);
    const second = await ctx.stores.users.create(t, UserInput.parse({ firstName: 'C', lastName: 'C', email: 'c@acme.example' }));
    expect((await ctx.stores.users.list(t)).items.map((u) => u.id)).toEqual([second.id, agent.id]);
  });
});

describe('DynamoPropertyStore', () => {
  it('finds a property by its unit id in any case and by a portal listing id', async () => {
    const { t, property } = await world();
    expect((await ctx.stores.properties.findByUnitId(t, 'mi-2026-014'))?.id).toBe(property.id);
    expect((await ctx.stores.properties.findByPortalId(t, 'immoscout24', '143279874'))?.id).toBe(property.id);
    expect(await ctx.stores.properties.findByPortalId(t, 'immowelt', '143279874')).toBeUndefined();
  });

  it('refuses a duplicate unit id or portal listing and frees a listing that is removed', async () => {
    const { t, property } = await world();
    const dup = (fields: Record<string, unknown>) => ctx.stores.properties.create(t, PropertyInput.parse({ title: 'x', ...fields }));
    await expect(dup({ unitId: 'mi-2026-014' })).rejects.toMatchObject({ status: 409, fields: [{ path: 'unitId' }] });
    await expect(dup({ unitId: 'OTHER-1', portalIds: { immoscout24: '143279874' } })).rejects.toMatchObject({
      status: 409,
      fields: [{ path: 'portalIds.immoscout24' }],
    });
    await ctx.stores.properties.update(t, property.id, { portalIds: {} }, 1);
    await expect(dup({ unitId: 'OTHER-2', portalIds: { immoscout24: '143279874' } })).resolves.toBeDefined();
  });

  it('lists the properties of a contact person', async () => {
    const { t, agent, property } = await world();
    await ctx.stores.properties.create(t, PropertyInput.parse({ unitId: 'X-1', title: 'Ohne Betreuer' }));
    expect((await ctx.stores.properties.list(t, { contactPersonId: agent.id })).items.map((p) => p.id)).toEqual([property.id]);
  });
});

describe('DynamoDealStore', () => {
  it('lists deals by contact, by property and by stage, and allows one deal per contact and property', async () => {
    const { t, contact, property } = await world();
    const deal = await ctx.stores.deals.create(t, DealInput.parse({ contactId: contact.id, propertyId: property.id }));
    await expect(ctx.stores.deals.create(t, DealInput.parse({ contactId: contact.id, propertyId: property.id }))).rejects.toThrow(ConflictError);
    expect((await ctx.stores.deals.list(t, { contactId: contact.id })).items.map((d) => d.id)).toEqual([deal.id]);
    expect((await ctx.stores.deals.list(t, { propertyId: property.id })).items.map((d) => d.id)).toEqual([deal.id]);
    const moved = await ctx.stores.deals.update(t, deal.id, { stage: 'Reserviert' }, 1);
    expect(moved).toMatchObject({ stage: 'Reserviert', version: 2 });
    expect((await ctx.stores.deals.list(t, { stage: 'Reserviert' })).items).toHaveLength(1);
    expect((await ctx.stores.deals.list(t, { stage: 'Anfrage' })).items).toHaveLength(0);
  });
});

describe('DynamoActivityStore', () => {
  it('finds an activity through each of its contacts and its property', async () => {
    const { t, contact, property } = await world();
    const other = await ctx.stores.contacts.create(t, ContactInput.parse({ lastName: 'Zweit' }));
    const viewing = await ctx.stores.activities.create(
      t,
      ActivityInput.parse({
        type: 'appointment',
        category: 'Besichtigung',
        contactIds: [contact.id, other.id],
        propertyId: property.id,
        startsAt: '2026-12-01T10:00:00Z',
        endsAt: '2026-12-01T10:30:00Z',
      }),
    );
    const note = await ctx.stores.activities.create(t, ActivityInput.parse({ type: 'note', contactIds: [contact.id], body: 'Ruft zurück' }));
    expect((await ctx.stores.activities.list(t, { contactId: contact.id })).items.map((a) => a.id)).toEqual([note.id, viewing.id]);
    expect((await ctx.stores.activities.list(t, { contactId: other.id })).items).toEqual([viewing]);
    expect((await ctx.stores.activities.list(t, { propertyId: property.id })).items).toEqual([viewing]);
    expect((await ctx.stores.activities.list(t, { type: 'note' })).items.map((a) => a.id)).toEqual([note.id]);
    expect(await ctx.stores.activities.get(t, viewing.id)).toEqual(viewing);
  });
});

describe('DynamoRejectionStore', () => {
  it('records an Absage and moves its deal in the same transaction', async () => {
    const { t, contact, property } = await world();
    const deal = await ctx.stores.deals.create(t, DealInput.parse({ contactId: contact.id, propertyId: property.id }));
    const rejection = await ctx.stores.rejections.create(
      t,
      { reason: 'Kein Kontakt mehr gewünscht', contactId: contact.id, dealId: deal.id, propertyId: property.id },
      { alsoIn: (tx) => ctx.stores.deals.moveInTransaction(tx, deal, 'Abgesagt') },
    );
    expect(await ctx.stores.deals.get(t, deal.id)).toMatchObject({ stage: 'Abgesagt', version: 2 });
    expect((await ctx.stores.rejections.list(t, { contactId: contact.id })).items).toEqual([rejection]);
    expect((await ctx.stores.rejections.list(t, { propertyId: property.id })).items).toEqual([rejection]);
  });

  it('records nothing when the deal changed meanwhile', async () => {
    const { t, contact, property } = await world();
    const deal = await ctx.stores.deals.create(t, DealInput.parse({ contactId: contact.id, propertyId: property.id }));
    await ctx.stores.deals.update(t, deal.id, { stage: 'Besichtigung' }, 1);
    await expect(
      ctx.stores.rejections.create(t, { reason: 'Zu teuer', contactId: contact.id, dealId: deal.id }, { alsoIn: (tx) => ctx.stores.deals.moveInTransaction(tx, deal, 'Abgesagt') }),
    ).rejects.toThrow(ConflictError);
    expect((await ctx.stores.rejections.list(t)).items).toEqual([]);
  });
});

describe('DynamoTaskStore', () => {
  it('lists tasks by assignee and state, and stamps when a task is done', async () => {
    const { t, agent } = await world();
    const open = await ctx.stores.tasks.create(t, TaskInput.parse({ title: 'Exposé schicken', assigneeId: agent.id }));
    const other = await ctx.stores.tasks.create(t, TaskInput.parse({ title: 'Schlüssel holen', assigneeId: agent.id }));
    const done = await ctx.stores.tasks.update(t, other.id, { done: true }, 1);
    expect(done.doneAt).toBeDefined();
    expect((await ctx.stores.tasks.list(t, { assigneeId: agent.id, state: 'open' })).items.map((x) => x.id)).toEqual([open.id]);
    expect((await ctx.stores.tasks.list(t, { assigneeId: agent.id, state: 'done' })).items.map((x) => x.id)).toEqual([other.id]);
    expect((await ctx.stores.tasks.list(t, { state: 'open' })).items.map((x) => x.id)).toEqual([open.id]);
    expect((await ctx.stores.tasks.list(t, { assigneeId: agent.id })).items).toHaveLength(2);
    const reopened = await ctx.stores.tasks.update(t, other.id, { done: false }, 2);
    expect(reopened).not.toHaveProperty('doneAt');
  });
});
