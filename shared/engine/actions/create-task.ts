import type * as z from 'zod';
import type { CreateTaskAction } from '../../automations/model.ts';
import { renderLine, renderText } from '../../automations/templates.ts';
import { ConflictError } from '../../errors.ts';
import { SkipError } from '../errors.ts';
import { capital, contactLabel, propertyLabel, userLabel } from '../labels.ts';
import type { ActionHandler } from './types.ts';

type Action = z.output<typeof CreateTaskAction>;

/**
 * Creates a task for the property's contact person, the contact's owner, or a user. The task id is
 * derived from the execution and step, so a retried step finds its task instead of adding another.
 */
export const createTask: ActionHandler<Action> = async (action, ctx, step, { stores, now }) => {
  let assigneeId: string;
  if (typeof action.assignee === 'object') assigneeId = action.assignee.userId;
  else {
    const user = action.assignee === 'contact_owner' ? ctx.owner : ctx.contactPerson;
    if (!user) {
      throw new SkipError(
        action.assignee === 'contact_owner'
          ? ctx.contact ? `${capital(contactLabel(ctx.contact))} has no owner to assign the task to` : 'The event has no contact whose owner could take the task'
          : ctx.property ? `${capital(propertyLabel(ctx.property))} has no contact person to assign the task to` : 'The event has no property whose contact person could take the task',
      );
    }
    if (user.archived) throw new SkipError(`${capital(userLabel(user))} is archived and takes no tasks`);
    assigneeId = user.id;
  }
  const task = {
    title: renderLine(action.title, ctx.templateData) || 'Aufgabe',
    ...(action.body ? { body: renderText(action.body, ctx.templateData) } : {}),
    assigneeId,
    dueAt: new Date(now().getTime() + action.dueInDays * 86_400_000).toISOString(),
    done: false,
    ...(ctx.contact ? { contactId: ctx.contact.id } : {}),
    ...(ctx.property ? { propertyId: ctx.property.id } : {}),
    ...(ctx.deal ? { dealId: ctx.deal.id } : {}),
  };
  const id = `${step.executionId}-${step.index}`;
  return {
    writes: true,
    preview: task,
    execute: async () => {
      try {
        await stores.tasks.create(ctx.tenantId, task, { causedBy: ctx.causedBy, id });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      return { taskId: id, assigneeId };
    },
  };
};
