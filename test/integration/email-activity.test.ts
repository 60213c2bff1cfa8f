import { beforeAll, describe, expect, it } from 'vitest';
import { Action } from '#shared/automations/model';
import { prepareAction, type StepAction as ActionType } from '#shared/engine/actions/index';
import { emailActivityId, sentEmailRecorded } from '#shared/engine/actions/send-email';
import { buildContext } from '#shared/engine/context';
import type { Mailer } from '#shared/engine/mailer';
import { DynamoActivityStore } from '#shared/stores/activity-store';
import type { CrmStores } from '#shared/stores/crm-stores';
import { PropertyInput } from '#shared/model/property';
import { actionWorld, detailOf, OutboxMailer } from '../support/action-world.ts';
import { freshStores, tenant } from '../support/dynamo.ts';

let ctx: Awaited<ReturnType<typeof freshStores>>;
beforeAll(async () => {
  ctx = await freshStores();
});

const world = () => actionWorld(ctx.stores, { email: 'Max@Example.com' });
const detail = detailOf;

/** Prepares a send step of execution `exec-1` as the engine would, against the given stores. */
async function prepare(action: unknown, d: Record<string, unknown>, options: { stores?: CrmStores; mailer?: Mailer; index?: number; eventType?: string } = {}) {
  const stores = options.stores ?? ctx.stores;
  const context = await buildContext(ctx.stores, options.eventType ?? 'DealStageChanged', d, { automationId: 'auto-1', automationName: 'Reservierung melden', executionId: 'exec-1' });
  return prepareAction(Action.parse(action) as ActionType, context, { executionId: 'exec-1', index: options.index ?? 0 }, { stores, mailer: options.mailer ?? new OutboxMailer(), now: () => new Date() });
}

const toContact = { type: 'send_email', to: 'contact', subject: 'Reserviert: {{property.title}}', body: 'Hallo {{contact.firstName}},\n\nreserviert.' };

describe('the e-mail activity of a send step', () => {
  it('records the sent e-mail on the contact, property and deal, with subject, text, recipient, automation and provenance', async () => {
    const w = await world();
    const result = await (await prepare(toContact, detail(w.t, { deal: w.deal, fromStage: 'Anfrage', toStage: 'Reserviert' }))).execute();
    const id = emailActivityId('exec-1', 0);
    expect(result).toMatchObject({ messageId: 'm-1', to: 'max@example.com', activityId: id });
    const activity = await ctx.stores.activities.require(w.t, id);
    expect(activity).toMatchObject({
      type: 'email',
      title: 'Reserviert: Altbau',
      body: 'Hallo Max,\n\nreserviert.',
      recipient: 'max@example.com',
      automationName: 'Reservierung melden',
      contactIds: [w.contact.id],
      propertyId: w.property.id,
      dealId: w.deal.id,
      causedBy: { automationId: 'auto-1', executionId: 'exec-1', depth: 1 },
    });
    expect(activity).not.toHaveProperty('category');
    expect((await ctx.stores.activities.list(w.t, { contactId: w.contact.id, type: 'email' })).items.map((a) => a.id)).toEqual([id]);
    expect((await ctx.stores.activities.list(w.t, { propertyId: w.property.id, type: 'email' })).items.map((a) => a.id)).toEqual([id]);
  });

  it('finds the activity of a retried step instead of adding another', async () => {
    const w = await world();
    const d = detail(w.t, { deal: w.deal, fromStage: 'Anfrage', toStage: 'Reserviert' });
    const first = await (await prepare(toContact, d)).execute();
    const again = await (await prepare(toContact, d)).execute();
    expect(again).toMatchObject({ activityId: first.activityId });
    expect(again).not.toHaveProperty('activityError');
    expect((await ctx.stores.activities.list(w.t, { contactId: w.contact.id })).items).toHaveLength(1);
  });

  it('records a mail to the property\'s contact person on the contact and property it concerned', async () => {
    const w = await world();
    const action = { type: 'send_email', to: 'property_contact_person', subject: 'Neue Reservierung', body: 'Bitte kümmern.' };
    const result = await (await prepare(action, detail(w.t, { deal: w.deal, fromStage: 'Anfrage', toStage: 'Reserviert' }), { index: 2 })).execute();
    expect(result).toMatchObject({ to: 'anna@acme.example', activityId: emailActivityId('exec-1', 2) });
    expect(await ctx.stores.activities.require(w.t, emailActivityId('exec-1', 2))).toMatchObject({ recipient: 'anna@acme.example', contactIds: [w.contact.id], propertyId: w.property.id });
  });

  it('records nothing, and says so, when the run has neither a contact nor a property', async () => {
    const w = await world();
    const action = { type: 'send_email', to: { address: 'board@acme.example' }, subject: 'Neue Anfrage', body: 'Es gibt eine neue Anfrage.' };
    const inquiry = { id: 'i-none', tenantId: w.t, version: 1, messageId: '<x@y>', status: 'received' };
    const mailer = new OutboxMailer();
    const result = await (await prepare(action, detail(w.t, { inquiry }), { eventType: 'InquiryReceived', mailer, index: 5 })).execute();
    expect(mailer.sent).toHaveLength(1);
    expect(result).toMatchObject({ to: 'board@acme.example', activityNotRecorded: 'The run has neither a contact nor a property to record the e-mail on' });
    expect(result).not.toHaveProperty('activityId');
    expect(await ctx.stores.activities.get(w.t, emailActivityId('exec-1', 5))).toBeUndefined();
  });

  it('returns the failure of the activity write instead of throwing, once the mail has gone out', async () => {
    const w = await world();
    const broken = { ...ctx.stores, activities: new DynamoActivityStore(ctx.doc, `${ctx.prefix}NoSuchTable`) };
    const mailer = new OutboxMailer();
    const result = await (await prepare(toContact, detail(w.t, { deal: w.deal, fromStage: 'Anfrage', toStage: 'Reserviert' }), { stores: broken, mailer })).execute();
    expect(mailer.sent).toHaveLength(1);
    expect(result).toMatchObject({ messageId: 'm-1', activityError: expect.stringMatching(/ResourceNotFound|non-existent table/i) });
    expect(result).not.toHaveProperty('activityId');
  });

  it('records nothing when the send fails', async () => {
    const w = await world();
    const rejecting: Mailer = { send: () => Promise.reject(Object.assign(new Error('Address blacklisted'), { name: 'MessageRejected' })) };
    const prepared = await prepare(toContact, detail(w.t, { deal: w.deal, fromStage: 'Anfrage', toStage: 'Reserviert' }), { mailer: rejecting, index: 3 });
    await expect(prepared.execute()).rejects.toThrow('Address blacklisted');
    expect(await sentEmailRecorded(ctx.stores, w.t, 'exec-1', 3)).toBe(false);
  });

  it('tells whether a send step recorded its e-mail, per tenant, execution and step', async () => {
    const w = await world();
    await (await prepare(toContact, detail(w.t, { deal: w.deal, fromStage: 'Anfrage', toStage: 'Reserviert' }), { index: 1 })).execute();
    expect(await sentEmailRecorded(ctx.stores, w.t, 'exec-1', 1)).toBe(true);
    expect(await sentEmailRecorded(ctx.stores, w.t, 'exec-1', 0)).toBe(false);
    expect(await sentEmailRecorded(ctx.stores, w.t, 'exec-2', 1)).toBe(false);
    expect(await sentEmailRecorded(ctx.stores, tenant(), 'exec-1', 1)).toBe(false);
  });

  it('cuts an overlong subject and text to what an activity holds', async () => {
    const w = await world();
    const long = await ctx.stores.properties.create(w.t, PropertyInput.parse({ unitId: 'A-2', title: `Villa ${'Ä'.repeat(294)}` }));
    const deal = await ctx.stores.deals.create(w.t, { contactId: w.contact.id, propertyId: long.id, stage: 'Anfrage', pipelineId: 'default', archived: false });
    const action = { type: 'send_email', to: 'contact', subject: 'Reserviert: {{property.title}}', body: '{{property.title}}\n'.repeat(100) };
    const result = await (await prepare(action, detail(w.t, { deal, fromStage: 'Anfrage', toStage: 'Reserviert' }), { index: 4 })).execute();
    expect(result).not.toHaveProperty('activityError');
    const activity = await ctx.stores.activities.require(w.t, emailActivityId('exec-1', 4));
    expect(activity.title).toBe(`Reserviert: Villa ${'Ä'.repeat(282)}`);
    expect(activity.body).toHaveLength(20_000);
  });
});

describe('POST-side activity input', () => {
  it('is unaffected: the store keeps a client\'s e-mail activity without automation fields', async () => {
    const w = await world();
    const activity = await ctx.stores.activities.create(w.t, { type: 'email', contactIds: [w.contact.id], title: 'Telefonat bestätigt', recipient: 'max@example.com' });
    expect(activity).toMatchObject({ type: 'email', recipient: 'max@example.com' });
    expect(activity).not.toHaveProperty('automationName');
    expect(activity).not.toHaveProperty('causedBy');
  });
});
