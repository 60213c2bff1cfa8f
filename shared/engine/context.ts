import { ENTITIES, isDetailType, TRIGGERS, type EntityName } from '#events/registry';
import type { CausedBy } from '../model/common.ts';
import type { PickLists } from '../settings/pick-lists.ts';
import type { Activity } from '../model/activity.ts';
import type { Contact } from '../model/contact.ts';
import type { Deal } from '../model/deal.ts';
import type { Inquiry } from '../model/inquiry.ts';
import type { Property } from '../model/property.ts';
import type { Rejection } from '../model/rejection.ts';
import type { User } from '../model/user.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import type { TemplateData } from '../automations/templates.ts';
import type { SendWindow } from '../time/wait-time.ts';

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
  /** The tenant's pick-lists, as cached with the settings: actions check what they write against them. */
  pickLists: PickLists;
  /** When a wait held to business hours may end (in `tenant.timeZone`). */
  sendWindow: SendWindow;
  /** The id of each entity the event names, found or not: a skip reason names a missing one by it. */
  ids: Partial<Record<EntityName, string>>;
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

/** The value at a dotted path; numeric segments index arrays (`activity.contactIds.0`). */
function at(root: Record<string, unknown>, path: string): unknown {
  let current: unknown = root;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * Loads the event's entities fresh from the stores, as the trigger's descriptor says (each by the
 * first id found among its paths, in dependency order, independent loads in parallel), so a
 * contact archived or deleted since the event was published is seen as such. The subject falls
 * back to the copy the event carries when the store has none (a dry run's hand-written event).
 */
export async function buildContext(
  stores: CrmStores,
  eventType: string,
  detail: Record<string, any>,
  run: { automationId: string; automationName: string; executionId: string },
): Promise<RunContext> {
  if (!isDetailType(eventType)) throw new Error(`No trigger ${eventType}`);
  const descriptor = TRIGGERS[eventType];
  const tenantId: string = detail.tenantId;
  const settingsPromise = settingsOf(stores, tenantId);
  const loaded: Record<string, unknown> = { detail };
  const ids: Partial<Record<EntityName, string>> = {};
  let pending = Object.entries(descriptor.entities) as Array<[EntityName, readonly string[]]>;
  while (pending.length > 0) {
    const ready = pending.filter(([, paths]) => paths.every((p) => p.split('.')[0]! in loaded));
    if (ready.length === 0) throw new Error(`${eventType}: the entities' paths depend on each other in a circle`);
    const values = await Promise.all(
      ready.map(async ([name, paths]) => {
        const id = paths.map((p) => idOf(at(loaded, p))).find(Boolean);
        if (id) ids[name] = id;
        const store = stores[ENTITIES[name].store] as { get(t: string, id: string): Promise<unknown> };
        const entity = id ? await store.get(tenantId, id) : undefined;
        // The subject gone from the store (or a dry run's hand-written event): the event's own copy.
        return entity ?? (name === descriptor.subject ? detail[name] : undefined);
      }),
    );
    ready.forEach(([name], i) => (loaded[name] = values[i]));
    pending = pending.filter((entry) => !ready.includes(entry));
  }
  const settings = await settingsPromise;
  const entities = loaded as Partial<Record<EntityName, any>>;

  const tenant = {
    ...('name' in settings && settings.name ? { name: settings.name } : {}),
    ...('senderAddress' in settings && settings.senderAddress ? { senderAddress: settings.senderAddress } : {}),
    timeZone: settings.timeZone,
  };
  const event: Record<string, unknown> = { occurredAt: detail.occurredAt };
  for (const [name, field] of Object.entries(descriptor.eventFields)) if (!field.previousOf) event[name] = detail[name];
  const templateData: TemplateData = { tenant, event };
  for (const name of Object.keys(descriptor.entities) as EntityName[]) templateData[name] = entities[name];
  return {
    tenantId,
    eventType,
    detail,
    contact: entities.contact,
    property: entities.property,
    deal: entities.deal,
    activity: entities.activity,
    rejection: entities.rejection,
    inquiry: entities.inquiry,
    owner: entities.owner,
    contactPerson: entities.contactPerson,
    tenant,
    pickLists: settings.pickLists,
    sendWindow: settings.sendWindow,
    ids,
    automation: { id: run.automationId, name: run.automationName },
    causedBy: { automationId: run.automationId, executionId: run.executionId, depth: (detail.causedBy?.depth ?? 0) + 1 },
    templateData,
  };
}
