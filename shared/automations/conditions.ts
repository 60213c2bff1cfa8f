import type { DetailType } from '#events/registry';
import type { FieldError } from '../errors.ts';
import { conditionField, conditionFields, recordField, recordFields, type ConditionField } from './trigger-reference.ts';
import { PATTERN_LIMITS } from '../patterns/compile.ts';
import { closest } from './suggest.ts';

/**
 * Checks a `trigger.where` pattern against what the trigger's detail carries: every key path must
 * exist, and every operand must fit its field's type (numeric ranges on numbers, prefixes on text,
 * enum values from the enum). The pattern's own syntax is checked before, by the compiler; the
 * pick-list values after, against the tenant's settings. A pattern that passed here can match.
 */
export function conditionProblems(where: Record<string, unknown>, type: DetailType): FieldError[] {
  return patternProblems(where, 'trigger.where', { type, field: (path) => conditionField(type, path), fields: () => conditionFields(type), what: type });
}

/** The same checks for a wait's `while` condition, over the run's records as they are when it wakes. */
export function recordConditionProblems(where: Record<string, unknown>, type: DetailType, at: string): FieldError[] {
  return patternProblems(where, at, { type, field: (path) => recordField(type, path), fields: () => recordFields(type), what: `A run of ${type}` });
}

/** Where a pattern's fields are looked up: the event's detail, or the run's records. */
interface Fields {
  type: DetailType;
  field(path: string): ConditionField | undefined;
  fields(): readonly ConditionField[];
  /** Who carries the fields, for messages ("DealStageChanged carries no field ..."). */
  what: string;
}

function patternProblems(where: Record<string, unknown>, at: string, fields: Fields): FieldError[] {
  const problems: FieldError[] = [];
  walk(where, '', at, fields, problems);
  return problems.slice(0, MAX_PROBLEMS);
}

/** Past this many problems the walk stops: the answer stays small and the check fast, whatever the pattern. */
export const MAX_PROBLEMS = 50;

/**
 * The exact string values a pattern compares a field with, in every `$or` branch, with the matcher
 * list each stands in. It may be asked about a pattern the compiler refused: it reads no deeper than
 * a pattern may nest.
 */
export function exactValuesAt(where: Record<string, unknown>, field: string, prefix = '', at = 'trigger.where', depth = 1, found: Array<{ at: string; value: string }> = []): Array<{ at: string; value: string }> {
  if (depth > PATTERN_LIMITS.maxDepth) return found;
  for (const [key, value] of Object.entries(where)) {
    if (key === '$or' && Array.isArray(value)) {
      value.forEach((branch, i) => isObject(branch) && exactValuesAt(branch, field, prefix, `${at}.$or.${i}`, depth + 2, found));
      continue;
    }
    const path = prefix ? `${prefix}.${key}` : key;
    if (isObject(value) && field.startsWith(`${path}.`)) exactValuesAt(value, field, path, `${at}.${key}`, depth + 1, found);
    else if (Array.isArray(value) && path === field) value.forEach((v) => typeof v === 'string' && found.push({ at: `${at}.${key}`, value: v }));
  }
  return found;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function walk(node: Record<string, unknown>, prefix: string, at: string, type: Fields, problems: FieldError[]): void {
  for (const [key, value] of Object.entries(node)) {
    if (problems.length >= MAX_PROBLEMS) return;
    if (key === '$or') {
      if (Array.isArray(value)) value.forEach((branch, i) => isObject(branch) && walk(branch, prefix, `${at}.$or.${i}`, type, problems));
      continue;
    }
    const path = prefix ? `${prefix}.${key}` : key;
    const where = `${at}.${key}`;
    const field = type.field(path);
    if (!field) {
      problems.push(unknownPath(type, path, where));
      continue;
    }
    if (isObject(value)) {
      if (field.type !== 'object' && field.type !== 'object[]') problems.push({ path: where, code: 'not_an_object', message: `"${path}" is a ${field.type}, not an object: give its conditions as an array, e.g. ["value"]`, params: { field: path, type: field.type } });
      else walk(value, path, where, type, problems);
    } else if (Array.isArray(value)) {
      if (field.type === 'object' || field.type === 'object[]') problems.push({ path: where, code: 'not_a_value', message: `"${path}" is an object: name one of its fields`, params: { field: path, fields: childrenOf(type, path) } });
      else value.slice(0, MAX_PROBLEMS).forEach((operand, i) => operandProblem(operand, field, `${where}.${i}`, problems));
    }
  }
}

function childrenOf(type: Fields, path: string): string[] {
  return type
    .fields()
    .filter((f) => f.path.startsWith(`${path}.`) && !f.path.slice(path.length + 1).includes('.'))
    .map((f) => f.path);
}

function unknownPath({ fields: all, what, type }: Fields, path: string, where: string): FieldError {
  const fields = all().map((f) => f.path);
  const suggestion = closest(path, fields);
  const top = [...new Set(fields.map((f) => f.split('.')[0]!))];
  const head = path.split('.')[0]!;
  const message = top.includes(head)
    ? `${what} carries no field "${path}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`
    : `${what} carries no "${head}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; conditions can test ${top.join(', ')}`;
  return { path: where, code: 'unknown_path', message, params: { field: path, event: type, ...(suggestion ? { suggestion } : {}), available: top } };
}

const TEXT_OPERATORS = new Set(['prefix', 'suffix', 'wildcard', 'equals-ignore-case']);
const isText = (field: ConditionField) => field.type === 'string' || field.type === 'string[]';
const isNumber = (field: ConditionField) => field.type === 'number' || field.type === 'number[]';

function operandProblem(operand: unknown, field: ConditionField, where: string, problems: FieldError[]): void {
  const mismatch = (what: string) =>
    problems.push({ path: where, code: 'operand_type', message: `"${field.path}" is a ${field.type}; ${what} does not fit it`, params: { field: field.path, type: field.type, operand } });
  if (operand === null) return;
  if (typeof operand === 'string') {
    if (!isText(field)) return void mismatch(`the text "${operand}"`);
    if (field.values && field.values.length > 0 && !field.values.includes(operand)) {
      problems.push({ path: where, code: 'invalid_value', message: `"${operand}" is not a value of ${field.path}; use one of ${field.values.join(', ')}`, params: { field: field.path, value: operand, allowed: field.values } });
    }
    return;
  }
  if (typeof operand === 'number') return void (isNumber(field) ? undefined : mismatch(`the number ${operand}`));
  if (typeof operand === 'boolean') return void (field.type === 'boolean' ? undefined : mismatch(`${operand}`));
  if (!isObject(operand)) return;
  const [operator] = Object.keys(operand);
  if (operator === 'exists' || operator === undefined) return;
  if (TEXT_OPERATORS.has(operator)) return void (isText(field) ? undefined : mismatch(`"${operator}"`));
  if (operator === 'numeric') return void (isNumber(field) ? undefined : mismatch('a numeric range'));
  if (operator === 'cidr') return void mismatch('an IP range (no field of the CRM is an IP address)');
  if (operator === 'anything-but') {
    const inner = operand[operator];
    const values = Array.isArray(inner) ? inner : [inner];
    if (values.some((v) => typeof v === 'string' || isObject(v)) && !isText(field)) return void mismatch('"anything-but" with text');
    if (values.some((v) => typeof v === 'number') && !isNumber(field)) return void mismatch('"anything-but" with a number');
  }
}
