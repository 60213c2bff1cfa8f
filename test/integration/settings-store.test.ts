import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '#shared/errors';
import { freshStores, tenant } from '../support/dynamo.ts';

let ctx: Awaited<ReturnType<typeof freshStores>>;
beforeAll(async () => {
  ctx = await freshStores();
});

describe('DynamoSettingsStore', () => {
  it('answers defaults before the first save, then versions every save', async () => {
    const t = tenant();
    expect(await ctx.stores.settings.get(t)).toEqual({ tenantId: t, timeZone: 'Europe/Berlin', inboundAddresses: [], version: 0 });
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
});
