import * as z from 'zod';
import { CausedBy, EntityMeta, Id, IsoDateTime, Line, Text, patchOf } from './common.ts';

export const TaskFields = z.strictObject({
  title: Line(300),
  body: Text(5_000).optional(),
  assigneeId: Id.optional(),
  dueAt: IsoDateTime.optional(),
  done: z.boolean(),
  contactId: Id.optional(),
  propertyId: Id.optional(),
  dealId: Id.optional(),
});

export const TaskInput = TaskFields.extend({ done: z.boolean().default(false) });
export const TaskPatch = patchOf(TaskFields.omit({ contactId: true, propertyId: true, dealId: true }));
export const Task = TaskFields.extend(EntityMeta.shape).extend({
  /** When the task was marked done; set and cleared by the store. */
  doneAt: IsoDateTime.optional(),
  causedBy: CausedBy.optional(),
});

export type TaskInput = z.infer<typeof TaskInput>;
export type Task = z.infer<typeof Task>;
