import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEventBus, type BusEvent } from '#infra/local/event-bus';
import { createBirthdayHandler } from '#shared/birthdays/birthday-handler';
import { runBirthdayCheck } from '#shared/birthdays/birthday-run';
import { BIRTHDAY_SHARDS } from '#shared/db/keys';
import { EventPublisher } from '#shared/events/publisher';
import { ContactInput } from '#shared/model/contact';
import { freshStores, tenant } from '../support/dynamo.ts';

let ctx: Awaited<ReturnType<typeof freshStores>>;
let bus: LocalEventBus;
const delivered: BusEvent[] = [];
let deps: Parameters<typeof runBirthdayCheck>[0];
const [t1, t2] = [tenant(), tenant()];
const ids: Record<string, string> = {};

beforeAll(async () => {
  ctx = await freshStores();
  bus = new LocalEventBus({ port: 0 });
  bus.addTarget('contacts', { source: ['crm.contacts'] }, async (event) => void delivered.push(event));
  const url = await bus.start();
  const publisher = new EventPublisher(new EventBridgeClient({ endpoint: url }), 'crm');
  deps = { client: ctx.doc, tableName: ctx.crmTable, publisher };

  // 730 contacts over two tenants, two a day through a common year, plus the special cases.
  const day = new Date('2027-01-01T00:00:00Z');
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < 365; i++) {
    const md = day.toISOString().slice(5, 10);
    writes.push(ctx.stores.contacts.create(t1, ContactInput.parse({ lastName: `A${md}`, birthday: `1980-${md}` })));
    writes.push(ctx.stores.contacts.create(t2, ContactInput.parse({ lastName: `B${md}`, birthday: `--${md}` })));
    day.setUTCDate(day.getUTCDate() + 1);
    if (writes.length >= 50) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  ids.leap = (await ctx.stores.contacts.create(t1, ContactInput.parse({ lastName: 'Schaltjahr', birthday: '2000-02-29' }))).id;
  ids.archived = (await ctx.stores.contacts.create(t1, ContactInput.parse({ lastName: 'Archiviert', birthday: '1970-11-27', archived: true }))).id;
  ids.noBirthday = (await ctx.stores.contacts.create(t1, ContactInput.parse({ lastName: 'Ohne' }))).id;
}, 120_000);
afterAll(() => bus.stop());

const emittedFor = async (date: string) => {
  await bus.idle();
  return delivered.filter((e) => e.detail.date === date);
};

describe('birthday check on DynamoDB Local', () => {
  it('emits exactly the day\'s birthdays, reading only them', async () => {
    const result = await runBirthdayCheck(deps, { date: '2027-11-27' });
    // One page per shard of the day, each read once.
    expect(result).toMatchObject({ birthdays: 2, published: 2, itemsRead: 2, pages: BIRTHDAY_SHARDS });
    const events = await emittedFor('2027-11-27');
    expect(events.map((e) => (e.detail.contact as { lastName: string }).lastName).sort()).toEqual(['A11-27', 'B11-27']);
    const byTenant = Object.fromEntries(events.map((e) => [e.detail.tenantId as string, e.detail]));
    expect(byTenant[t1]).toMatchObject({ age: 47, eventKey: expect.stringMatching(new RegExp(`^birthday#${t1}#.+#2027-11-27$`)) });
    expect(byTenant[t2]).not.toHaveProperty('age');
    expect(events.every((e) => e.source === 'crm.contacts' && e['detail-type'] === 'ContactBirthday')).toBe(true);
  });

  it('leaves archived contacts out, and takes a contact out once it is archived', async () => {
    expect((await emittedFor('2027-11-27')).some((e) => (e.detail.contact as { id: string }).id === ids.archived)).toBe(false);
    const t4 = tenant();
    const contact = await ctx.stores.contacts.create(t4, ContactInput.parse({ lastName: 'Bald archiviert', birthday: '--06-15' }));
    expect((await runBirthdayCheck(deps, { date: '2027-06-15', tenantId: t4 })).birthdays).toBe(1);
    await ctx.stores.contacts.archive(t4, contact.id);
    expect(await runBirthdayCheck(deps, { date: '2027-06-15', tenantId: t4 })).toMatchObject({ birthdays: 0, itemsRead: 0 });
  });

  it('greets 29 February birthdays on 28 February of a common year', async () => {
    const result = await runBirthdayCheck(deps, { date: '2027-02-28' });
    expect(result).toMatchObject({ birthdays: 3, itemsRead: 3 });
    expect((await emittedFor('2027-02-28')).find((e) => (e.detail.contact as { id: string }).id === ids.leap)?.detail).toMatchObject({ age: 27 });
  });

  it('gives a rerun for the same date the same event keys', async () => {
    const keys = async (date: string) => (await emittedFor(date)).map((e) => e.detail.eventKey).sort();
    await runBirthdayCheck(deps, { date: '2027-08-01' });
    const first = await keys('2027-08-01');
    await runBirthdayCheck(deps, { date: '2027-08-01' });
    const both = await keys('2027-08-01');
    expect(both).toEqual([...first, ...first].sort());
  });

  it('pages through a day with many birthdays', async () => {
    const t3 = tenant();
    const big = 'x'.repeat(20_000);
    await Promise.all(Array.from({ length: 60 }, (_, i) => ctx.stores.contacts.create(t3, ContactInput.parse({ lastName: `P${i}`, birthday: '--12-24' }))));
    // Fatten the items so one page (1 MB) cannot hold them all.
    for (const c of (await ctx.stores.contacts.list(t3, { limit: 100 })).items) {
      await ctx.doc.send(new UpdateCommand({ TableName: ctx.crmTable, Key: { PK: `${t3}#CONTACT#${c.id}`, SK: 'ENTITY' }, UpdateExpression: 'SET notes = :n', ExpressionAttributeValues: { ':n': big } }));
    }
    const result = await runBirthdayCheck(deps, { date: '2027-12-24', tenantId: t3 });
    expect(result.birthdays).toBe(60);
    expect(result.pages).toBeGreaterThan(1);
    expect(result.itemsRead).toBe(60);
  });

  it('runs for one tenant only when asked by that tenant\'s admin', async () => {
    const result = await runBirthdayCheck(deps, { date: '2027-05-05', tenantId: t2 });
    expect(result).toMatchObject({ birthdays: 1, itemsRead: 1, tenantId: t2 });
  });

  it('takes the date in Berlin from the time the schedule fired', async () => {
    const handler = createBirthdayHandler(deps, () => undefined);
    expect((await handler({ scheduledTime: '2027-04-01T05:00:00Z' })).date).toBe('2027-04-01');
    expect((await handler({ scheduledTime: '2027-03-31T22:30:00Z' })).date).toBe('2027-04-01');
    await expect(handler({ date: '2027-02-30' })).rejects.toThrow(/invalid/);
  });
});
