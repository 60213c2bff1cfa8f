import type { Mailer, OutgoingMail } from '#shared/engine/mailer';
import { ContactInput } from '#shared/model/contact';
import { PropertyInput } from '#shared/model/property';
import { UserInput } from '#shared/model/user';
import type { CrmStores } from '#shared/stores/crm-stores';
import { tenant } from './dynamo.ts';

/** Keeps what would have been sent (SES itself is exercised by the e2e tests). */
export class OutboxMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail) {
    this.sent.push(mail);
    return { messageId: `m-${this.sent.length}` };
  }
}

/** A tenant with settings, an agent, a property, a contact and a deal: what the actions work on. */
export async function actionWorld(stores: CrmStores, contact: { email: string } = { email: 'max@example.com' }) {
  const t = tenant();
  await stores.settings.put(t, { name: 'Acme', timeZone: 'Europe/Berlin', senderAddress: 'info@acme.example', inboundAddresses: [] });
  const anna = await stores.users.create(t, UserInput.parse({ firstName: 'Anna', lastName: 'Agent', email: 'anna@acme.example' }));
  const property = await stores.properties.create(t, PropertyInput.parse({ unitId: 'A-1', title: 'Altbau', contactPersonId: anna.id }));
  const max = await stores.contacts.create(t, ContactInput.parse({ lastName: 'Muster', firstName: 'Max', email: contact.email, ownerId: anna.id }));
  const deal = await stores.deals.create(t, { contactId: max.id, propertyId: property.id, stage: 'Anfrage', pipelineId: 'default', archived: false });
  return { t, anna, property, contact: max, deal };
}

/** An event detail of the tenant, with the entity fields given. */
export const detailOf = (t: string, extra: Record<string, unknown>) => ({ tenantId: t, schemaVersion: 1, occurredAt: new Date().toISOString(), eventKey: 'k#0', ...extra });
