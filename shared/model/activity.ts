import * as z from 'zod';
import { CausedBy, EntityMeta, Id, IsoDateTime, Line, Text } from './common.ts';

export const ACTIVITY_TYPES = ['appointment', 'note', 'call', 'email', 'letter'] as const;

/**
 * Something that happened or is planned: an appointment (a Besichtigung is an appointment of that
 * category), a note with a category, a call, an e-mail, a letter. Activities are a journal: they are
 * created and read, never changed.
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
});

function checkTimes(a: z.infer<typeof ActivityFields>, ctx: z.RefinementCtx) {
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
}

export const ActivityInput = ActivityFields.extend({ contactIds: z.array(Id).max(20).default([]) }).superRefine(checkTimes);
export const Activity = ActivityFields.extend(EntityMeta.shape).extend({ causedBy: CausedBy.optional() });

export type ActivityInput = z.infer<typeof ActivityInput>;
export type Activity = z.infer<typeof Activity>;
