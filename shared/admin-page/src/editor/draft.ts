import { conditionsOf, jsonToPattern, newKey, prettyJson, rowsToPattern, type Conditions, type LocalProblem } from './conditions.ts';
import { ACTION_FIELDS, actionTypeLabel, fieldWords } from './labels.ts';
import type { StoredAutomation, TriggerRef } from './reference.ts';

/**
 * The form's state of an automation (the draft) and the definition it saves, and where on the form
 * each problem of a save belongs: the API names problems by path (`actions.0.subject`,
 * `trigger.where.deal.stag`), the form names its inputs by id (`f-a0-subject`, `f-cond-2-field`).
 */

export interface DraftAction {
  key: number;
  data: Record<string, any>;
  /** The `while` condition of a wait as the admin typed it (JSON). */
  whileText: string;
}

export interface Draft {
  name: string;
  description: string;
  enabled: boolean;
  event: string;
  conditions: Conditions;
  actions: DraftAction[];
}

export const DEFAULT_ACTIONS: Record<string, () => Record<string, any>> = {
  send_email: () => ({ type: 'send_email', to: 'contact', subject: '', body: '', purpose: 'transactional', attachIcs: false }),
  create_task: () => ({ type: 'create_task', assignee: 'property_contact_person', title: '', dueInDays: 1 }),
  update_contact: () => ({ type: 'update_contact', set: {} }),
  update_property: () => ({ type: 'update_property', set: {} }),
  move_deal: () => ({ type: 'move_deal', stage: '' }),
  create_contact: () => ({ type: 'create_contact', defaults: { status: 'Interessent', newsletter: true, owner: 'property_contact_person' }, openDeal: true }),
  wait: () => ({ type: 'wait', for: 'P1D', withinSendWindow: false, ifPast: 'continue' }),
};

export const draftAction = (data: Record<string, any>): DraftAction => ({ key: newKey(), data: structuredClone(data), whileText: data.while ? prettyJson(data.while) : '' });

export function emptyDraft(trigger: TriggerRef | undefined): Draft {
  return { name: '', description: '', enabled: false, event: trigger?.event ?? '', conditions: { mode: 'rows', rows: [], json: '' }, actions: [draftAction(DEFAULT_ACTIONS.send_email!())] };
}

export function draftOf(automation: StoredAutomation, trigger: TriggerRef | undefined): Draft {
  return {
    name: automation.name,
    description: automation.description ?? '',
    enabled: automation.enabled,
    event: automation.trigger.event,
    conditions: conditionsOf(automation.trigger.where, trigger?.conditionFields ?? []),
    actions: automation.actions.map(draftAction),
  };
}

export interface Definition {
  name: string;
  description?: string;
  trigger: { event: string; where?: Record<string, unknown> };
  actions: Array<Record<string, any>>;
  enabled: boolean;
}

/** One action as the API takes it: empty optional texts left out, the `while` JSON parsed. */
function actionOf(action: DraftAction, index: number, problems: LocalProblem[]): Record<string, any> {
  const data = structuredClone(action.data);
  if (data.type === 'create_task' && !data.body) delete data.body;
  if (data.type === 'create_task' && data.dueInDays === undefined) delete data.dueInDays;
  if (data.type === 'wait') {
    if (data.until && !data.until.offset) delete data.until.offset;
    if (!data.until && !data.for) problems.push({ path: `actions.${index}.for`, code: 'required', message: 'Give a duration' });
    const text = action.whileText.trim();
    if (!text) {
      delete data.while;
    } else {
      const { pattern, problem } = jsonToPattern(text);
      if (problem) problems.push({ ...problem, path: `actions.${index}.while` });
      else if (pattern) data.while = pattern;
      else delete data.while;
    }
  }
  return data;
}

/** The definition the draft stands for, and the problems the form finds before asking the API. */
export function definitionOf(draft: Draft, trigger: TriggerRef | undefined): { definition: Definition; problems: LocalProblem[] } {
  const problems: LocalProblem[] = [];
  let where: Record<string, unknown> | undefined;
  if (draft.conditions.mode === 'json') {
    const { pattern, problem } = jsonToPattern(draft.conditions.json);
    if (problem) problems.push(problem);
    where = pattern;
  } else {
    const built = rowsToPattern(draft.conditions.rows, trigger?.conditionFields ?? []);
    problems.push(...built.problems);
    where = built.pattern;
  }
  const actions = draft.actions.map((a, i) => actionOf(a, i, problems));
  const definition: Definition = {
    name: draft.name.trim(),
    ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
    trigger: { event: draft.event, ...(where ? { where } : {}) },
    actions,
    enabled: draft.enabled,
  };
  return { definition, problems };
}

// ---- Where problems belong ----

/** The ids of an action's inputs, by its type and how it is set up (`to` an address or not, a wait for or until). */
export function actionInputs(data: Record<string, any>): string[] {
  switch (data.type) {
    case 'send_email':
      return ['type', 'to', ...(typeof data.to === 'object' ? ['address'] : []), 'subject', 'body', 'purpose', 'attachIcs'];
    case 'create_task':
      return ['type', 'assignee', ...(typeof data.assignee === 'object' ? ['assignee-user'] : []), 'title', 'body', 'dueInDays'];
    case 'update_contact':
      return ['type', 'set-status', 'set-newsletter', 'set-archived', 'set-ownerId'];
    case 'update_property':
      return ['type', 'set-status', 'set-archived'];
    case 'move_deal':
      return ['type', 'stage'];
    case 'create_contact':
      return ['type', 'defaults-status', 'defaults-newsletter', 'defaults-owner', 'openDeal'];
    case 'wait':
      return ['type', 'wait-mode', ...(data.until ? ['until-field', 'until-offset', 'ifPast'] : ['for']), 'withinSendWindow', 'while'];
    default:
      return ['type'];
  }
}

export const actionInputId = (index: number, input: string) => `f-a${index}-${input}`;
export const conditionInputId = (index: number, input: 'field' | 'op' | 'values') => `f-cond-${index}-${input}`;
export const paramInputId = (key: string) => `f-param-${key}`;

/** Codes that concern which field a condition names rather than its values. */
const FIELD_CODES = new Set(['unknown_path', 'not_an_object', 'not_a_value', 'choose_field', 'field_twice', 'not_provided']);

export interface Target {
  id?: string;
  /** What the summary calls the field. */
  label: string;
}

function actionTarget(index: number, rest: string[], data: Record<string, any>): Target {
  const inputs = actionInputs(data);
  const step = `Schritt ${index + 1} (${actionTypeLabel(data.type)})`;
  const [head, next] = rest;
  let candidates: string[];
  if (head === undefined) candidates = ['type'];
  else if (head === 'to') candidates = next === 'address' ? ['address', 'to'] : ['to'];
  else if (head === 'assignee') candidates = ['assignee-user', 'assignee'].filter((c) => next || c === 'assignee');
  else if (head === 'set' || head === 'defaults') candidates = next ? [`${head}-${next}`] : inputs.filter((i) => i.startsWith(`${head}-`)).slice(0, 1);
  else if (head === 'until') candidates = next === 'offset' ? ['until-offset'] : ['until-field'];
  else if (head === 'for') candidates = ['for', 'wait-mode'];
  else candidates = [head];
  const found = candidates.find((c) => inputs.includes(c)) ?? 'type';
  // A problem of the whole step (a wait at the end) is named by the step alone.
  return { id: actionInputId(index, found), label: head === undefined ? step : `${step} · ${ACTION_FIELDS[found] ?? found}` };
}

/** Where a problem of the draft belongs: the input's id (when the form shows one) and its name. */
export function targetOf(path: string, draft: Draft): Target {
  const parts = path.split('.');
  const [head] = parts;
  if (head === 'name') return { id: 'f-name', label: 'Name' };
  if (head === 'description') return { id: 'f-description', label: 'Beschreibung' };
  if (head === 'enabled') return { id: 'f-enabled', label: 'aktiv' };
  if (head === 'trigger' && parts[1] === 'event') return { id: 'f-event', label: 'Auslöser' };
  if (head === 'trigger' && (parts[1] === 'where' || parts.length === 1)) {
    if (draft.conditions.mode === 'json') return { id: 'f-where-json', label: 'Bedingung als JSON' };
    const rest = parts.slice(2);
    const rows = draft.conditions.rows;
    // The form's own problems name the row by its index.
    const local = /^#(\d+)$/.exec(rest[0] ?? '');
    if (local) {
      const index = Number(local[1]);
      const input = rest[1] === 'field' ? 'field' : rows[index]?.op === 'exists' ? 'op' : 'values';
      return { id: conditionInputId(index, input), label: `Bedingung ${index + 1}${rows[index]?.field ? ` (${fieldWords(rows[index]!.field)})` : ''}` };
    }
    const at = rest.join('.');
    let best = -1;
    rows.forEach((row, index) => {
      if (row.field && (at === row.field || at.startsWith(`${row.field}.`)) && (best < 0 || row.field.length > rows[best]!.field.length)) best = index;
    });
    if (best < 0) return rows.length ? { id: conditionInputId(0, 'field'), label: 'Bedingungen' } : { id: 'f-cond-add', label: 'Bedingungen' };
    return { id: conditionInputId(best, rows[best]!.op === 'exists' ? 'op' : 'values'), label: `Bedingung ${best + 1} (${fieldWords(rows[best]!.field)})` };
  }
  if (head === 'actions') {
    const index = Number(parts[1]);
    if (parts.length === 1 || !Number.isInteger(index)) return { id: 'f-actions-add', label: 'Schritte' };
    const action = draft.actions[index];
    if (!action) return { label: `Schritt ${index + 1}` };
    return actionTarget(index, parts.slice(2), action.data);
  }
  if (head === 'preset') return { label: 'Vorlage' };
  return { label: path };
}

/** For a condition problem at a row: whether it concerns the field (else the values). */
export function targetFor(path: string, code: string | undefined, draft: Draft): Target {
  const target = targetOf(path, draft);
  if (target.id && /^f-cond-\d+-values$/.test(target.id) && code && FIELD_CODES.has(code)) return { ...target, id: target.id.replace(/-values$/, '-field') };
  return target;
}
