import * as z from 'zod';
import { DETAIL_TYPES, type DetailType } from '#events/registry';
import { Email, EntityMeta, Id, Line, Text, VersionField } from '../model/common.ts';
import { FINAL_STATUSES } from './execution.ts';

/**
 * An automation: Name / Auslöser / Aktion as data. The trigger is an event type plus an optional
 * EventBridge pattern over the event's detail; the actions run in order.
 */

/** Every event type of the registry can trigger an automation. */
export const TRIGGER_EVENTS = DETAIL_TYPES as [DetailType, ...DetailType[]];
export type TriggerEvent = DetailType;

/** A template: Handlebars over the event's entities, checked on save. */
const Template = (max: number) => z.string().min(1).max(max);

const UserRef = z.strictObject({ userId: Id });
/** Who a task goes to or who owns a contact, relative to the event. */
export const Assignee = z.union([z.enum(['property_contact_person', 'contact_owner']), UserRef]);
export const Recipient = z.union([z.enum(['contact', 'property_contact_person', 'contact_owner']), z.strictObject({ address: Email })]);

export const SendEmailAction = z.strictObject({
  type: z.literal('send_email'),
  to: Recipient,
  subject: Template(300),
  body: Template(20_000),
  /** Marketing mail goes only to contacts with consent and newsletter, never to archived ones. */
  purpose: z.enum(['transactional', 'marketing']).default('transactional'),
  /** Attach the appointment as an .ics invitation (triggers with an appointment only). */
  attachIcs: z.boolean().default(false),
});

export const CreateTaskAction = z.strictObject({
  type: z.literal('create_task'),
  assignee: Assignee,
  title: Template(300),
  body: Template(5_000).optional(),
  dueInDays: z.number().int().min(0).max(365).default(1),
});

export const UpdateContactAction = z.strictObject({
  type: z.literal('update_contact'),
  set: z
    .strictObject({ status: Line(60).optional(), newsletter: z.boolean().optional(), ownerId: Id.optional(), archived: z.boolean().optional() })
    .refine((s) => Object.keys(s).length > 0, 'Name at least one field to set'),
});

export const UpdatePropertyAction = z.strictObject({
  type: z.literal('update_property'),
  set: z.strictObject({ status: Line(60).optional(), archived: z.boolean().optional() }).refine((s) => Object.keys(s).length > 0, 'Name at least one field to set'),
});

export const MoveDealAction = z.strictObject({ type: z.literal('move_deal'), stage: Line(60) });

export const CreateContactAction = z.strictObject({
  type: z.literal('create_contact'),
  /** Applied only when the contact is new; an existing contact keeps its own values. */
  defaults: z
    .strictObject({
      status: Line(60).default('Interessent'),
      newsletter: z.boolean().default(true),
      owner: z.union([z.literal('property_contact_person'), UserRef, z.literal('none')]).default('property_contact_person'),
    })
    .default({ status: 'Interessent', newsletter: true, owner: 'property_contact_person' }),
  /** Open a deal on the inquired property. */
  openDeal: z.boolean().default(true),
});

/** An ISO 8601 duration as text ("P1D", "PT2H", "-P1D"); its meaning is checked on save (`durationProblem`). */
const DurationText = z.string().min(2).max(40);

/**
 * Parks the run until a moment, then goes on with the next step. `for`: a delay from the moment the
 * run reached this step; `until`: a date of the run's records (`activity.startsAt`, a task's `dueAt`)
 * shifted by `offset` — if that date changes while the run waits, the wait follows it. Exactly one
 * of the two. `withinSendWindow` holds the end of the wait to the tenant's send window (the
 * settings' `sendWindow`, e.g. weekdays 08:00–20:00 in the tenant's time zone). `ifPast` says what
 * happens when an `until` moment has already passed when the run reaches the wait (a viewing
 * booked for tomorrow morning has no "one day before"). `while` is a condition over the run's
 * records as they are when it wakes ({"deal": {"stage": ["Reserviert"]}}): if it no longer
 * holds, the run ends as skipped with the reason.
 */
export const WaitAction = z.strictObject({
  type: z.literal('wait'),
  for: DurationText.optional(),
  until: z.strictObject({ field: z.string().min(1).max(200), offset: DurationText.optional() }).optional(),
  withinSendWindow: z.boolean().default(false),
  ifPast: z.enum(['continue', 'skip']).default('continue'),
  while: z.record(z.string(), z.unknown()).optional(),
});
export type WaitAction = z.infer<typeof WaitAction>;

export const Action = z.discriminatedUnion('type', [SendEmailAction, CreateTaskAction, UpdateContactAction, UpdatePropertyAction, MoveDealAction, CreateContactAction, WaitAction]);
export type Action = z.infer<typeof Action>;
export type ActionType = Action['type'];

export const Trigger = z.strictObject({
  event: z.enum(TRIGGER_EVENTS),
  /** An EventBridge event pattern over the event detail; absent: every event of the type. */
  where: z.record(z.string(), z.unknown()).optional(),
});

export const AutomationFields = z.strictObject({
  name: Line(200),
  description: Text(2_000).optional(),
  trigger: Trigger,
  actions: z.array(Action).min(1).max(10),
  enabled: z.boolean().default(false),
  /** The preset it was installed from, if any. */
  preset: z.string().max(60).optional(),
});

/** The "Zuletzt ausgeführt" columns, written by the engine. */
export const RunSummary = z.object({
  lastRunAt: z.iso.datetime().optional(),
  /** `waiting` while the last run waits for its moment (it is counted once it ends). */
  lastRunStatus: z.enum([...FINAL_STATUSES, 'waiting']).optional(),
  lastExecutionId: z.string().optional(),
  /** The error or skip reason of the last run, if it had one. */
  lastError: z.string().optional(),
  runCount: z.number().int().nonnegative().default(0),
  failureCount: z.number().int().nonnegative().default(0),
  partialCount: z.number().int().nonnegative().default(0),
  skippedCount: z.number().int().nonnegative().default(0),
  uncertainCount: z.number().int().nonnegative().default(0),
});

export const Automation = AutomationFields.extend(EntityMeta.shape)
  .extend(RunSummary.shape)
  .extend({
    /** When it was last switched on: a run that waited since before then does not go on (it was disabled meanwhile). */
    enabledAt: z.iso.datetime().optional(),
  });
export type AutomationInput = z.input<typeof AutomationFields>;
export type AutomationDefinition = z.output<typeof AutomationFields>;
export type Automation = z.output<typeof Automation>;

/**
 * Fields the server keeps. A PUT may send them back as GET returned them: the identity fields must
 * then be unchanged; the run summary and `warnings` are ignored, since runs change them without a
 * new version (a GET, a run, then the PUT must still pass).
 */
export const IDENTITY_FIELDS = ['id', 'tenantId', 'createdAt', 'updatedAt'] as const;
export const READ_ONLY_FIELDS = [...IDENTITY_FIELDS, ...Object.keys(RunSummary.shape), 'enabledAt', 'warnings'] as const;

/** PUT replaces the definition; the version it was based on is required. It accepts the body GET returned. */
export const AutomationPut = AutomationFields.extend({
  version: VersionField,
  ...Object.fromEntries(READ_ONLY_FIELDS.map((key) => [key, z.unknown().optional()])),
});
