import type { Operator } from './labels.ts';
import type { FieldRef } from './reference.ts';

/**
 * Conditions as rows (field, operator, values) and the EventBridge pattern they stand for. The
 * rows cover the common cases: `["a", "b"]`, `[{"anything-but": [...]}]`, `[{"prefix": "x"}]`,
 * `[{"exists": true}]` on one field each; any other pattern (`$or`, numeric ranges, suffixes,
 * several operators on one field) is edited as JSON.
 */

export interface ConditionRow {
  /** Stable key for rendering. */
  key: number;
  field: string;
  op: Operator;
  /** The chosen values (multi-select) or the typed ones (free text, comma-separated). */
  values: string[];
  text: string;
}

export interface Conditions {
  mode: 'rows' | 'json';
  rows: ConditionRow[];
  json: string;
  /** Set when the stored pattern cannot be shown as rows. */
  jsonOnly?: boolean;
}

/** A local problem of the form, shaped like the API's (`path` as the API would name it). */
export interface LocalProblem {
  path: string;
  code: string;
  message: string;
  params?: Record<string, unknown>;
}

/** A pattern as JSON to read: objects one key a line, the conditions of a field on one line (`"toStage": ["Reserviert", {"prefix": "No"}]`). */
export function prettyJson(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  const primitive = (v: unknown) => v === null || typeof v !== 'object';
  const leafy = (v: unknown) => primitive(v) || (Array.isArray(v) ? v.every(primitive) : Object.values(v as object).every((x) => primitive(x) || (Array.isArray(x) && x.every(primitive))));
  const inline = (v: unknown): string =>
    Array.isArray(v) ? `[${v.map(inline).join(', ')}]` : v && typeof v === 'object' ? `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`).join(', ')}}` : JSON.stringify(v);
  if (Array.isArray(value)) {
    if (value.every(leafy)) return inline(value);
    return `[\n${value.map((v) => inner + prettyJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${prettyJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

let nextKey = 1;
export const newKey = () => nextKey++;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPrimitive = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** Whether a field's values are chosen from a list (pick-list, enum, yes/no) rather than typed. */
export function choicesOf(field: FieldRef | undefined): string[] | undefined {
  if (!field) return undefined;
  if (field.pickList) return field.pickList.allowed;
  if (field.values?.length) return field.values.map(String);
  if (field.type === 'boolean') return ['true', 'false'];
  return undefined;
}

const isNumeric = (field: FieldRef | undefined) => field?.type === 'number' || field?.type === 'number[]';
const isBoolean = (field: FieldRef | undefined) => field?.type === 'boolean';

/** Splits free text into values: "a, b" → ["a", "b"]. */
export const splitValues = (text: string) =>
  text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');

function rowOf(path: string, leaf: unknown[], fields: Map<string, FieldRef>): ConditionRow | undefined {
  const field = fields.get(path);
  const choices = choicesOf(field);
  const asRow = (op: Operator, values: Array<string | number | boolean>): ConditionRow | undefined => {
    const strings = values.map(String);
    // Free text is comma-separated: a value with a comma only fits the JSON.
    if (!choices && op !== 'prefix' && strings.some((s) => s.includes(',') || s.trim() !== s || s === '')) return undefined;
    const chosen = Boolean(choices) && op !== 'prefix';
    return { key: newKey(), field: path, op, values: chosen ? strings : [], text: chosen ? '' : strings.join(', ') };
  };
  if (leaf.length === 0) return undefined;
  if (leaf.every(isPrimitive)) return asRow('in', leaf);
  if (leaf.length !== 1 || !isObject(leaf[0])) return undefined;
  const operator = leaf[0];
  const keys = Object.keys(operator);
  if (keys.length !== 1) return undefined;
  const value = operator[keys[0]!];
  switch (keys[0]) {
    case 'anything-but':
      if (isPrimitive(value)) return asRow('not', [value]);
      if (Array.isArray(value) && value.length > 0 && value.every(isPrimitive)) return asRow('not', value);
      return undefined;
    case 'prefix':
      return typeof value === 'string' && value !== '' ? asRow('prefix', [value]) : undefined;
    case 'exists':
      return value === true ? { key: newKey(), field: path, op: 'exists', values: [], text: '' } : undefined;
    default:
      return undefined;
  }
}

/** The rows a pattern is made of, or undefined when it has more than rows can say. */
export function patternToRows(pattern: Record<string, unknown> | undefined, fieldList: readonly FieldRef[]): ConditionRow[] | undefined {
  if (!pattern) return [];
  const fields = new Map(fieldList.map((f) => [f.path, f]));
  const rows: ConditionRow[] = [];
  const walk = (node: Record<string, unknown>, prefix: string): boolean => {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('$') || key.includes('.')) return false;
      const path = prefix ? `${prefix}.${key}` : key;
      if (isObject(value)) {
        if (Object.keys(value).length === 0 || !walk(value, path)) return false;
      } else if (Array.isArray(value)) {
        const row = rowOf(path, value, fields);
        if (!row) return false;
        rows.push(row);
      } else {
        return false;
      }
    }
    return true;
  };
  return walk(pattern, '') ? rows : undefined;
}

/** The conditions of a stored pattern: rows where they can say it, else the JSON only. */
export function conditionsOf(pattern: Record<string, unknown> | undefined, fields: readonly FieldRef[]): Conditions {
  const json = pattern ? prettyJson(pattern) : '';
  const rows = patternToRows(pattern, fields);
  return rows ? { mode: 'rows', rows, json } : { mode: 'json', rows: [], json, jsonOnly: true };
}

function typed(value: string, field: FieldRef | undefined): string | number | boolean {
  if (isBoolean(field)) return value === 'true';
  if (isNumeric(field)) return Number(value);
  return value;
}

/** The pattern the rows stand for, with the rows' own problems (no field, no value, no number). */
export function rowsToPattern(rows: readonly ConditionRow[], fieldList: readonly FieldRef[]): { pattern?: Record<string, unknown>; problems: LocalProblem[] } {
  const fields = new Map(fieldList.map((f) => [f.path, f]));
  const problems: LocalProblem[] = [];
  const pattern: Record<string, unknown> = {};
  rows.forEach((row, index) => {
    const at = `trigger.where.#${index}`;
    if (!row.field) {
      problems.push({ path: `${at}.field`, code: 'choose_field', message: 'Choose a field' });
      return;
    }
    const field = fields.get(row.field);
    const choices = choicesOf(field);
    let leaf: unknown[];
    if (row.op === 'exists') {
      leaf = [{ exists: true }];
    } else if (row.op === 'prefix') {
      const text = row.text.trim();
      if (!text) {
        problems.push({ path: `${at}.values`, code: 'choose_value', message: 'Give a value' });
        return;
      }
      leaf = [{ prefix: text }];
    } else {
      const raw = choices ? row.values : splitValues(row.text);
      if (raw.length === 0) {
        problems.push({ path: `${at}.values`, code: 'choose_value', message: 'Give at least one value' });
        return;
      }
      const bad = isNumeric(field) ? raw.find((v) => !Number.isFinite(Number(v))) : undefined;
      if (bad !== undefined) {
        problems.push({ path: `${at}.values`, code: 'not_a_number', message: `${bad} is not a number`, params: { value: bad } });
        return;
      }
      const values = raw.map((v) => typed(v, field));
      leaf = row.op === 'in' ? values : [{ 'anything-but': values.length === 1 ? values[0] : values }];
    }
    const parts = row.field.split('.');
    let node = pattern;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (Array.isArray(next)) {
        problems.push({ path: `${at}.field`, code: 'field_twice', message: 'The field has a condition already', params: { field: row.field } });
        return;
      }
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
    const last = parts[parts.length - 1]!;
    if (last in node) {
      problems.push({ path: `${at}.field`, code: 'field_twice', message: 'The field has a condition already', params: { field: row.field } });
      return;
    }
    node[last] = leaf;
  });
  return { ...(Object.keys(pattern).length ? { pattern } : {}), problems };
}

/** The pattern written as JSON, or its problem. */
export function jsonToPattern(text: string): { pattern?: Record<string, unknown>; problem?: LocalProblem } {
  if (!text.trim()) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!isObject(parsed)) return { problem: { path: 'trigger.where', code: 'json_not_object', message: 'The condition must be a JSON object' } };
    return Object.keys(parsed).length ? { pattern: parsed } : {};
  } catch (error) {
    return { problem: { path: 'trigger.where', code: 'invalid_json', message: (error as Error).message, params: { reason: (error as Error).message } } };
  }
}

/** The condition fields a row may choose: every leaf field of the trigger (objects are not values). */
export const rowFields = (fields: readonly FieldRef[]) => fields.filter((f) => f.type !== 'object');
