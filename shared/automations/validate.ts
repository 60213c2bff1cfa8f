import { ValidationError, type FieldError } from '../errors.ts';
import { compilePattern, InvalidPatternError } from '../patterns/compile.ts';
import { keysOf, type PickLists } from '../settings/pick-lists.ts';
import { conditionProblems, exactValuesAt, MAX_PROBLEMS, recordConditionProblems } from './conditions.ts';
import type { AutomationDefinition, WaitAction } from './model.ts';
import { approximateMs, durationProblem, parseDuration } from '../time/wait-time.ts';
import { closest } from './suggest.ts';
import { checkPickListUses, pickListValuesUsed } from './pick-list-usage.ts';
import { templateProblems } from './templates.ts';
import { conditionFields, entitiesOf, pickListOf, recordField, recordFields, recordPickListOf, templateScope, type ConditionField } from './trigger-reference.ts';
import type { DetailType, EntityName } from '#events/registry';

/** What each action works on: the run must provide this entity. */
const NEEDS: Record<string, EntityName | undefined> = {
  update_contact: 'contact',
  update_property: 'property',
  move_deal: 'deal',
};

/**
 * Checks what the schema cannot, against the trigger registry and the tenant's pick-lists: the
 * pattern compiles (as EventBridge would accept it), names only fields the event carries with
 * operands of their type and values from the tenant's lists; every template names only what the
 * trigger provides; every action has what it works on. Throws a ValidationError naming each
 * failing field with a stable code.
 */
export function validateDefinition(definition: AutomationDefinition, pickLists: PickLists): void {
  const fields: FieldError[] = [];
  const trigger = definition.trigger.event;
  const available = new Set<string>(entitiesOf(trigger));
  const scope = templateScope(trigger);
  let usable = true;
  if (definition.trigger.where !== undefined) {
    try {
      compilePattern(definition.trigger.where);
      fields.push(...conditionProblems(definition.trigger.where, trigger));
    } catch (error) {
      if (!(error instanceof InvalidPatternError)) throw error;
      usable = false;
      fields.push({ path: 'trigger.where', code: 'invalid_pattern', message: error.message, params: { reason: error.reason } });
    }
  }
  // A pattern the compiler refused is not read any further: its values say nothing yet.
  const checked = usable ? definition : { ...definition, trigger: { event: trigger } };
  fields.push(...checkPickListUses(pickListValuesUsed(checked, pickListOf), pickLists));
  if (usable && definition.trigger.where) fields.push(...unknownKeys(definition.trigger.where, conditionFields(trigger), pickLists));

  const template = (path: string, source: string | undefined) => {
    if (source === undefined) return;
    for (const problem of templateProblems(source, scope)) fields.push({ path, ...problem });
  };
  const requires = (path: string, entity: EntityName, what: string) => {
    if (!available.has(entity)) fields.push({ path, code: 'not_provided', message: `${trigger} has no ${entity} to ${what}`, params: { event: trigger, entity, provided: [...available] } });
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
        if (action.purpose === 'marketing' && action.to !== 'contact') {
          fields.push({ path: `${at}.purpose`, code: 'marketing_to_contacts_only', message: 'Marketing mail goes to contacts only', params: { to: action.to, allowed: ['contact'] } });
        }
        break;
      case 'create_task':
        template(`${at}.title`, action.title);
        template(`${at}.body`, action.body);
        if (action.assignee === 'contact_owner') requires(`${at}.assignee`, 'owner', 'assign');
        if (action.assignee === 'property_contact_person') requires(`${at}.assignee`, 'contactPerson', 'assign');
        break;
      case 'wait':
        fields.push(...waitProblems(action, at, trigger, pickLists));
        break;
      case 'create_contact':
        if (trigger !== 'InquiryReceived') fields.push({ path: `${at}.type`, code: 'wrong_trigger', message: 'create_contact works on InquiryReceived only', params: { event: trigger, allowed: ['InquiryReceived'] } });
        break;
      default:
        break;
    }
  });
  fields.push(...waitSequenceProblems(definition));
  if (fields.length > 0) throw new ValidationError('The automation is invalid', fields.slice(0, MAX_PROBLEMS));
}

/**
 * A wait must be followed by a step that acts (a wait at the end would only keep the run open),
 * and the delays of a run (`for`) add up to at most a year: waits one after the other cannot park
 * a run for longer than one wait may.
 */
function waitSequenceProblems(definition: AutomationDefinition): FieldError[] {
  const problems: FieldError[] = [];
  const last = definition.actions.length - 1;
  if (definition.actions[last]?.type === 'wait') {
    problems.push({ path: `actions.${last}`, code: 'wait_last', message: 'A wait must be followed by a step that acts: a wait at the end does nothing but keep the run open', params: { index: last } });
  }
  let total = 0;
  definition.actions.forEach((action, i) => {
    if (action.type !== 'wait' || action.for === undefined) return;
    const delay = parseDuration(action.for);
    if (!delay) return;
    total += approximateMs(delay);
    if (total > ONE_YEAR_MS && !problems.some((p) => p.code === 'waits_too_long')) {
      problems.push({ path: `actions.${i}.for`, code: 'waits_too_long', message: 'The waits of an automation add up to more than a year (P1Y)', params: { index: i } });
    }
  });
  return problems;
}

/** The longest a wait may last, and the furthest an `until` may be shifted. */
const ONE_YEAR_MS = 365 * 86_400_000;

/**
 * A wait has `for` or `until` (not both); a duration is ISO 8601 within a minute and a year; the
 * field it follows is a date or date-time of the run's records; its `while` condition compiles
 * and names only fields of those records, with values of the tenant's lists.
 */
function waitProblems(action: WaitAction, at: string, trigger: DetailType, pickLists: PickLists): FieldError[] {
  const problems: FieldError[] = [];
  if ((action.for === undefined) === (action.until === undefined)) {
    problems.push({ path: at, code: 'wait_needs_one', message: 'A wait needs either "for" (a delay, e.g. "P1D") or "until" (a date field with an offset), not both', params: { given: ['for', 'until'].filter((k) => k in action) } });
  }
  if (action.for !== undefined) {
    const problem = durationProblem(action.for, { allowNegative: false, min: 60_000, max: ONE_YEAR_MS });
    if (problem) problems.push({ path: `${at}.for`, code: 'invalid_duration', message: problem, params: { value: action.for } });
  }
  if (action.until) {
    const { field: path, offset } = action.until;
    const field = recordField(trigger, path);
    if (!field) {
      const dates = recordFields(trigger).filter((f) => f.format).map((f) => f.path);
      const suggestion = closest(path, dates);
      problems.push({ path: `${at}.until.field`, code: 'unknown_path', message: `A run of ${trigger} has no date "${path}"${suggestion ? `; did you mean "${suggestion}"?` : ''}; a wait can follow ${dates.join(', ') || 'no date'}`, params: { field: path, event: trigger, available: dates, ...(suggestion ? { suggestion } : {}) } });
    } else if (!field.format) {
      problems.push({ path: `${at}.until.field`, code: 'not_a_date', message: `"${path}" is a ${field.type}, not a date: a wait can follow a date or date-time field`, params: { field: path, type: field.type } });
    }
    if (offset !== undefined) {
      const problem = durationProblem(offset, { allowNegative: true, max: ONE_YEAR_MS });
      if (problem) problems.push({ path: `${at}.until.offset`, code: 'invalid_duration', message: problem, params: { value: offset } });
    }
  }
  if (action.while !== undefined) {
    try {
      compilePattern(action.while);
      problems.push(...recordConditionProblems(action.while, trigger, `${at}.while`));
      const uses = pickListValuesUsed({ trigger: { event: trigger, where: action.while }, actions: [] } as unknown as AutomationDefinition, recordPickListOf);
      problems.push(...checkPickListUses(uses.map((use) => ({ ...use, path: use.path.replace(/^trigger\.where/, `${at}.while`) })), pickLists));
      problems.push(...unknownKeys(action.while, recordFields(trigger), pickLists, `${at}.while`));
    } catch (error) {
      if (!(error instanceof InvalidPatternError)) throw error;
      problems.push({ path: `${at}.while`, code: 'invalid_pattern', message: error.message, params: { reason: error.reason } });
    }
  }
  return problems;
}

/**
 * The keys of keyed pick-lists a pattern names (the pipeline of `deal.pipelineId`, the type of
 * `activity.type`) must be keys the tenant has: a mistyped pipeline would never match.
 */
function unknownKeys(where: Record<string, unknown>, fields: readonly ConditionField[], pickLists: PickLists, at = 'trigger.where'): FieldError[] {
  const keyed = new Map(fields.flatMap((f) => (f.pickList?.keyPath ? [[f.pickList.keyPath, f.pickList.list] as const] : [])));
  return [...keyed].flatMap(([keyPath, list]) => {
    const keys = keysOf(pickLists, list) ?? [];
    return exactValuesAt(where, keyPath, '', at)
      .filter(({ value }) => !keys.includes(value))
      .map(({ at, value }) => ({ path: at, code: 'not_in_pick_list', message: `Not one of ${keys.join(', ')}`, params: { list, field: keyPath, allowed: keys, value } }));
  });
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
