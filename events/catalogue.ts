import * as z from 'zod';

/**
 * The event catalogue (DESIGN.md §5): one source per bounded context, PascalCase past-tense
 * detail-types, and a zod schema per detail. Details are open (unknown fields pass), so a producer
 * may add fields without breaking consumers; `schemaVersion` changes only for breaking changes.
 */

export const SCHEMA_VERSION = 1;

export const SOURCES = {
  contacts: 'crm.contacts',
  properties: 'crm.properties',
  deals: 'crm.deals',
  activities: 'crm.activities',
  rejections: 'crm.rejections',
  inquiries: 'crm.inquiries',
} as const;
export type Source = (typeof SOURCES)[keyof typeof SOURCES];

/** Provenance of a write made by an automation, carried from the item into its events. */
export const CausedByDetail = z.object({
  automationId: z.string(),
  executionId: z.string(),
  depth: z.number().int().nonnegative(),
});

/** What every detail carries. */
export const DetailBase = z.looseObject({
  tenantId: z.string().min(1),
  schemaVersion: z.literal(SCHEMA_VERSION),
  occurredAt: z.iso.datetime(),
  /** Deterministic: the same stream record (or tenant, contact and date) always yields the same key. */
  eventKey: z.string().min(1),
  causedBy: CausedByDetail.optional(),
});

const snapshot = <T extends z.ZodRawShape>(shape: T) =>
  z.looseObject({ id: z.string(), tenantId: z.string(), version: z.number().int().positive(), ...shape });

export const ContactSnapshot = snapshot({ archived: z.boolean() });
export const PropertySnapshot = snapshot({ unitId: z.string(), title: z.string() });
export const DealSnapshot = snapshot({ contactId: z.string(), propertyId: z.string(), stage: z.string() });
export const ActivitySnapshot = snapshot({ type: z.string(), contactIds: z.array(z.string()) });
export const RejectionSnapshot = snapshot({ reason: z.string(), contactId: z.string() });
export const InquirySnapshot = snapshot({ messageId: z.string(), status: z.literal('received') });

const ChangedFields = z.array(z.string()).min(1);

export const DETAIL_SCHEMAS = {
  ContactCreated: DetailBase.extend({ contact: ContactSnapshot }),
  ContactUpdated: DetailBase.extend({ contact: ContactSnapshot, previous: ContactSnapshot.optional(), changedFields: ChangedFields }),
  ContactBirthday: DetailBase.extend({
    contact: ContactSnapshot,
    /** The day being celebrated, `YYYY-MM-DD`, in the run's calendar. */
    date: z.iso.date(),
    /** Present when the birth year is known. */
    age: z.number().int().nonnegative().optional(),
  }),
  PropertyCreated: DetailBase.extend({ property: PropertySnapshot }),
  PropertyUpdated: DetailBase.extend({ property: PropertySnapshot, previous: PropertySnapshot.optional(), changedFields: ChangedFields }),
  DealCreated: DetailBase.extend({ deal: DealSnapshot }),
  DealStageChanged: DetailBase.extend({ deal: DealSnapshot, fromStage: z.string(), toStage: z.string() }),
  ActivityCreated: DetailBase.extend({ activity: ActivitySnapshot }),
  RejectionCreated: DetailBase.extend({ rejection: RejectionSnapshot }),
  InquiryReceived: DetailBase.extend({ inquiry: InquirySnapshot }),
} as const;

export type DetailType = keyof typeof DETAIL_SCHEMAS;
export type Detail<T extends DetailType> = z.infer<(typeof DETAIL_SCHEMAS)[T]>;

/** The source each detail-type is published under. */
export const SOURCE_OF: Record<DetailType, Source> = {
  ContactCreated: SOURCES.contacts,
  ContactUpdated: SOURCES.contacts,
  ContactBirthday: SOURCES.contacts,
  PropertyCreated: SOURCES.properties,
  PropertyUpdated: SOURCES.properties,
  DealCreated: SOURCES.deals,
  DealStageChanged: SOURCES.deals,
  ActivityCreated: SOURCES.activities,
  RejectionCreated: SOURCES.rejections,
  InquiryReceived: SOURCES.inquiries,
};

export const DETAIL_TYPES = Object.keys(DETAIL_SCHEMAS) as DetailType[];

/** A domain event ready to publish. */
export interface DomainEvent<T extends DetailType = DetailType> {
  source: Source;
  detailType: T;
  detail: Detail<T>;
}

export function isDetailType(value: string): value is DetailType {
  return value in DETAIL_SCHEMAS;
}
