import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '#shared/errors';
import { birthdayIndexKey } from '#shared/db/keys';
import { ContactInput } from '#shared/model/contact';
import { freshStores, tenant } from '../support/dynamo.ts';

let ctx: Awaited<ReturnType<typeof freshStores>>;
beforeAll(async () => {
  ctx = await freshStores();
});

const input = (fields: Record<string, unknown>) => ContactInput.parse(fields);

describe('DynamoContactStore', () => {
  it('creates a contact and reads it back', async () => {
    const t = tenant();
    const created = await ctx.stores.contacts.create(t, input({ firstName: 'Max', lastName: 'Muster', email: 'max@example.com' }));
    expect(created).toMatchObject({ tenantId: t, version: 1, firstName: 'Max', archived: false });
    expect(await ctx.stores.contacts.get(t, created.id)).toEqual(created);
  });

  it('keeps tenants apart: the same id is not found in another tenant', async () => {
    const created = await ctx.stores.contacts.create(tenant(), input({ lastName: 'A' }));
    expect(await ctx.stores.contacts.get(tenant(), created.id)).toBeUndefined();
    await expect(ctx.stores.contacts.require(tenant(), created.id)).rejects.toThrow(NotFoundError);
  });

  it('refuses a second contact with the same e-mail in any letter case, but not in another tenant', async () => {
    const t = tenant();
    await ctx.stores.contacts.create(t, input({ lastName: 'A', email: 'same@example.com' }));
    await expect(ctx.stores.contacts.create(t, input({ lastName: 'B', email: 'SAME@example.com' }))).rejects.toThrow(ConflictError);
    await expect(ctx.stores.contacts.create(tenant(), input({ lastName: 'C', email: 'same@example.com' }))).resolves.toBeDefined();
  });

  it('lets exactly one of two concurrent creates with one e-mail win', async () => {
    const t = tenant();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => ctx.stores.contacts.create(t, input({ lastName: `N${i}`, email: 'race@example.com' }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof ConflictError)).toBe(true);
    const { Items } = await ctx.doc.send(
      new QueryCommand({ TableName: ctx.crmTable, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :p', ExpressionAttributeValues: { ':p': `${t}#CONTACT` } }),
    );
    expect(Items).toHaveLength(1);
  });

  it('moves the e-mail reservation when the address changes, freeing the old one', async () => {
    const t = tenant();
    const a = await ctx.stores.contacts.create(t, input({ lastName: 'A', email: 'old@example.com' }));
    const updated = await ctx.stores.contacts.update(t, a.id, { email: 'new@example.com' }, 1);
    expect(updated).toMatchObject({ email: 'new@example.com', version: 2 });
    expect((await ctx.stores.contacts.findByEmail(t, 'NEW@example.com'))?.id).toBe(a.id);
    expect(await ctx.stores.contacts.findByEmail(t, 'old@example.com')).toBeUndefined();
    await expect(ctx.stores.contacts.create(t, input({ lastName: 'B', email: 'old@example.com' }))).resolves.toBeDefined();
  });

  it('refuses an update based on a stale version and keeps the newer data', async () => {
    const t = tenant();
    const a = await ctx.stores.contacts.create(t, input({ lastName: 'A' }));
    await ctx.stores.contacts.update(t, a.id, { status: 'Kunde' }, 1);
    await expect(ctx.stores.contacts.update(t, a.id, { status: 'Interessent' }, 1)).rejects.toThrow(ConflictError);
    expect((await ctx.stores.contacts.get(t, a.id))?.status).toBe('Kunde');
  });

  it('lets one of two concurrent updates of the same version win', async () => {
    const t = tenant();
    const a = await ctx.stores.contacts.create(t, input({ lastName: 'A' }));
    const results = await Promise.allSettled([
      ctx.stores.contacts.update(t, a.id, { status: 'X' }, 1),
      ctx.stores.contacts.update(t, a.id, { status: 'Y' }, 1),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await ctx.stores.contacts.get(t, a.id))?.version).toBe(2);
  });

  it('clears a field given as null and refuses to clear what identifies the contact', async () => {
    const t = tenant();
    const a = await ctx.stores.contacts.create(t, input({ lastName: 'A', phone: '+49 30 123' }));
    expect(await ctx.stores.contacts.update(t, a.id, { phone: null }, 1)).not.toHaveProperty('phone');
    await expect(ctx.stores.contacts.update(t, a.id, { lastName: null }, 2)).rejects.toThrow(ValidationError);
  });

  it('upserts by e-mail: creates once, then applies only the given fields', async () => {
    const t = tenant();
    const first = await ctx.stores.contacts.upsertByEmail(t, { email: 'Up@Example.com', lastName: 'Up', newsletter: true });
    expect(first.created).toBe(true);
    const second = await ctx.stores.contacts.upsertByEmail(t, { email: 'up@example.com', phone: '+49 40 1' });
    expect(second).toMatchObject({ created: false, contact: { id: first.contact.id, lastName: 'Up', newsletter: true, phone: '+49 40 1', version: 2 } });
  });

  it('archives a contact and takes it out of the birthday index', async () => {
    const t = tenant();
    const a = await ctx.stores.contacts.create(t, input({ lastName: 'A', birthday: '--11-27' }));
    const key = { PK: `${t}#CONTACT#${a.id}`, SK: 'ENTITY' };
    expect((await ctx.doc.send(new GetCommand({ TableName: ctx.crmTable, Key: key }))).Item).toMatchObject({ BDAY: birthdayIndexKey(t, a.id, '--11-27'), BDAYSK: `${t}#${a.id}` });
    const archived = await ctx.stores.contacts.archive(t, a.id);
    expect(archived.archived).toBe(true);
    expect((await ctx.doc.send(new GetCommand({ TableName: ctx.crmTable, Key: key }))).Item).not.toHaveProperty('BDAY');
    expect(await ctx.stores.contacts.archive(t, a.id)).toEqual(archived);
  });

  it('lists newest first, page by page, hiding archived contacts unless asked', async () => {
    const t = tenant();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await ctx.stores.contacts.create(t, input({ lastName: `L${i}` }))).id);
    await ctx.stores.contacts.archive(t, ids[0]!);
    const page1 = await ctx.stores.contacts.list(t, { limit: 2 });
    expect(page1.items.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    const page2 = await ctx.stores.contacts.list(t, { limit: 2, cursor: page1.nextCursor });
    expect(page2.items.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const page3 = await ctx.stores.contacts.list(t, { limit: 2, cursor: page2.nextCursor });
    expect(page3.items).toEqual([]);
    expect((await ctx.stores.contacts.list(t, { archived: 'only' })).items.map((c) => c.id)).toEqual([ids[0]]);
    expect((await ctx.stores.contacts.list(t, { archived: 'include' })).items).toHaveLength(5);
  });

  it('lists a user\'s contacts through the owner index', async () => {
    const t = tenant();
    await ctx.stores.contacts.create(t, input({ lastName: 'Mine', ownerId: 'u1' }));
    await ctx.stores.contacts.create(t, input({ lastName: 'Other', ownerId: 'u2' }));
    expect((await ctx.stores.contacts.list(t, { ownerId: 'u1' })).items.map((c) => c.lastName)).toEqual(['Mine']);
  });
});
