import type { CausedBy } from '../model/common.ts';
import type { Activity } from '../model/activity.ts';
import type { Contact } from '../model/contact.ts';
import type { Deal } from '../model/deal.ts';
import type { Inquiry } from '../model/inquiry.ts';
import type { Property } from '../model/property.ts';
import type { Rejection } from '../model/rejection.ts';
import type { User } from '../model/user.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import type { TemplateData } from '../automations/templates.ts';

/** What an action works with: the event's entities as they are now (not as the event saw them). */
export interface RunContext {
  tenantId: string;
  eventType: string;
  detail: Record<string, any>;
  contact?: Contact;
  property?: Property;
  deal?: Deal;
  activity?: Activity;
  rejection?: Rejection;
  inquiry?: Inquiry;
  owner?: User;
  contactPerson?: User;
  tenant: { name?: string; senderAddress?: string; timeZone: string };
  /** The automation that runs: actions name it in what they record (an e-mail activity, a task). */
  automation: { id: string; name: string };
  /** Provenance for every write the actions make. */
  causedBy: CausedBy;
  templateData: TemplateData;
}

const idOf = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * Tenant settings change rarely and every run needs them: a warm runner keeps them a minute, so
 * a changed sender address applies to runs at most 60 s later.
 */
const SETTINGS_TTL_MS = 60_000;
const settingsCache = new Map<string, { at: number; value: Promise<Awaited<ReturnType<CrmStores['settings']['get']>>> }>();

function settingsOf(stores: CrmStores, tenantId: string) {
  const cached = settingsCache.get(tenantId);
  if (cached && Date.now() - cached.at < SETTINGS_TTL_MS) return cached.value;
  const value = stores.settings.get(tenantId);
  value.catch(() => settingsCache.delete(tenantId));
  if (settingsCache.size > 1_000) settingsCache.clear();
  settingsCache.set(tenantId, { at: Date.now(), value });
  return value;
}

/**
 * Loads the event's entities fresh from the stores, so a contact archived or deleted since the
 * event was published is seen as such. Reads run in parallel.
 */
export async function buildContext(
  stores: CrmStores,
  eventType: string,
  detail: Record<string, any>,
  run: { automationId: string; automationName: string; executionId: string },
): Promise<RunContext> {
  const tenantId: string = detail.tenantId;
  const get = <T>(store: { get(t: string, id: string): Promise<T | undefined> }, id: string | undefined) => (id ? store.get(tenantId, id) : Promise.resolve(undefined));

  const activity = detail.activity as Activity | undefined;
  const rejection = detail.rejection as Rejection | undefined;
  const [settings, inquiry, dealNow] = await Promise.all([
    settingsOf(stores, tenantId),
    get(stores.inquiries, idOf(detail.inquiry?.id)),
    get(stores.deals, idOf(detail.deal?.id) ?? idOf(activity?.dealId) ?? idOf(rejection?.dealId)),
  ]);
  const contactId = idOf(detail.contact?.id) ?? idOf(dealNow?.contactId) ?? idOf(rejection?.contactId) ?? idOf(activity?.contactIds?.[0]) ?? idOf(inquiry?.contactId);
  const propertyId = idOf(detail.property?.id) ?? idOf(dealNow?.propertyId) ?? idOf(activity?.propertyId) ?? idOf(rejection?.propertyId) ?? idOf(inquiry?.propertyId);
  const [contact, property] = await Promise.all([get(stores.contacts, contactId), get(stores.properties, propertyId)]);
  const [owner, contactPerson] = await Promise.all([get(stores.users, idOf(contact?.ownerId)), get(stores.users, idOf(property?.contactPersonId))]);

  const tenant = {
    ...('name' in settings && settings.name ? { name: settings.name } : {}),
    ...('senderAddress' in settings && settings.senderAddress ? { senderAddress: settings.senderAddress } : {}),
    timeZone: settings.timeZone,
  };
  const event = {
    date: detail.date,
    age: detail.age,
    fromStage: detail.fromStage,
    toStage: detail.toStage,
    changedFields: detail.changedFields,
    occurredAt: detail.occurredAt,
  };
  return {
    tenantId,
    eventType,
    detail,
    contact,
    property,
    deal: dealNow,
    activity,
    rejection,
    inquiry,
    owner,
    contactPerson,
    tenant,
    automation: { id: run.automationId, name: run.automationName },
    causedBy: { automationId: run.automationId, executionId: run.executionId, depth: (detail.causedBy?.depth ?? 0) + 1 },
    templateData: { contact, property, deal: dealNow, activity, rejection, inquiry, owner, contactPerson, tenant, event },
  };
}
