import { beforeAll, describe, expect, it } from 'vitest';
import { ContactInput } from '#shared/model/contact';
import { createSesEventsHandler, parseSesEvent } from '#shared/senders/ses-events';
import { freshStores, tenant } from '../support/dynamo.ts';

let ctx: Awaited<ReturnType<typeof freshStores>>;
let handle: ReturnType<typeof createSesEventsHandler>;
const logged: Array<Record<string, unknown>> = [];
beforeAll(async () => {
  ctx = await freshStores();
  handle = createSesEventsHandler({ contacts: ctx.stores.contacts, log: (entry) => void logged.push(entry) });
});

const contact = (t: string, email: string) => ctx.stores.contacts.create(t, ContactInput.parse({ firstName: 'Erika', lastName: 'Musterfrau', email }));

function bounce(tenantId: string, addresses: string[], fields: { type?: string; subType?: string; at?: string } = {}) {
  return {
    version: '0',
    source: 'aws.ses',
    'detail-type': 'Email Bounced',
    detail: {
      eventType: 'Bounce',
      mail: { timestamp: '2026-11-27T09:00:00.000Z', messageId: 'm-1', tags: { 'ses:configuration-set': ['crm'], tenantId: [tenantId] } },
      bounce: {
        bounceType: fields.type ?? 'Permanent',
        bounceSubType: fields.subType ?? 'General',
        bouncedRecipients: addresses.map((emailAddress) => ({ emailAddress })),
        timestamp: fields.at ?? '2026-11-27T09:00:01.000Z',
      },
    },
  };
}

function complaint(tenantId: string, address: string, at = '2026-11-28T10:00:00.000Z') {
  return {
    eventType: 'Complaint',
    mail: { timestamp: at, tags: { tenantId: [tenantId] } },
    complaint: { complainedRecipients: [{ emailAddress: address }], complaintFeedbackType: 'abuse', complaintSubType: null, timestamp: at },
  };
}

describe('SES events', () => {
  it('marks the tenant\'s contact with a bounced address, with type, sub-type, date and address; once', async () => {
    const t = tenant();
    const erika = await contact(t, 'erika@example.com');
    const result = await handle(bounce(t, ['Erika@Example.com']));
    expect(result).toMatchObject({ marked: [erika.id], unchanged: 0, unknown: 0 });
    const marked = await ctx.stores.contacts.require(t, erika.id);
    expect(marked.emailStatus).toEqual({ state: 'bounced', type: 'Permanent', subType: 'General', at: '2026-11-27T09:00:01.000Z', address: 'erika@example.com' });
    expect(marked.version).toBe(2);

    // The same event again (SES and EventBridge deliver at least once) writes nothing.
    expect(await handle(bounce(t, ['erika@example.com']))).toMatchObject({ marked: [], unchanged: 1 });
    expect((await ctx.stores.contacts.require(t, erika.id)).version).toBe(2);
  });

  it('keeps a permanent bounce over a later transient one, and an older event does not replace a newer one', async () => {
    const t = tenant();
    const erika = await contact(t, 'erika@example.com');
    await handle(bounce(t, ['erika@example.com']));
    expect(await handle(bounce(t, ['erika@example.com'], { type: 'Transient', subType: 'MailboxFull', at: '2026-11-29T00:00:00.000Z' }))).toMatchObject({ unchanged: 1 });
    // A complaint after the bounce replaces it (newer, blocking too); the bounce arriving late does not come back.
    expect(await handle(complaint(t, 'erika@example.com'))).toMatchObject({ marked: [erika.id] });
    expect(await handle(bounce(t, ['erika@example.com']))).toMatchObject({ unchanged: 1 });
    expect((await ctx.stores.contacts.require(t, erika.id)).emailStatus).toMatchObject({ state: 'complained', type: 'abuse' });
  });

  it('marks a transient bounce, which a later permanent bounce replaces', async () => {
    const t = tenant();
    const erika = await contact(t, 'erika@example.com');
    await handle(bounce(t, ['erika@example.com'], { type: 'Transient', subType: 'MailboxFull' }));
    expect((await ctx.stores.contacts.require(t, erika.id)).emailStatus).toMatchObject({ type: 'Transient' });
    await handle(bounce(t, ['erika@example.com'], { at: '2026-11-27T08:00:00.000Z' }));
    expect((await ctx.stores.contacts.require(t, erika.id)).emailStatus).toMatchObject({ type: 'Permanent', at: '2026-11-27T08:00:00.000Z' });
  });

  it('ignores addresses the tenant has no contact with, and marks each known one of several', async () => {
    const t = tenant();
    const erika = await contact(t, 'erika@example.com');
    const result = await handle(bounce(t, ['niemand@example.com', 'erika@example.com', 'kein-mail']));
    expect(result).toMatchObject({ marked: [erika.id], unknown: 1 });
  });

  it('changes nothing for another tenant\'s tag: that tenant has no contact with the address', async () => {
    const a = tenant();
    const b = tenant();
    const erika = await contact(a, 'erika@example.com');
    expect(await handle(bounce(b, ['erika@example.com']))).toMatchObject({ marked: [], unknown: 1 });
    expect((await ctx.stores.contacts.require(a, erika.id)).emailStatus).toBeUndefined();
  });

  it('changes nothing for hostile or incomplete input, and does not throw', async () => {
    const t = tenant();
    const erika = await contact(t, 'erika@example.com');
    const good = bounce(t, ['erika@example.com']).detail;
    const hostile: unknown[] = [
      undefined,
      null,
      'Bounce',
      [],
      {},
      { detail: null, 'detail-type': 'Email Bounced' },
      { ...good, eventType: 'Delivery' },
      { ...good, mail: { tags: {} } },
      { ...good, mail: { tags: { tenantId: [] } } },
      { ...good, mail: { tags: { tenantId: [t, 'andere'] } } },
      { ...good, mail: { tags: { tenantId: [`../${t}`] } } },
      { ...good, mail: { tags: { tenantId: t } } },
      { ...good, bounce: { ...good.bounce, bouncedRecipients: [] } },
      { ...good, bounce: { ...good.bounce, bouncedRecipients: 'erika@example.com' } },
      { ...good, bounce: { ...good.bounce, bounceType: undefined } },
      { ...good, bounce: { ...good.bounce, timestamp: 'gestern' }, mail: { tags: { tenantId: [t] } } },
      { ...good, bounce: { ...good.bounce, bouncedRecipients: [{ emailAddress: 42 }] } },
      { eventType: 'Complaint', mail: good.mail, complaint: { complainedRecipients: [{}] } },
    ];
    for (const event of hostile) {
      const result = await handle(event);
      expect(result.marked, JSON.stringify(event)).toEqual([]);
      expect(parseSesEvent(event)).toHaveProperty('ignored');
    }
    expect((await ctx.stores.contacts.require(t, erika.id)).version).toBe(1);
    expect(logged.some((e) => e.level === 'WARN')).toBe(true);
  });

  it('clears the mark when the contact\'s address changes, and keeps it on other changes', async () => {
    const t = tenant();
    const erika = await contact(t, 'erika@example.com');
    await handle(bounce(t, ['erika@example.com']));
    let current = await ctx.stores.contacts.require(t, erika.id);
    current = await ctx.stores.contacts.update(t, erika.id, { status: 'Kunde' }, current.version);
    expect(current.emailStatus).toMatchObject({ state: 'bounced' });
    current = await ctx.stores.contacts.update(t, erika.id, { email: 'ERIKA@example.com' }, current.version);
    expect(current.emailStatus).toMatchObject({ state: 'bounced' });
    current = await ctx.stores.contacts.update(t, erika.id, { email: 'erika.neu@example.com' }, current.version);
    expect(current.emailStatus).toBeUndefined();
    expect((await ctx.stores.contacts.require(t, erika.id)).emailStatus).toBeUndefined();
  });
});
