import * as z from 'zod';
import { Activity } from '#shared/model/activity';
import { Contact } from '#shared/model/contact';
import { Deal } from '#shared/model/deal';
import { Inquiry } from '#shared/model/inquiry';
import { Property } from '#shared/model/property';
import { Rejection } from '#shared/model/rejection';
import { User } from '#shared/model/user';
import { ChangedFields, DetailBase, snapshot } from './detail-base.ts';
import type { PickListField } from '#shared/automations/pick-list-usage';
import { BOOKKEEPING, changedFields as changedFieldsOf } from './changes.ts';
import { describeFields, type FieldSpec } from './fields.ts';

export type { PickListField };

/**
 * THE registry of event types: one descriptor per detail-type says which bounded context (family)
 * publishes it, what its detail carries, which entities a run of an automation loads for it and
 * how, which event fields conditions and templates may use, and how a dry run builds a sample. The
 * catalogue, the bus rules, the CDK runners, the trigger reference, the condition and template
 * checks, the run context and the dry run all derive from here. Adding a trigger is one descriptor
 * here and one fixture in events/fixtures/.
 */

/**
 * The bounded contexts: each publishes under its own source and has one runner behind one bus
 * rule; `ruleDetail` narrows the rule to the events that may trigger automations.
 */
export const FAMILIES = {
  contacts: { source: 'crm.contacts', runner: 'contact-runner' },
  properties: { source: 'crm.properties', runner: 'property-runner' },
  deals: { source: 'crm.deals', runner: 'deal-runner' },
  activities: {
    source: 'crm.activities',
    runner: 'activity-runner',
    // The e-mails automations send are recorded as activities (with `automationName`). Their events
    // are published (the archive and other consumers see them) but reach no runner: otherwise one
    // automation's e-mail would set off the sends of every automation on e-mail activities.
    ruleDetail: { activity: { automationName: [{ exists: false }] } },
  },
  rejections: { source: 'crm.rejections', runner: 'rejection-runner' },
  inquiries: { source: 'crm.inquiries', runner: 'inquiry-runner' },
} as const satisfies Record<string, { source: string; runner: string; ruleDetail?: Record<string, unknown> }>;
export type Family = keyof typeof FAMILIES;

/** What a run can load and a template can name. `owner` is the contact's owner, `contactPerson` the property's. */
export const ENTITIES = {
  contact: { store: 'contacts', schema: Contact, label: 'Kontakt' },
  property: { store: 'properties', schema: Property, label: 'Objekt' },
  deal: { store: 'deals', schema: Deal, label: 'Deal' },
  activity: { store: 'activities', schema: Activity, label: 'Aktivität' },
  rejection: { store: 'rejections', schema: Rejection, label: 'Absage' },
  inquiry: { store: 'inquiries', schema: Inquiry, label: 'Anfrage' },
  owner: { store: 'users', schema: User, label: 'Betreuer des Kontakts' },
  contactPerson: { store: 'users', schema: User, label: 'Ansprechpartner des Objekts' },
} as const;
export type EntityName = keyof typeof ENTITIES;

/** Which pick-list of the tenant settings an entity field takes its values from. */
export const PICK_LIST_FIELDS: Partial<Record<EntityName, Record<string, PickListField>>> = {
  contact: { status: { list: 'contactStatuses' } },
  property: { status: { list: 'propertyStatuses' } },
  deal: { stage: { list: 'dealStages', keyPath: 'deal.pipelineId' } },
  activity: { category: { list: 'activityCategories', keyPath: 'activity.type' } },
  rejection: { reason: { list: 'rejectionReasons' } },
};
/** A field of the event itself (beyond its entities), for conditions and `{{event.x}}`. */
export interface EventField extends Omit<FieldSpec, 'path'> {
  description: string;
  pickList?: PickListField;
  /** `entity`: the field is the subject as it was before the change (conditions only). */
  previousOf?: EntityName;
}

/** What a dry run knows when it builds a sample detail from an entity as it is now. */
export interface SampleContext {
  now: Date;
  /** The stages of the entity's pipeline, in order. */
  stagesOf(pipelineId: string): readonly string[];
}

/**
 * When the stream publisher raises the event for a write of its subject: on insert, or on a change
 * for which `detail` returns the event's own fields (undefined: no event), or from a schedule.
 */
export type Publication =
  | { on: 'insert'; when?: (entity: Record<string, unknown>) => boolean }
  | { on: 'modify'; detail: (previous: Record<string, unknown>, entity: Record<string, unknown>) => Record<string, unknown> | undefined }
  | { on: 'schedule' };

export interface TriggerDescriptor {
  family: Family;
  publication: Publication;
  /** For people, German: how the admin page and the reference name the trigger. */
  label: string;
  /** For people, English: when the event is published. */
  description: string;
  /** The entity the event is about; the detail carries it under this key. */
  subject: EntityName;
  /** Detail fields beyond DetailBase; validated on publishing and on receipt. */
  detail: z.ZodRawShape;
  /**
   * Entities a run loads fresh from the stores, in this order, each by the first id found among the
   * paths: `detail.…` reads the event, `<entity>.…` an entity loaded before.
   */
  entities: Partial<Record<EntityName, readonly string[]>>;
  eventFields: Record<string, EventField>;
  /** The event fields a dry run adds for the subject entity as it is now. */
  sample(entity: Record<string, any>, context: SampleContext): Record<string, unknown>;
}

const ContactSnapshot = snapshot({ archived: z.boolean() });
const PropertySnapshot = snapshot({ unitId: z.string(), title: z.string() });
const DealSnapshot = snapshot({ contactId: z.string(), propertyId: z.string(), stage: z.string() });
const ActivitySnapshot = snapshot({ type: z.string(), contactIds: z.array(z.string()) });
const RejectionSnapshot = snapshot({ reason: z.string(), contactId: z.string() });
const InquirySnapshot = snapshot({ messageId: z.string(), status: z.literal('received') });

const owner = ['contact.ownerId'] as const;
const contactPerson = ['property.contactPersonId'] as const;
const changedFields = (of: EntityName): EventField => ({
  type: 'string[]',
  description: `The ${of} fields the change touched`,
  values: describeFields(ENTITIES[of].schema).filter((f) => !f.path.includes('.') && !BOOKKEEPING.has(f.path)).map((f) => f.path),
});
const previous = (of: EntityName): EventField => ({ type: 'object', previousOf: of, description: `The ${of} as it was before the change` });
const stage = (description: string): EventField => ({ type: 'string', description, pickList: { list: 'dealStages', keyPath: 'deal.pipelineId' } });
const nothing = () => ({});
/** What an activity's run loads: its deal, then the contact and property of the activity or the deal. */
const activityEntities = {
  activity: ['detail.activity.id'],
  deal: ['activity.dealId'],
  contact: ['activity.contactIds.0', 'deal.contactId'],
  property: ['activity.propertyId', 'deal.propertyId'],
  owner,
  contactPerson,
} as const;
/** The detail and event fields of an Updated event of `entity`: the entity, as it was, and what changed. */
const updatedParts = <K extends EntityName, S extends z.ZodType>(entity: K, snapshot: S) => ({
  detail: { [entity]: snapshot, previous: snapshot.optional(), changedFields: ChangedFields } as { [P in K]: S } & { previous: z.ZodOptional<S>; changedFields: typeof ChangedFields },
  eventFields: { changedFields: changedFields(entity), previous: previous(entity) },
});
/** An Updated event names the changed domain fields and carries the entity as it was. */
const updated: Publication = {
  on: 'modify',
  detail: (previous, entity) => {
    const fields = changedFieldsOf(previous, entity);
    return fields.length > 0 ? { previous, changedFields: fields } : undefined;
  },
};

export const TRIGGERS = {
  ContactCreated: {
    family: 'contacts',
    publication: { on: 'insert' },
    label: 'Kontakt angelegt',
    description: 'A contact was created (through the API, an upsert or an automation).',
    subject: 'contact',
    detail: { contact: ContactSnapshot },
    entities: { contact: ['detail.contact.id'], owner },
    eventFields: {},
    sample: nothing,
  },
  ContactUpdated: {
    family: 'contacts',
    publication: updated,
    label: 'Kontakt geändert',
    description: 'A contact changed; `changedFields` names the fields.',
    subject: 'contact',
    ...updatedParts('contact', ContactSnapshot),
    entities: { contact: ['detail.contact.id'], owner },
    sample: (contact) => ({ previous: contact, changedFields: ['status'] }),
  },
  ContactBirthday: {
    family: 'contacts',
    publication: { on: 'schedule' },
    label: 'Kontakt hat Geburtstag',
    description: 'The daily run (07:00 in the tenant\'s time zone) found the contact\'s birthday today.',
    subject: 'contact',
    detail: { contact: ContactSnapshot, date: z.iso.date(), age: z.number().int().nonnegative().optional() },
    entities: { contact: ['detail.contact.id'], owner },
    eventFields: {
      date: { type: 'string', format: 'date', description: 'The day celebrated, YYYY-MM-DD' },
      age: { type: 'number', description: 'The age reached, when the birth year is known' },
    },
    sample: (contact, { now }) => {
      const date = now.toISOString().slice(0, 10);
      const year = /^\d{4}/.exec(contact.birthday ?? '')?.[0];
      return { date, ...(year ? { age: Number(date.slice(0, 4)) - Number(year) } : {}) };
    },
  },
  PropertyCreated: {
    family: 'properties',
    publication: { on: 'insert' },
    label: 'Objekt angelegt',
    description: 'A property was created.',
    subject: 'property',
    detail: { property: PropertySnapshot },
    entities: { property: ['detail.property.id'], contactPerson },
    eventFields: {},
    sample: nothing,
  },
  PropertyUpdated: {
    family: 'properties',
    publication: updated,
    label: 'Objekt geändert',
    description: 'A property changed; `changedFields` names the fields.',
    subject: 'property',
    ...updatedParts('property', PropertySnapshot),
    entities: { property: ['detail.property.id'], contactPerson },
    sample: (property) => ({ previous: property, changedFields: ['status'] }),
  },
  DealCreated: {
    family: 'deals',
    publication: { on: 'insert' },
    label: 'Deal angelegt',
    description: 'A deal (a contact\'s interest in a property) was opened.',
    subject: 'deal',
    detail: { deal: DealSnapshot },
    entities: { deal: ['detail.deal.id'], contact: ['deal.contactId'], property: ['deal.propertyId'], owner, contactPerson },
    eventFields: {},
    sample: nothing,
  },
  DealStageChanged: {
    family: 'deals',
    publication: { on: 'modify', detail: (previous, deal) => (previous.stage !== deal.stage ? { fromStage: previous.stage, toStage: deal.stage } : undefined) },
    label: 'Deal wechselt die Phase',
    description: 'A deal moved from one stage to another.',
    subject: 'deal',
    detail: { deal: DealSnapshot, fromStage: z.string(), toStage: z.string() },
    entities: { deal: ['detail.deal.id'], contact: ['deal.contactId'], property: ['deal.propertyId'], owner, contactPerson },
    eventFields: { fromStage: stage('The stage the deal left'), toStage: stage('The stage the deal moved to') },
    // The stage before the current one in the pipeline's order, as if the deal had just moved on.
    sample: (deal, { stagesOf }) => {
      const stages = stagesOf(deal.pipelineId);
      const at = stages.indexOf(deal.stage);
      return { fromStage: at > 0 ? stages[at - 1] : (stages.find((s) => s !== deal.stage) ?? deal.stage), toStage: deal.stage };
    },
  },
  ActivityCreated: {
    family: 'activities',
    publication: { on: 'insert' },
    label: 'Aktivität erfasst',
    description: 'An activity was recorded: an appointment (e.g. a Besichtigung), a note, a call, an e-mail or a letter.',
    subject: 'activity',
    detail: { activity: ActivitySnapshot },
    entities: activityEntities,
    eventFields: {},
    sample: nothing,
  },
  ActivityUpdated: {
    family: 'activities',
    publication: updated,
    label: 'Termin geändert',
    description: 'An appointment moved or was cancelled; `changedFields` names the fields (`startsAt`, `endsAt`, `location`, `title`, `cancelled`).',
    subject: 'activity',
    ...updatedParts('activity', ActivitySnapshot),
    entities: activityEntities,
    sample: (activity) => ({ previous: activity, changedFields: ['startsAt'] }),
  },
  RejectionCreated: {
    family: 'rejections',
    publication: { on: 'insert' },
    label: 'Absage erfasst',
    description: 'An Absage was recorded for a contact, with its reason.',
    subject: 'rejection',
    detail: { rejection: RejectionSnapshot },
    entities: {
      rejection: ['detail.rejection.id'],
      deal: ['rejection.dealId'],
      contact: ['rejection.contactId', 'deal.contactId'],
      property: ['rejection.propertyId', 'deal.propertyId'],
      owner,
      contactPerson,
    },
    eventFields: {},
    sample: nothing,
  },
  InquiryReceived: {
    family: 'inquiries',
    // Refused inquiries (spam, virus, oversize) are kept for the record but trigger nothing.
    publication: { on: 'insert', when: (inquiry) => inquiry.status === 'received' },
    label: 'Anfrage eingegangen',
    description: 'An inquiry e-mail arrived and was parsed (refused mail raises no event).',
    subject: 'inquiry',
    detail: { inquiry: InquirySnapshot },
    entities: { inquiry: ['detail.inquiry.id'], property: ['inquiry.propertyId'], contact: ['inquiry.contactId'], contactPerson },
    eventFields: {},
    sample: nothing,
  },
} as const satisfies Record<string, TriggerDescriptor>;

export type DetailType = keyof typeof TRIGGERS;
export const DETAIL_TYPES = Object.keys(TRIGGERS) as DetailType[];

export function isDetailType(value: string): value is DetailType {
  return Object.hasOwn(TRIGGERS, value);
}


export const sourceOf = (type: DetailType) => FAMILIES[TRIGGERS[type].family].source;

/** The detail schema of a type: DetailBase and the descriptor's own fields. */
export const detailSchemaOf = <T extends DetailType>(type: T) => DetailBase.extend(TRIGGERS[type].detail as (typeof TRIGGERS)[T]['detail']);
