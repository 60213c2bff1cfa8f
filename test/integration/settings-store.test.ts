import { beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { settingsKey } from '#shared/db/keys';
import { ConflictError } from '#shared/errors';
import { DEFAULT_PICK_LISTS } from '#shared/settings/pick-lists';
import { freshStores, tenant } from '../support/dynamo.ts';

let ctx: Awaited<ReturnType<typeof freshStores>>;
beforeAll(async () => {
  ctx = await freshStores();
});

describe('DynamoSettingsStore', () => {
  it('answers defaults before the first save, then versions every save', async () => {
    const t = tenant();
    expect(await ctx.stores.settings.get(t)).toEqual({ tenantId: t, timeZone: 'Europe/Berlin', sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '20:00' }, inboundAddresses: [], pickLists: DEFAULT_PICK_LISTS, version: 0 });
    const saved = await ctx.stores.settings.put(t, { name: 'Acme', timeZone: 'Europe/Berlin', inboundAddresses: ['in@acme.example'] });
    expect(saved.version).toBe(1);
    await expect(ctx.stores.settings.put(t, { name: 'Stale', timeZone: 'Europe/Berlin', inboundAddresses: [] })).rejects.toThrow(ConflictError);
    const next = await ctx.stores.settings.put(t, { name: 'Acme GmbH', timeZone: 'Europe/Vienna', inboundAddresses: [], version: 1 });
    expect(next).toMatchObject({ name: 'Acme GmbH', timeZone: 'Europe/Vienna', version: 2 });
  });

  it('gives each inbound address to one tenant and frees it when removed', async () => {
    const [a, b] = [tenant(), tenant()];
    const address = `anfragen-${a}@crm.example`;
    await ctx.stores.settings.put(a, { name: 'A', timeZone: 'Europe/Berlin', inboundAddresses: [address] });
    expect(await ctx.stores.settings.findTenantByInboundAddress(address.toUpperCase())).toBe(a);
    await expect(ctx.stores.settings.put(b, { name: 'B', timeZone: 'Europe/Berlin', inboundAddresses: [address] })).rejects.toMatchObject({
      status: 409,
      fields: [{ path: 'inboundAddresses.0' }],
    });
    await ctx.stores.settings.put(a, { name: 'A', timeZone: 'Europe/Berlin', inboundAddresses: [], version: 1 });
    await ctx.stores.settings.put(b, { name: 'B', timeZone: 'Europe/Berlin', inboundAddresses: [address] });
    expect(await ctx.stores.settings.findTenantByInboundAddress(address)).toBe(b);
  });

  it('keeps the pick-lists a save does not name, and runs the pick-list check before writing', async () => {
    const t = tenant();
    const first = await ctx.stores.settings.put(t, { name: 'A', timeZone: 'Europe/Berlin', inboundAddresses: [], pickLists: { contactStatuses: ['Neu'] } });
    expect(first.pickLists).toEqual({ ...DEFAULT_PICK_LISTS, contactStatuses: ['Neu'] });
    const second = await ctx.stores.settings.put(t, { name: 'B', timeZone: 'Europe/Berlin', inboundAddresses: [], version: 1 });
    expect(second.pickLists).toEqual(first.pickLists);
    const seen: unknown[] = [];
    const refuse = async (next: unknown, previous: unknown) => {
      seen.push(next, previous);
      throw new ConflictError('pick_list_value_in_use', 'in use');
    };
    await expect(ctx.stores.settings.put(t, { name: 'C', timeZone: 'Europe/Berlin', inboundAddresses: [], version: 2, pickLists: { contactStatuses: ['Alt'] } }, { checkPickLists: refuse })).rejects.toThrow('in use');
    expect(seen).toEqual([{ ...DEFAULT_PICK_LISTS, contactStatuses: ['Alt'] }, first.pickLists]);
    expect(await ctx.stores.settings.get(t)).toMatchObject({ name: 'B', version: 2, pickLists: first.pickLists });
  });

  it('answers the default pick-lists for settings saved before pick-lists existed', async () => {
    const t = tenant();
    const now = new Date().toISOString();
    await ctx.doc.send(new PutCommand({ TableName: ctx.crmTable, Item: { ...settingsKey(t), entity: 'SETTINGS', tenantId: t, name: 'Alt', timeZone: 'Europe/Berlin', inboundAddresses: [], version: 3, createdAt: now, updatedAt: now } }));
    expect(await ctx.stores.settings.get(t)).toMatchObject({ name: 'Alt', version: 3, pickLists: DEFAULT_PICK_LISTS });
    const saved = await ctx.stores.settings.put(t, { name: 'Neu', timeZone: 'Europe/Berlin', inboundAddresses: [], version: 3 });
    expect(saved.pickLists).toEqual(DEFAULT_PICK_LISTS);
  });
});
