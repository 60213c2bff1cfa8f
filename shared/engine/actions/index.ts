import type { Action } from '../../automations/model.ts';
import { createContact } from './create-contact.ts';
import { createTask } from './create-task.ts';
import { sendEmail } from './send-email.ts';
import type { ActionHandler } from './types.ts';
import { moveDeal, updateContact, updateProperty } from './update-entities.ts';

export const ACTIONS: { [T in Action['type']]: ActionHandler<Extract<Action, { type: T }>> } = {
  send_email: sendEmail,
  create_task: createTask,
  update_contact: updateContact,
  update_property: updateProperty,
  move_deal: moveDeal,
  create_contact: createContact,
};

/** Prepares any action with its handler. */
export const prepareAction: ActionHandler = (action, ctx, step, deps) => (ACTIONS[action.type] as ActionHandler)(action, ctx, step, deps);
