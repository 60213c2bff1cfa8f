import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueKey } from '#shared/db/keys';
import { ConflictError } from '#shared/errors';
import { freshStores, tenant } from '../support/dynamo.ts';
import { STALL_MS } from '../support/stall.ts';

/**
 * Upserts by e-mail under contention, against DynamoDB Local: however many arrive at once for one new
 * address, one creates the contact and every other merges into it; none is lost, none is a conflict.
 */

let ctx: Awaited<ReturnType<typeof freshStores>>;
beforeAll(async () => {
  ctx = await freshStores();
});

describe('upsertByEmail under contention', () => {
  it('lets 20 upserts of one new e-mail all succeed: one create, 19 merges, each applied', async () => {
    const t = tenant();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => ctx.stores.contacts.upsertByEmail(t, { email: 'Race@Example.com', ...(i % 2 ? { firstName: `F${i}` } : { phone: `+49 40 ${i}` }), lastName: 'Race' })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.contact.id)).size).toBe(1);
    const contact = (await ctx.stores.contacts.findByEmail(t, 'race@example.com'))!;
    expect(contact.version).toBe(20);
    expect(contact).toHaveProperty('phone');
    expect(contact).toHaveProperty('firstName');
  });

  it('still refuses what is no contact, without retrying', async () => {
    await expect(ctx.stores.contacts.upsertByEmail(tenant(), { email: 'nobody@example.com', phone: 'not a phone' } as never)).rejects.toThrow(/invalid/);
  });

  it('gives up with a conflict, quickly, when the e-mail is reserved for a contact that is not there', async () => {
    const t = tenant();
    await ctx.doc.send(new PutCommand({ TableName: ctx.crmTable, Item: { ...uniqueKey(t, 'email', 'ghost@example.com'), entity: 'UNIQUE', targetId: '01GHOST', tenantId: t } }));
    const started = Date.now();
    await expect(ctx.stores.contacts.upsertByEmail(t, { email: 'ghost@example.com', lastName: 'Ghost' })).rejects.toThrow(ConflictError);
    expect(Date.now() - started).toBeLessThan(STALL_MS);
  });
});
