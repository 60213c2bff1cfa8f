import type { Action, WaitAction } from '../../automations/model.ts';
import { createContact } from './create-contact.ts';
import { createTask } from './create-task.ts';
import { sendEmail } from './send-email.ts';
import type { ActionHandler } from './types.ts';
import { moveDeal, updateContact, updateProperty } from './update-entities.ts';

/** The actions that act (a `wait` only parks the run: see run-machine.ts and wait-plan.ts). */
export type StepAction = Exclude<Action, WaitAction>;

export const ACTIONS: { [T in StepAction['type']]: ActionHandler<Extract<StepAction, { type: T }>> } = {
  send_email: sendEmail,
  create_task: createTask,
  update_contact: updateContact,
  update_property: updateProperty,
  move_deal: moveDeal,
  create_contact: createContact,
};

/** Prepares any action with its handler. */
export const prepareAction: ActionHandler<StepAction> = (action, ctx, step, deps) => (ACTIONS[action.type] as ActionHandler<StepAction>)(action, ctx, step, deps);
