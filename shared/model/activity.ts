import * as z from 'zod';
import { CausedBy, Email, EntityMeta, Id, IsoDateTime, Line, Text } from './common.ts';

export const ACTIVITY_TYPES = ['appointment', 'note', 'call', 'email', 'letter'] as const;

/**
 * Something that happened or is planned: an appointment (a Besichtigung is an appointment of that
 * category), a note with a category, a call, an e-mail, a letter. Activities are a journal, except
 * appointments: they can move (start, end, place) and be cancelled; everything else stays as recorded.
 */
export const ActivityFields = z.strictObject({
  type: z.enum(ACTIVITY_TYPES),
  category: Line(60).optional(),
  title: Line(300).optional(),
  body: Text(20_000).optional(),
  contactIds: z.array(Id).max(20),
  propertyId: Id.optional(),
  dealId: Id.optional(),
  startsAt: IsoDateTime.optional(),
  endsAt: IsoDateTime.optional(),
  location: Line(300).optional(),
  /** The address an e-mail went to (e-mail activities only). */
  recipient: Email.optional(),
  /** An appointment that will not take place (set with PATCH; appointments only). */
  cancelled: z.boolean().optional(),
});

function checkFields(a: z.infer<typeof ActivityFields>, ctx: z.RefinementCtx) {
  if (a.type === 'appointment') {
    if (!a.startsAt) ctx.addIssue({ code: 'custom', path: ['startsAt'], message: 'An appointment needs a start' });
    if (!a.endsAt) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'An appointment needs an end' });
  }
  if (a.startsAt && a.endsAt && Date.parse(a.endsAt) <= Date.parse(a.startsAt)) {
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'Must be after startsAt' });
  }
  if (new Set(a.contactIds).size !== a.contactIds.length) {
    ctx.addIssue({ code: 'custom', path: ['contactIds'], message: 'Names a contact twice' });
  }
  if (a.cancelled !== undefined && a.type !== 'appointment') {
    ctx.addIssue({ code: 'custom', path: ['cancelled'], message: 'Only an appointment can be cancelled' });
  }
  if (a.recipient !== undefined && a.type !== 'email') {
    ctx.addIssue({ code: 'custom', path: ['recipient'], message: 'Only an e-mail has a recipient' });
  }
}

/** What a client may send: never `automationName`, which only an automation's e-mail carries. */
export const ActivityInput = ActivityFields.extend({ contactIds: z.array(Id).max(20).default([]) }).superRefine(checkFields);

/** An activity as stored: the client's fields, the bookkeeping, and the provenance of an automation's write. */
export const Activity = ActivityFields.extend(EntityMeta.shape).extend({
  causedBy: CausedBy.optional(),
  /** The automation that sent this e-mail (set only by automations). */
  automationName: z.string().max(200).optional(),
});

export type ActivityInput = z.infer<typeof ActivityInput>;
export type Activity = z.infer<typeof Activity>;

/** What the activity store records: a client's input, or an automation's e-mail with its automation's name. */
export type ActivityRecord = ActivityInput & Pick<Activity, 'automationName'>;

/**
 * What `PATCH /activities/{id}` may change: an appointment's time, place, title and whether it is
 * cancelled; the version it was based on is required.
 */
export const AppointmentPatch = z
  .strictObject({
    startsAt: IsoDateTime.optional(),
    endsAt: IsoDateTime.optional(),
    location: Line(300).nullable().optional(),
    title: Line(300).optional(),
    cancelled: z.boolean().optional(),
    version: z.number().int().positive(),
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'version'), { message: 'Name at least one field to change' });

/** Checks an activity as a whole (an appointment's start before its end, ...). */
export const checkedActivity = Activity.superRefine(checkFields);
