import { ValidationError, type FieldError } from '../errors.ts';
import { compilePattern, InvalidPatternError } from '../patterns/compile.ts';
import type { AutomationDefinition } from './model.ts';
import { NAMESPACES, templateProblems, type Namespace } from './templates.ts';

/** What each action needs the event to provide. */
const NEEDS: Record<string, Namespace | undefined> = {
  update_contact: 'contact',
  update_property: 'property',
  move_deal: 'deal',
};

/**
 * Checks what the schema cannot: the pattern compiles (as EventBridge would accept it), every
 * template names only fields the trigger provides, and every action has what it works on.
 * Throws a ValidationError naming each failing field.
 */
export function validateDefinition(definition: AutomationDefinition): void {
  const fields: FieldError[] = [];
  const trigger = definition.trigger.event;
  const available = new Set(NAMESPACES[trigger]);
  if (definition.trigger.where !== undefined) {
    try {
      compilePattern(definition.trigger.where);
    } catch (error) {
      if (!(error instanceof InvalidPatternError)) throw error;
      fields.push({ path: 'trigger.where', message: error.message });
    }
  }
  const template = (path: string, source: string | undefined) => {
    if (source === undefined) return;
    for (const problem of templateProblems(source, trigger)) fields.push({ path, message: problem });
  };
  const requires = (path: string, namespace: Namespace, what: string) => {
    if (!available.has(namespace)) fields.push({ path, message: `${trigger} has no ${namespace} to ${what}` });
  };

  definition.actions.forEach((action, i) => {
    const at = `actions.${i}`;
    const needs = NEEDS[action.type];
    if (needs) requires(`${at}.type`, needs, 'act on');
    switch (action.type) {
      case 'send_email':
        template(`${at}.subject`, action.subject);
        template(`${at}.body`, action.body);
        if (action.to === 'contact') requires(`${at}.to`, 'contact', 'send to');
        if (action.to === 'contact_owner') requires(`${at}.to`, 'owner', 'send to');
        if (action.to === 'property_contact_person') requires(`${at}.to`, 'contactPerson', 'send to');
        if (action.attachIcs) requires(`${at}.attachIcs`, 'activity', 'attach as an invitation');
        if (action.purpose === 'marketing' && action.to !== 'contact') fields.push({ path: `${at}.purpose`, message: 'Marketing mail goes to contacts only' });
        break;
      case 'create_task':
        template(`${at}.title`, action.title);
        template(`${at}.body`, action.body);
        if (action.assignee === 'contact_owner') requires(`${at}.assignee`, 'owner', 'assign');
        if (action.assignee === 'property_contact_person') requires(`${at}.assignee`, 'contactPerson', 'assign');
        break;
      case 'create_contact':
        if (trigger !== 'InquiryReceived') fields.push({ path: `${at}.type`, message: 'create_contact works on InquiryReceived only' });
        break;
      default:
        break;
    }
  });
  if (fields.length > 0) throw new ValidationError('The automation is invalid', fields);
}

/** User ids an automation names, with the field that names them (checked against the tenant's users). */
export function userReferences(definition: AutomationDefinition): Array<{ field: string; id: string }> {
  return definition.actions.flatMap((action, i) => {
    if (action.type === 'create_task' && typeof action.assignee === 'object') return [{ field: `actions.${i}.assignee.userId`, id: action.assignee.userId }];
    if (action.type === 'update_contact' && action.set.ownerId) return [{ field: `actions.${i}.set.ownerId`, id: action.set.ownerId }];
    if (action.type === 'create_contact' && typeof action.defaults.owner === 'object') return [{ field: `actions.${i}.defaults.owner.userId`, id: action.defaults.owner.userId }];
    return [];
  });
}
