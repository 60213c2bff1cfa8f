import { beforeAll, describe, expect, it } from 'vitest';
import { Action } from '#shared/automations/model';
import { prepareAction, type StepAction as ActionType } from '#shared/engine/actions/index';
import { buildContext } from '#shared/engine/context';
import { PropertyInput } from '#shared/model/property';
import { UserInput } from '#shared/model/user';
import type { PickListsPatch } from '#shared/settings/pick-lists';
import { freshStores, tenant } from '../support/dynamo.ts';

/** create_contact against the tenant's pick-lists: the deal's first stage and the contact's status. */

let ctx: Awaited<ReturnType<typeof freshStores>>;
beforeAll(async () => {
  ctx = await freshStores();
});

const NO_MAIL = { send: () => Promise.reject(new Error('no mail here')) };

/** A tenant with the given lists, a property with its contact person, and an inquiry for it. */
async function inquiryWith(pickLists: PickListsPatch | undefined) {
  const t = tenant();
  const { stores } = ctx;
  if (pickLists) await stores.settings.put(t, { name: 'Acme', timeZone: 'Europe/Berlin', inboundAddresses: [], pickLists });
  const anna = await stores.users.create(t, UserInput.parse({ firstName: 'Anna', lastName: 'Agent', email: 'anna@acme.example' }));
  const property = await stores.properties.create(t, PropertyInput.parse({ unitId: 'A-1', title: 'Altbau', contactPersonId: anna.id }));
  const { inquiry } = await stores.inquiries.recordOnce(t, {
    status: 'received', messageId: `<${t}@x>`, sesMessageId: 's1', rawMessage: { bucket: 'b', key: 'inbound/s1', sizeBytes: 1 }, recipient: 'in@x', from: 'Portal <p@x>', fromAddress: 'p@x',
    subject: 'Anfrage', receivedAt: new Date().toISOString(), verdicts: { spam: 'PASS', virus: 'PASS' }, format: 'portal-text', propertyId: property.id,
    extracted: { format: 'portal-text', portal: null, salutation: 'ms', firstName: 'Jana', lastName: 'Neu', email: 'jana@example.com', phone: null, message: 'Hallo', propertyRef: 'A-1', portalObjectId: null, preferredContact: [], wishes: [], sentOn: null, address: null },
  });
  return { t, inquiry };
}

async function createContact(t: string, inquiry: unknown, action: unknown = { type: 'create_contact' }) {
  const detail = { tenantId: t, schemaVersion: 1, occurredAt: new Date().toISOString(), eventKey: 'k#0', inquiry };
  const context = await buildContext(ctx.stores, 'InquiryReceived', detail, { automationId: 'auto-1', automationName: 'Kontakt aus Anfrage', executionId: 'exec-1' });
  const prepared = await prepareAction(Action.parse(action) as ActionType, context, { executionId: 'exec-1', index: 0 }, { stores: ctx.stores, mailer: NO_MAIL, now: () => new Date() });
  return { preview: prepared.preview, result: await prepared.execute() };
}

describe('create_contact and the pick-lists', () => {
  it('opens the deal at the first stage of the default pipeline of the default lists', async () => {
    const { t, inquiry } = await inquiryWith(undefined);
    const { preview, result } = await createContact(t, inquiry);
    expect(preview).toMatchObject({ dealStage: 'Anfrage' });
    expect(await ctx.stores.deals.get(t, result.dealId as string)).toMatchObject({ stage: 'Anfrage', pipelineId: 'default' });
  });

  it('opens the deal at the first stage of the tenant\'s own default pipeline', async () => {
    const { t, inquiry } = await inquiryWith({ dealStages: { default: ['Erstkontakt', 'Abgesagt'] } });
    const { result } = await createContact(t, inquiry);
    expect(await ctx.stores.deals.get(t, result.dealId as string)).toMatchObject({ stage: 'Erstkontakt', pipelineId: 'default' });
  });

  it('stores the status in the spelling of the tenant\'s contact statuses', async () => {
    const { t, inquiry } = await inquiryWith({ contactStatuses: ['INTERESSENT', 'Kunde'] });
    const { result } = await createContact(t, inquiry);
    expect(result).not.toHaveProperty('statusNotInPickList');
    expect(await ctx.stores.contacts.get(t, result.contactId as string)).toMatchObject({ status: 'INTERESSENT' });
  });

  it('creates the contact without a status the lists no longer hold, and says so in the result', async () => {
    const { t, inquiry } = await inquiryWith({ contactStatuses: ['Kunde'] });
    const { result } = await createContact(t, inquiry);
    expect(result).toMatchObject({ created: true, statusNotInPickList: 'Interessent' });
    const contact = await ctx.stores.contacts.get(t, result.contactId as string);
    expect(contact).toMatchObject({ email: 'jana@example.com', lastName: 'Neu' });
    expect(contact).not.toHaveProperty('status');
  });
});
