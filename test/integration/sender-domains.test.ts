import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueKey } from '#shared/db/keys';
import { ConflictError, ValidationError } from '#shared/errors';
import { assertOwnAddresses } from '#shared/senders/address-rules';
import type { IdentityService } from '#shared/senders/identity-service';
import { LocalIdentityService } from '#shared/senders/local-identity-service';
import { MAX_SENDER_DOMAINS, SenderDomains } from '#shared/senders/sender-domains';
import { freshTables, tenant } from '../support/dynamo.ts';

let ctx: Awaited<ReturnType<typeof freshTables>>;
let identities: LocalIdentityService;
let domains: SenderDomains;
beforeAll(async () => {
  ctx = await freshTables();
  identities = new LocalIdentityService();
  domains = new SenderDomains(ctx.doc, ctx.crmTable, identities);
});

const refusal = async (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as { status?: number; code?: string; fields?: Array<{ path: string; code: string; params?: unknown }> });

describe('SenderDomains', () => {
  it('registers a domain pending, with its DKIM records, behind a global uniqueness item', async () => {
    const t = tenant();
    const { domain, created } = await domains.register(t, `${t}.example`);
    expect(created).toBe(true);
    expect(domain).toMatchObject({ domain: `${t}.example`, tenantId: t, status: 'pending' });
    expect(domain.dkimRecords).toHaveLength(3);
    const { Item } = await ctx.doc.send(new GetCommand({ TableName: ctx.crmTable, Key: uniqueKey(null, 'senderDomain', `${t}.example`) }));
    expect(Item).toMatchObject({ targetId: t, entity: 'UNIQUE' });
  });

  it('gives a domain to one tenant: another gets 409, and cannot read it', async () => {
    const [a, b] = [tenant(), tenant()];
    await domains.register(a, `${a}.example`);
    const error = await refusal(domains.register(b, `${a}.example`));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 409, code: 'duplicate', fields: [{ path: 'domain', code: 'already_in_use' }] });
    expect(await domains.get(b, `${a}.example`)).toBeUndefined();
    expect(await domains.statusOf(b, `${a}.example`)).toBe('unregistered');
    expect((await domains.list(b)).items).toEqual([]);
  });

  it('lets one of many tenants racing for a domain have it, and touches SES for that one only', async () => {
    const racers = Array.from({ length: 6 }, () => tenant());
    const domain = `race-${racers[0]}.example`;
    const calls: string[] = [];
    const counting: IdentityService = { register: async (t, d) => {
        calls.push(t);
        return identities.register(t, d);
      }, describe: (d) => identities.describe(d) };
    const store = new SenderDomains(ctx.doc, ctx.crmTable, counting);
    const results = await Promise.allSettled(racers.map((t) => store.register(t, domain)));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [racers[i]] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    expect(calls).toEqual(winners);
  });

  it('runs the identity steps again for a domain the tenant has, which completes one an SES error cut short', async () => {
    const t = tenant();
    let fail = true;
    const flaky: IdentityService = {
      register: async (tenantId, d) => {
        if (fail) throw Object.assign(new Error('SES is down'), { name: 'ServiceUnavailable' });
        return identities.register(tenantId, d);
      },
      describe: (d) => identities.describe(d),
    };
    const store = new SenderDomains(ctx.doc, ctx.crmTable, flaky);
    await expect(store.register(t, `${t}.example`)).rejects.toThrow('SES is down');
    expect(await store.get(t, `${t}.example`)).toMatchObject({ status: 'pending', dkimRecords: [] });
    fail = false;
    const again = await store.register(t, `${t}.example`);
    expect(again.created).toBe(false);
    expect(again.domain.dkimRecords).toHaveLength(3);
  });

  it('refreshes the status from the identity service and stores it', async () => {
    const t = tenant();
    await domains.register(t, `${t}.example`);
    expect(await domains.statusOf(t, `${t}.example`)).toBe('pending');
    identities.verify(`${t}.example`);
    expect((await domains.list(t)).items[0]!.status).toBe('pending'); // the list shows what was stored
    expect(await domains.statusOf(t, `${t}.example`)).toBe('verified'); // refreshed...
    const [stored] = (await domains.list(t)).items;
    expect(stored).toMatchObject({ status: 'verified', verifiedAt: expect.any(String) }); // ...and stored
    identities.verify(`${t}.example`, 'failed');
    expect((await domains.get(t, `${t}.example`))!.status).toBe('failed');
  });

  it('lists page by page, and refuses a cursor of another list', async () => {
    const t = tenant();
    for (const n of [1, 2, 3]) await domains.register(t, `d${n}.${t}.example`);
    const first = await domains.list(t, { limit: 2 });
    expect(first.items.map((d) => d.domain)).toEqual([`d1.${t}.example`, `d2.${t}.example`]);
    const second = await domains.list(t, { limit: 2, cursor: first.nextCursor });
    expect(second.items.map((d) => d.domain)).toEqual([`d3.${t}.example`]);
    const other = tenant();
    expect(await refusal(domains.list(other, { cursor: first.nextCursor }))).toBeInstanceOf(ValidationError);
    const forged = Buffer.from(JSON.stringify({ PK: `${t}#SENDERDOMAIN`, SK: 'ENTITY', x: '1' })).toString('base64url');
    expect(await refusal(domains.list(t, { cursor: forged }))).toMatchObject({ fields: [{ path: 'cursor', code: 'invalid_cursor' }] });
  });

  it(`allows at most ${MAX_SENDER_DOMAINS} domains per tenant`, async () => {
    const t = tenant();
    for (let i = 0; i < MAX_SENDER_DOMAINS; i++) await domains.register(t, `n${i}.${t}.example`);
    expect(await refusal(domains.register(t, `more.${t}.example`))).toMatchObject({ status: 400, fields: [{ code: 'too_many_sender_domains' }] });
    // Registering one it has is still fine.
    expect((await domains.register(t, `n0.${t}.example`)).created).toBe(false);
  });

  it('refuses invalid names before anything is written', async () => {
    const t = tenant();
    expect(await refusal(domains.register(t, 'Acme.de'))).toMatchObject({ status: 400, fields: [{ path: 'domain', code: 'not_lower_case' }] });
    expect(await refusal(domains.register(t, 'inbound.crm.example'))).toMatchObject({ fields: [{ code: 'reserved_domain' }] });
    expect((await domains.list(t)).items).toEqual([]);
  });
});

describe('assertOwnAddresses', () => {
  it('accepts the tenant\'s verified domains and own platform addresses, and names every other address', async () => {
    const [a, b] = [tenant(), tenant()];
    for (const t of [a, b]) {
      await domains.register(t, `${t}.example`);
      identities.verify(`${t}.example`);
    }
    await domains.register(a, `pending.${a}.example`);
    await expect(assertOwnAddresses(domains, a, { senderAddress: `info@${a}.example`, inboundAddresses: [`in@${a}.example`, `${a}@inbound.crm.example`, `${a}+x@inbound.crm.example`] })).resolves.toBeUndefined();
    await expect(assertOwnAddresses(domains, a, {})).resolves.toBeUndefined();
    const error = await refusal(
      assertOwnAddresses(domains, a, { senderAddress: `info@${b}.example`, inboundAddresses: [`in@pending.${a}.example`, `${b}@inbound.crm.example`, `in@${b}.example`] }),
    );
    expect(error).toMatchObject({
      status: 400,
      fields: [
        { path: 'senderAddress', code: 'sender_domain_not_verified', params: { domain: `${b}.example`, status: 'unregistered' } },
        { path: 'inboundAddresses.0', code: 'inbound_domain_not_verified', params: expect.objectContaining({ domain: `pending.${a}.example`, status: 'pending' }) },
        { path: 'inboundAddresses.1', code: 'not_own_platform_address' },
        { path: 'inboundAddresses.2', code: 'inbound_domain_not_verified', params: expect.objectContaining({ domain: `${b}.example`, status: 'unregistered' }) },
      ],
    });
  });
});
