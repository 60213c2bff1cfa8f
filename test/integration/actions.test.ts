import { beforeAll, describe, expect, it } from 'vitest';
import type { StepAction as Action } from '#shared/engine/actions/index';
import { Action as ActionSchema } from '#shared/automations/model';
import { prepareAction } from '#shared/engine/actions/index';
import { buildContext } from '#shared/engine/context';
import { actionWorld, detailOf, OutboxMailer } from '../support/action-world.ts';
import { freshStores } from '../support/dynamo.ts';

let ctx: Awaited<ReturnType<typeof freshStores>>;
const mailer = new OutboxMailer();
beforeAll(async () => {
  ctx = await freshStores();
});

const world = () => actionWorld(ctx.stores);
const detail = detailOf;
const run = async (action: unknown, eventType: string, d: Record<string, unknown>, index = 0) => {
  const context = await buildContext(ctx.stores, eventType, d, { automationId: 'auto-1', automationName: 'Test automation', executionId: 'exec-1' });
  return prepareAction(ActionSchema.parse(action) as Action, context, { executionId: 'exec-1', index }, { stores: ctx.stores, mailer, now: () => new Date('2026-11-27T09:00:00Z') });
};

describe('actions', () => {
  it('send_email sends from the tenant to the contact, with the owner as Reply-To', async () => {
    const w = await world();
    const prepared = await run({ type: 'send_email', to: 'contact', subject: 'Hallo {{contact.firstName}}', body: 'Text' }, 'ContactCreated', detail(w.t, { contact: w.contact }));
    expect(mailer.sent.length).toBe(0);
    const result = await prepared.execute();
    expect(result).toMatchObject({ to: 'max@example.com', subject: 'Hallo Max' });
    expect(mailer.sent.at(-1)).toMatchObject({ from: { address: 'info@acme.example', name: 'Acme' }, to: 'max@example.com', replyTo: 'anna@acme.example' });
  });

  it('send_email skips marketing mail without consent and newsletter, and refuses an invitation without an appointment', async () => {
    const w = await world();
    await expect(run({ type: 'send_email', to: 'contact', purpose: 'marketing', subject: 'x', body: 'y' }, 'ContactCreated', detail(w.t, { contact: w.contact }))).rejects.toThrow(/consented/);
    await ctx.stores.contacts.update(w.t, w.contact.id, { gdprConsent: true }, 1);
    await expect(run({ type: 'send_email', to: 'contact', purpose: 'marketing', subject: 'x', body: 'y' }, 'ContactCreated', detail(w.t, { contact: w.contact }))).rejects.toThrow(/newsletter/);
    const note = await ctx.stores.activities.create(w.t, { type: 'note', contactIds: [w.contact.id] });
    await expect(run({ type: 'send_email', to: 'contact', attachIcs: true, subject: 'x', body: 'y' }, 'ActivityCreated', detail(w.t, { activity: note }))).rejects.toThrow(/no start and end/);
  });

  it('create_task assigns the property\'s contact person and finds its task again on a retry', async () => {
    const w = await world();
    const action = { type: 'create_task', assignee: 'property_contact_person', title: 'Reservierung {{property.title}}', dueInDays: 2 };
    const first = await (await run(action, 'DealStageChanged', detail(w.t, { deal: w.deal, fromStage: 'Anfrage', toStage: 'Reserviert' }))).execute();
    const again = await (await run(action, 'DealStageChanged', detail(w.t, { deal: w.deal, fromStage: 'Anfrage', toStage: 'Reserviert' }))).execute();
    expect(again).toEqual(first);
    const tasks = (await ctx.stores.tasks.list(w.t, { assigneeId: w.anna.id })).items;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ title: 'Reservierung Altbau', dueAt: '2026-11-29T09:00:00.000Z', dealId: w.deal.id, causedBy: { automationId: 'auto-1', executionId: 'exec-1', depth: 1 } });
  });

  it('update_contact, update_property and move_deal change only what differs, with provenance', async () => {
    const w = await world();
    const d = detail(w.t, { deal: w.deal, fromStage: 'Anfrage', toStage: 'Reserviert' });
    expect(await (await run({ type: 'update_contact', set: { status: 'Kunde', archived: false } }, 'DealStageChanged', d)).execute()).toEqual({ contactId: w.contact.id, changed: ['status'] });
    expect(await (await run({ type: 'update_property', set: { archived: true } }, 'DealStageChanged', d)).execute()).toEqual({ propertyId: w.property.id, changed: ['archived'] });
    expect(await (await run({ type: 'move_deal', stage: 'Notartermin' }, 'DealStageChanged', d)).execute()).toMatchObject({ toStage: 'Notartermin' });
    expect(await (await run({ type: 'move_deal', stage: 'Notartermin' }, 'DealStageChanged', d)).execute()).toEqual({ dealId: w.deal.id, changed: [] });
    expect(await ctx.stores.contacts.get(w.t, w.contact.id)).toMatchObject({ status: 'Kunde', causedBy: { automationId: 'auto-1' } });
    expect((await ctx.stores.properties.get(w.t, w.property.id))?.archived).toBe(true);
  });

  it('create_contact creates with defaults, links the inquiry, opens one deal, and on a retry adds nothing', async () => {
    const w = await world();
    const { inquiry } = await ctx.stores.inquiries.recordOnce(w.t, {
      status: 'received', messageId: '<m1@x>', sesMessageId: 's1', rawMessage: { bucket: 'b', key: 'inbound/s1', sizeBytes: 1 }, recipient: 'in@x', from: 'Portal <p@x>', fromAddress: 'p@x',
      subject: 'Anfrage', receivedAt: new Date().toISOString(), verdicts: { spam: 'PASS', virus: 'PASS' }, format: 'portal-text', propertyId: w.property.id,
      extracted: { format: 'portal-text', portal: 'ImmobilienScout24', salutation: 'ms', firstName: 'Jana', lastName: 'Neu', email: 'jana@example.com', phone: '030 1', message: 'Hallo', propertyRef: 'A-1', portalObjectId: null, preferredContact: [], wishes: [], sentOn: null, address: null },
    });
    const action = { type: 'create_contact' };
    const first = await (await run(action, 'InquiryReceived', detail(w.t, { inquiry }))).execute();
    const second = await (await run(action, 'InquiryReceived', detail(w.t, { inquiry }))).execute();
    expect(first).toMatchObject({ created: true });
    expect(second).toMatchObject({ created: false, contactId: first.contactId, dealId: first.dealId });
    expect(await ctx.stores.contacts.findByEmail(w.t, 'jana@example.com')).toMatchObject({ status: 'Interessent', newsletter: true, gdprConsent: false, ownerId: w.anna.id, source: 'Anfrage (ImmobilienScout24)' });
    expect((await ctx.stores.inquiries.get(w.t, inquiry.id))?.contactId).toBe(first.contactId);
    expect((await ctx.stores.deals.list(w.t, { contactId: first.contactId as string })).items).toHaveLength(1);
  });

  it('create_contact fills only what an existing contact lacks', async () => {
    const w = await world();
    const { inquiry } = await ctx.stores.inquiries.recordOnce(w.t, {
      status: 'received', messageId: '<m2@x>', sesMessageId: 's2', rawMessage: { bucket: 'b', key: 'inbound/s2', sizeBytes: 1 }, recipient: 'in@x', from: null, fromAddress: null,
      subject: null, receivedAt: new Date().toISOString(), verdicts: { spam: 'PASS', virus: 'PASS' }, format: 'unstructured',
      extracted: { format: 'unstructured', portal: null, salutation: null, firstName: 'Maximilian', lastName: 'Anders', email: 'MAX@example.com', phone: '089 2', message: null, propertyRef: null, portalObjectId: null, preferredContact: [], wishes: [], sentOn: null, address: null },
    });
    await (await run({ type: 'create_contact' }, 'InquiryReceived', detail(w.t, { inquiry }))).execute();
    const contact = await ctx.stores.contacts.get(w.t, w.contact.id);
    expect(contact).toMatchObject({ firstName: 'Max', lastName: 'Muster', phone: '089 2' });
    expect(contact).not.toHaveProperty('status');
  });
});
