import { beforeAll, describe, expect, it } from 'vitest';
import { Action as ActionSchema } from '#shared/automations/model';
import { prepareAction, type StepAction } from '#shared/engine/actions/index';
import { buildContext } from '#shared/engine/context';
import { PermanentError, SkipError } from '#shared/engine/errors';
import { ContactInput } from '#shared/model/contact';
import { PropertyInput } from '#shared/model/property';
import { UserInput } from '#shared/model/user';
import { actionWorld, detailOf, OutboxMailer } from '../support/action-world.ts';
import { freshStores, tenant } from '../support/dynamo.ts';

/**
 * What each action refuses, and why, in the words an admin reads under "Zuletzt ausgeführt"; and
 * whom it writes to. Against DynamoDB Local, with the mail kept in an outbox.
 */

let ctx: Awaited<ReturnType<typeof freshStores>>;
const mailer = new OutboxMailer();
beforeAll(async () => {
  ctx = await freshStores();
});

const NOW = new Date('2026-11-27T09:00:00Z');

async function prepare(action: unknown, eventType: string, detail: Record<string, unknown>) {
  const context = await buildContext(ctx.stores, eventType, detail, { automationId: 'auto-1', automationName: 'Test automation', executionId: 'exec-1' });
  return prepareAction(ActionSchema.parse(action) as StepAction, context, { executionId: 'exec-1', index: 0 }, { stores: ctx.stores, mailer, now: () => NOW });
}

/** The reason the action is skipped with (a SkipError), or the failure it ends the run with. */
async function refusal(action: unknown, eventType: string, detail: Record<string, unknown>) {
  try {
    await (await prepare(action, eventType, detail)).execute();
  } catch (error) {
    return { skipped: error instanceof SkipError, permanent: error instanceof PermanentError, reason: (error as Error).message };
  }
  throw new Error('the action ran');
}

const mail = (to: unknown, extra: Record<string, unknown> = {}) => ({ type: 'send_email', to, subject: 'Betreff', body: 'Text', ...extra });

describe('send_email', () => {
  it('names the contact it cannot write to, and why', async () => {
    const w = await actionWorld(ctx.stores);
    const contactEvent = (contact: unknown) => detailOf(w.t, { contact });
    const label = `The contact Max Muster (${w.contact.id})`;

    await ctx.stores.contacts.update(w.t, w.contact.id, { archived: true }, 1);
    expect(await refusal(mail('contact'), 'ContactCreated', contactEvent(w.contact))).toMatchObject({ skipped: true, reason: `${label} is archived` });

    const noMail = await ctx.stores.contacts.create(w.t, ContactInput.parse({ lastName: 'Ohne', company: 'Ohne GmbH' }));
    expect(await refusal(mail('contact'), 'ContactCreated', contactEvent(noMail))).toMatchObject({ skipped: true, reason: `The contact Ohne (${noMail.id}) has no e-mail address` });

    const gone = { ...noMail, id: '01JZZZZZZZZZZZZZZZZZZZZZZZ' };
    // The store has no such contact: the event's own copy is used, and its address is missing.
    expect(await refusal(mail('contact'), 'ContactCreated', contactEvent(gone))).toMatchObject({ reason: `The contact Ohne (${gone.id}) has no e-mail address` });

    const property = await ctx.stores.properties.create(w.t, PropertyInput.parse({ unitId: 'B-2', title: 'Neubau' }));
    expect(await refusal(mail('contact'), 'PropertyCreated', detailOf(w.t, { property }))).toMatchObject({ skipped: true, reason: 'The PropertyCreated event names no contact to write to' });
  });

  it('sends nothing to an address that bounced for good or complained, and still to one that bounced for a while', async () => {
    const w = await actionWorld(ctx.stores);
    const label = `The contact Max Muster (${w.contact.id})`;
    const withStatus = async (emailStatus: Record<string, unknown>) => {
      const current = (await ctx.stores.contacts.get(w.t, w.contact.id))!;
      return ctx.stores.contacts.update(w.t, w.contact.id, { emailStatus }, current.version);
    };
    const event = () => detailOf(w.t, { contact: w.contact });

    await withStatus({ state: 'bounced', type: 'Permanent', subType: 'General', at: '2026-11-20T10:00:00.000Z', address: 'MAX@example.com' });
    expect(await refusal(mail('contact'), 'ContactCreated', event())).toMatchObject({ skipped: true, reason: `${label} has bounced (Permanent General, 2026-11-20): no mail is sent to max@example.com` });

    await withStatus({ state: 'complained', type: 'abuse', at: '2026-11-21T10:00:00.000Z', address: 'max@example.com' });
    expect(await refusal(mail('contact', { purpose: 'marketing' }), 'ContactCreated', event())).toMatchObject({ reason: `${label} has complained about mail (abuse, 2026-11-21): no mail is sent to max@example.com` });

    await withStatus({ state: 'bounced', type: 'Permanent', at: '2026-11-22T10:00:00.000Z', address: 'max@old.example' });
    expect(await (await prepare(mail('contact'), 'ContactCreated', event())).execute()).toMatchObject({ to: 'max@example.com' });

    await withStatus({ state: 'bounced', type: 'Transient', subType: 'MailboxFull', at: '2026-11-23T10:00:00.000Z', address: 'max@example.com' });
    expect(await (await prepare(mail('contact'), 'ContactCreated', event())).execute()).toMatchObject({ to: 'max@example.com' });
  });

  it('writes marketing mail only to a contact who consented and subscribed', async () => {
    const w = await actionWorld(ctx.stores);
    await ctx.stores.contacts.update(w.t, w.contact.id, { gdprConsent: true, newsletter: true }, 1);
    expect(await (await prepare(mail('contact', { purpose: 'marketing' }), 'ContactCreated', detailOf(w.t, { contact: w.contact }))).execute()).toMatchObject({ to: 'max@example.com' });
    expect(mailer.sent.at(-1)).toMatchObject({ to: 'max@example.com' });
  });

  it('writes to the contact\'s owner and the property\'s contact person, and names the one missing', async () => {
    const w = await actionWorld(ctx.stores);
    const dealEvent = detailOf(w.t, { deal: w.deal, fromStage: 'Anfrage', toStage: 'Reserviert' });
    expect(await (await prepare(mail('contact_owner'), 'DealStageChanged', dealEvent)).execute()).toMatchObject({ to: 'anna@acme.example' });
    // The recipient is the owner: no Reply-To of the same address.
    expect(mailer.sent.at(-1)).toMatchObject({ to: 'anna@acme.example', subject: 'Betreff' });
    expect(mailer.sent.at(-1)).not.toHaveProperty('replyTo');
    expect(await (await prepare(mail('property_contact_person'), 'DealStageChanged', dealEvent)).execute()).toMatchObject({ to: 'anna@acme.example' });
    expect(await (await prepare(mail({ address: 'fix@example.org' }), 'DealStageChanged', dealEvent)).execute()).toMatchObject({ to: 'fix@example.org' });
    expect(mailer.sent.at(-1)).toMatchObject({ to: 'fix@example.org', replyTo: 'anna@acme.example' });

    const lone = await ctx.stores.contacts.create(w.t, ContactInput.parse({ firstName: 'Lena', lastName: 'Los', email: 'lena@example.com' }));
    expect(await refusal(mail('contact_owner'), 'ContactCreated', detailOf(w.t, { contact: lone }))).toMatchObject({ skipped: true, reason: `The contact Lena Los (${lone.id}) has no owner` });
    const bare = await ctx.stores.properties.create(w.t, PropertyInput.parse({ unitId: 'C-3', title: 'Bungalow' }));
    expect(await refusal(mail('property_contact_person'), 'PropertyCreated', detailOf(w.t, { property: bare }))).toMatchObject({ reason: `The property C-3 "Bungalow" (${bare.id}) has no contact person` });
    expect(await refusal(mail('contact_owner'), 'PropertyCreated', detailOf(w.t, { property: bare }))).toMatchObject({ reason: 'The PropertyCreated event names no contact whose owner could be written to' });
    expect(await refusal(mail('property_contact_person'), 'ContactCreated', detailOf(w.t, { contact: lone }))).toMatchObject({ reason: 'The ContactCreated event names no property whose contact person could be written to' });

    await ctx.stores.users.update(w.t, w.anna.id, { archived: true }, w.anna.version);
    expect(await refusal(mail('contact_owner'), 'DealStageChanged', dealEvent)).toMatchObject({ skipped: true, reason: `The user Anna Agent (${w.anna.id}) is archived` });
  });

  it('fails for good when the tenant has no sender address', async () => {
    // A tenant that never saved its settings.
    const t = tenant();
    const contact = await ctx.stores.contacts.create(t, ContactInput.parse({ lastName: 'Muster', email: 'x@example.com' }));
    expect(await refusal(mail('contact'), 'ContactCreated', detailOf(t, { contact }))).toEqual({ skipped: false, permanent: true, reason: 'The tenant has no sender address; set senderAddress with PUT /settings' });
  });

  it('attaches an invitation to the appointment, from the tenant to the recipient', async () => {
    const w = await actionWorld(ctx.stores);
    const viewing = await ctx.stores.activities.create(w.t, { type: 'appointment', category: 'Besichtigung', contactIds: [w.contact.id], propertyId: w.property.id, startsAt: '2026-12-03T13:00:00.000Z', endsAt: '2026-12-03T13:45:00.000Z', location: 'Torstraße 1' });
    const prepared = await prepare(mail('contact', { attachIcs: true, subject: 'Besichtigung {{property.title}}' }), 'ActivityCreated', detailOf(w.t, { activity: viewing }));
    expect(prepared.preview).toMatchObject({ attachments: ['einladung.ics'], from: 'info@acme.example', replyTo: 'anna@acme.example' });
    await prepared.execute();
    const ics = mailer.sent.at(-1)!.attachments?.[0];
    expect(ics).toMatchObject({ filename: 'einladung.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH' });
    expect(ics!.content).toContain(`UID:${viewing.id}@${w.t}.crm`);
    expect(ics!.content).toContain('DTSTART:20261203T130000Z');
    expect(ics!.content).toContain('SUMMARY:Besichtigung Altbau');
    expect(ics!.content).toContain('LOCATION:Torstraße 1');
    expect(ics!.content).toMatch(/ORGANIZER;CN="Acme":mailto:info@acme.example/);
    expect(ics!.content).toMatch(/ATTENDEE;CN="Max Muster".*:mailto:max@example.com/);
  });
});

describe('create_task', () => {
  it('assigns a named user, with the due date N days ahead and the records of the event', async () => {
    const w = await actionWorld(ctx.stores);
    const otto = await ctx.stores.users.create(w.t, UserInput.parse({ firstName: 'Otto', lastName: 'Owner', email: 'otto@acme.example' }));
    const prepared = await prepare({ type: 'create_task', assignee: { userId: otto.id }, title: '{{contact.phone}}', body: 'Bitte {{contact.firstName}} anrufen', dueInDays: 0 }, 'DealStageChanged', detailOf(w.t, { deal: w.deal, fromStage: 'Anfrage', toStage: 'Reserviert' }));
    expect(await prepared.execute()).toEqual({ taskId: 'exec-1-0', assigneeId: otto.id });
    expect(await ctx.stores.tasks.require(w.t, 'exec-1-0')).toMatchObject({
      title: 'Aufgabe', body: 'Bitte Max anrufen', assigneeId: otto.id, dueAt: NOW.toISOString(), done: false, contactId: w.contact.id, propertyId: w.property.id, dealId: w.deal.id,
    });
  });

  it('names the owner or contact person that is missing or archived', async () => {
    const w = await actionWorld(ctx.stores);
    const task = (assignee: string) => ({ type: 'create_task', assignee, title: 'x' });
    const lone = await ctx.stores.contacts.create(w.t, ContactInput.parse({ firstName: 'Lena', lastName: 'Los', email: 'lena2@example.com' }));
    const bare = await ctx.stores.properties.create(w.t, PropertyInput.parse({ unitId: 'D-4', title: 'Villa' }));
    expect(await refusal(task('contact_owner'), 'ContactCreated', detailOf(w.t, { contact: lone }))).toMatchObject({ skipped: true, reason: `The contact Lena Los (${lone.id}) has no owner to assign the task to` });
    expect(await refusal(task('contact_owner'), 'PropertyCreated', detailOf(w.t, { property: bare }))).toMatchObject({ reason: 'The event has no contact whose owner could take the task' });
    expect(await refusal(task('property_contact_person'), 'PropertyCreated', detailOf(w.t, { property: bare }))).toMatchObject({ reason: `The property D-4 "Villa" (${bare.id}) has no contact person to assign the task to` });
    expect(await refusal(task('property_contact_person'), 'ContactCreated', detailOf(w.t, { contact: lone }))).toMatchObject({ reason: 'The event has no property whose contact person could take the task' });
    await ctx.stores.users.update(w.t, w.anna.id, { archived: true }, w.anna.version);
    expect(await refusal(task('property_contact_person'), 'PropertyCreated', detailOf(w.t, { property: w.property }))).toMatchObject({ reason: `The user Anna Agent (${w.anna.id}) is archived and takes no tasks` });
  });
});

describe('update_contact, update_property and move_deal', () => {
  it('name the record that is missing', async () => {
    const w = await actionWorld(ctx.stores);
    const bare = await ctx.stores.properties.create(w.t, PropertyInput.parse({ unitId: 'E-5', title: 'Loft' }));
    expect(await refusal({ type: 'update_contact', set: { status: 'Kunde' } }, 'PropertyCreated', detailOf(w.t, { property: bare }))).toMatchObject({ skipped: true, reason: 'The PropertyCreated event names no contact' });
    const ghostDeal = { ...w.deal, id: '01JZZZZZZZZZZZZZZZZZZZZZZ0', contactId: '01JZZZZZZZZZZZZZZZZZZZZZZ1', propertyId: '01JZZZZZZZZZZZZZZZZZZZZZZ2' };
    const event = detailOf(w.t, { deal: ghostDeal, fromStage: 'Anfrage', toStage: 'Reserviert' });
    expect(await refusal({ type: 'update_contact', set: { status: 'Kunde' } }, 'DealStageChanged', event)).toMatchObject({ reason: 'The contact 01JZZZZZZZZZZZZZZZZZZZZZZ1 no longer exists' });
    expect(await refusal({ type: 'update_property', set: { archived: true } }, 'DealStageChanged', event)).toMatchObject({ reason: 'The property 01JZZZZZZZZZZZZZZZZZZZZZZ2 no longer exists' });
    expect(await refusal({ type: 'update_property', set: { archived: true } }, 'ContactCreated', detailOf(w.t, { contact: w.contact }))).toMatchObject({ reason: 'The ContactCreated event names no property' });
    expect(await refusal({ type: 'move_deal', stage: 'Reserviert' }, 'ContactCreated', detailOf(w.t, { contact: w.contact }))).toMatchObject({ reason: 'The ContactCreated event names no deal' });
  });

  it('move_deal refuses a stage outside the deal\'s pipeline, naming the stages', async () => {
    const w = await actionWorld(ctx.stores);
    const event = detailOf(w.t, { deal: w.deal, fromStage: 'Anfrage', toStage: 'Reserviert' });
    const { reason, skipped } = await refusal({ type: 'move_deal', stage: 'Verkauft!' }, 'DealStageChanged', event);
    expect(skipped).toBe(true);
    expect(reason).toMatch(new RegExp(`^"Verkauft!" is not a stage of the pipeline "default" of the deal ${w.deal.id} \\(Anfrage, .*\\)$`));
    expect(await (await prepare({ type: 'move_deal', stage: 'Reserviert' }, 'DealStageChanged', event)).execute()).toEqual({ dealId: w.deal.id, fromStage: 'Anfrage', toStage: 'Reserviert' });
    expect((await ctx.stores.deals.require(w.t, w.deal.id)).stage).toBe('Reserviert');
  });

  it('write nothing when every field already has its value', async () => {
    const w = await actionWorld(ctx.stores);
    const prepared = await prepare({ type: 'update_contact', set: { archived: false } }, 'ContactCreated', detailOf(w.t, { contact: w.contact }));
    expect(prepared.preview).toEqual({ contactId: w.contact.id, set: {} });
    expect(await prepared.execute()).toEqual({ contactId: w.contact.id, changed: [] });
    expect((await ctx.stores.contacts.require(w.t, w.contact.id)).version).toBe(w.contact.version);
  });
});
