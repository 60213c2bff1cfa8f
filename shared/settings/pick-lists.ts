import * as z from 'zod';
import { ValidationError, type FieldError } from '../errors.ts';
import { Id } from '../model/common.ts';

/**
 * Pick-lists: the values a tenant allows for deal stages (per pipeline), activity categories (per
 * activity type), Absage reasons, and contact and property statuses. CRM writes are checked against
 * them and stored in the list's spelling, so an automation's pattern (which EventBridge compares
 * case-sensitively) always sees the spelling it was written with.
 */

export const PICK_LIST_NAMES = ['dealStages', 'activityCategories', 'rejectionReasons', 'contactStatuses', 'propertyStatuses'] as const;
export type PickListName = (typeof PICK_LIST_NAMES)[number];

/** The activity types, each with its own category list (the same as the activity model's types). */
export const CATEGORY_TYPES = ['appointment', 'note', 'call', 'email', 'letter'] as const;
export type CategoryType = (typeof CATEGORY_TYPES)[number];

export const DEFAULT_PIPELINE_ID = 'default';
export const MAX_LIST_VALUES = 100;
export const MAX_PIPELINES = 10;
/** Keeps the settings item far below DynamoDB's 400 KB, whatever the lists hold. */
export const MAX_PICK_LISTS_BYTES = 100_000;

/** Control characters and line or paragraph separators never belong in a pick-list value. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** One value: NFC, trimmed, non-empty, single-line, at most `max` characters. */
const PickValue = (max: number) =>
  z
    .string()
    .refine((s) => !CONTROL.test(s.trim()), 'Must be a single line without control characters')
    .transform((s) => s.normalize('NFC').trim())
    .pipe(z.string().min(1).max(max));

/**
 * The comparison key of a value: NFC, trimmed, inner white space as one space, lower case. Two
 * values with the same key are the same value.
 */
export function foldValue(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** A zod issue with a stable code of its own (`parseOrThrow` reports `params.code` as the field's code). */
const issue = (ctx: z.RefinementCtx, path: PropertyKey[], code: string, message: string, params: Record<string, unknown>) =>
  ctx.addIssue({ code: 'custom', path, message, params: { code, ...params } });

function uniqueValues(values: string[], ctx: z.RefinementCtx) {
  const seen = new Map<string, string>();
  values.forEach((value, i) => {
    const first = seen.get(foldValue(value));
    if (first !== undefined) issue(ctx, [i], 'duplicate_value', `Repeats "${first}" (differs only in case or spaces)`, { value, duplicateOf: first });
    else seen.set(foldValue(value), value);
  });
}

/** A list: its length is checked before its values, so 10,000 bad values give one error, not 10,000. */
const ValueList = (maxLength: number, minValues: number) =>
  z
    .array(z.unknown())
    .min(minValues)
    .max(MAX_LIST_VALUES)
    .pipe(z.array(PickValue(maxLength)))
    .superRefine(uniqueValues);

const Stages = ValueList(60, 1);

/** Pipelines by id, each with its ordered stages; the pipeline `default` must exist. */
const DealStages = z
  .unknown()
  // Checked on the raw body: parsing a record would drop the key silently.
  .refine((r) => typeof r !== 'object' || r === null || !Object.hasOwn(r, '__proto__'), { message: 'Not a pipeline id', path: ['__proto__'] })
  .pipe(z.record(z.string(), z.unknown()))
  .refine((r) => Object.keys(r).length <= MAX_PIPELINES, { message: `At most ${MAX_PIPELINES} pipelines` })
  .pipe(z.record(Id, Stages))
  .superRefine((pipelines, ctx) => {
    if (!pipelines[DEFAULT_PIPELINE_ID]) issue(ctx, [DEFAULT_PIPELINE_ID], 'required', 'The pipeline "default" is required', {});
    const seen = new Map<string, string>();
    for (const id of Object.keys(pipelines)) {
      const first = seen.get(id.toLowerCase());
      if (first !== undefined) issue(ctx, [id], 'duplicate_value', `Repeats the pipeline "${first}"`, { value: id, duplicateOf: first });
      else seen.set(id.toLowerCase(), id);
    }
  })
  .transform((pipelines) => pipelines as Record<string, string[]> & { [DEFAULT_PIPELINE_ID]: string[] });

const ActivityCategories = z.strictObject(Object.fromEntries(CATEGORY_TYPES.map((t) => [t, ValueList(60, 0)])) as Record<CategoryType, ReturnType<typeof ValueList>>);

/** Every pick-list of a tenant. Lists that may be empty leave the field they govern unset. */
export const PickLists = z.strictObject({
  dealStages: DealStages,
  activityCategories: ActivityCategories,
  rejectionReasons: ValueList(200, 1),
  contactStatuses: ValueList(60, 0),
  propertyStatuses: ValueList(60, 0),
});
export type PickLists = z.output<typeof PickLists>;

/**
 * What `PUT /settings` takes: each list named replaces the stored list; lists left out stay.
 * `dealStages` is replaced as a whole (a pipeline left out is removed); `activityCategories` per
 * activity type (types left out keep their categories).
 */
export const PickListsPatch = z.strictObject({
  dealStages: DealStages.optional(),
  activityCategories: ActivityCategories.partial().optional(),
  rejectionReasons: ValueList(200, 1).optional(),
  contactStatuses: ValueList(60, 0).optional(),
  propertyStatuses: ValueList(60, 0).optional(),
});
export type PickListsPatch = z.output<typeof PickListsPatch>;

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
};

/** The lists of a tenant that never chose its own: a German estate agency's. */
export const DEFAULT_PICK_LISTS: PickLists = deepFreeze({
  dealStages: {
    default: ['Anfrage', 'Besichtigung', 'Verhandlung', 'Reserviert', 'Notartermin', 'Verkauft', 'Abgesagt'],
    vermietung: ['Anfrage', 'Besichtigung', 'Bewerbung', 'Mietvertrag', 'Vermietet', 'Abgesagt'],
  },
  activityCategories: {
    appointment: ['Besichtigung', 'Beratung', 'Bewertung', 'Notartermin', 'Übergabe'],
    note: ['Allgemein', 'Objekt archivieren', 'Finanzierung', 'Rückruf'],
    call: ['Eingehend', 'Ausgehend'],
    email: ['Eingehend', 'Ausgehend'],
    letter: ['Eingehend', 'Ausgehend'],
  },
  rejectionReasons: ['Kein Kontakt mehr gewünscht', 'Objekt passt nicht', 'Preis zu hoch', 'Lage passt nicht', 'Finanzierung nicht möglich', 'Anderes Objekt gefunden', 'Sonstiges'],
  contactStatuses: ['Interessent', 'Kunde', 'Eigentümer', 'Tippgeber', 'Inaktiv'],
  propertyStatuses: ['Akquise', 'In Vorbereitung', 'Vermarktung', 'Reserviert', 'Verkauft', 'Vermietet', 'Archiviert'],
});

/** Stored lists completed with the defaults for any list they lack (settings saved before pick-lists existed). */
export function withDefaultLists(stored: Partial<PickLists> | undefined): PickLists {
  if (!stored) return DEFAULT_PICK_LISTS;
  return { ...DEFAULT_PICK_LISTS, ...stored, activityCategories: { ...DEFAULT_PICK_LISTS.activityCategories, ...stored.activityCategories } };
}

/** Applies a `PUT /settings` patch to the stored lists (see `PickListsPatch`). */
export function mergePickLists(current: PickLists, patch: PickListsPatch | undefined): PickLists {
  if (!patch) return current;
  return {
    dealStages: patch.dealStages ?? current.dealStages,
    activityCategories: { ...current.activityCategories, ...patch.activityCategories },
    rejectionReasons: patch.rejectionReasons ?? current.rejectionReasons,
    contactStatuses: patch.contactStatuses ?? current.contactStatuses,
    propertyStatuses: patch.propertyStatuses ?? current.propertyStatuses,
  };
}

/** Refuses lists whose stored form would exceed `MAX_PICK_LISTS_BYTES`. */
export function assertPickListsSize(lists: PickLists): void {
  const bytes = Buffer.byteLength(JSON.stringify(lists), 'utf8');
  if (bytes > MAX_PICK_LISTS_BYTES) {
    throw new ValidationError('The pick-lists are too large', [
      { path: 'pickLists', code: 'too_big', message: `At most ${MAX_PICK_LISTS_BYTES} bytes in all (these are ${bytes})`, params: { maximum: MAX_PICK_LISTS_BYTES, origin: 'bytes' } },
    ]);
  }
}

/** The stages of a pipeline (an own key only: `constructor` is no pipeline unless the tenant made one). */
export function stagesOf(lists: PickLists, pipelineId: string): string[] | undefined {
  return Object.hasOwn(lists.dealStages, pipelineId) ? lists.dealStages[pipelineId] : undefined;
}

/** The keys of a keyed list (pipeline ids, activity types); undefined for a plain list. */
export function keysOf(lists: PickLists, list: PickListName): string[] | undefined {
  const value = lists[list];
  return Array.isArray(value) ? undefined : Object.keys(value);
}

/**
 * The values allowed in `list`: for a keyed list, those of the given keys (unknown keys add
 * nothing), or of every key when `keys` is absent.
 */
export function allowedValues(lists: PickLists, list: PickListName, keys?: readonly string[]): string[] {
  const value = lists[list];
  if (Array.isArray(value)) return value;
  const map = value as Record<string, string[]>;
  const chosen = keys ?? Object.keys(map);
  return [...new Set(chosen.flatMap((key) => (Object.hasOwn(map, key) ? map[key]! : [])))];
}

/** The list's own spelling of `value`, matched case-insensitively and ignoring outer white space; undefined when absent. */
export function canonicalValue(allowed: readonly string[], value: string): string | undefined {
  const key = foldValue(value);
  return allowed.find((candidate) => foldValue(candidate) === key);
}

/** Where a value is checked: the body field, the list, and the key of a keyed list. */
export interface PickListRef {
  path: string;
  list: PickListName;
  key?: string;
}

const SHOWN = 12;

/** The `not_in_pick_list` error for a value (every allowed value is in `params.allowed`). */
export function notInPickList(ref: PickListRef, allowed: readonly string[], value: string, extra: Record<string, unknown> = {}): FieldError {
  const shown = allowed.slice(0, SHOWN).map((v) => `"${v}"`).join(', ') + (allowed.length > SHOWN ? ` and ${allowed.length - SHOWN} more` : '');
  const where = ref.key === undefined ? ref.list : `${ref.list}.${ref.key}`;
  return {
    path: ref.path,
    code: 'not_in_pick_list',
    message: allowed.length ? `Not one of ${shown} (pick-list ${where})` : `The pick-list ${where} is empty: leave the field out`,
    params: { list: ref.list, ...(ref.key === undefined ? {} : { key: ref.key }), allowed: [...allowed], value, ...extra },
  };
}

/**
 * Collects the pick-list checks of one request, so a single 400 names every failing field.
 * `value` returns the list's spelling (null and undefined pass through: they set nothing).
 */
export class PickListCheck {
  readonly errors: FieldError[] = [];

  value<V extends string | null | undefined>(allowed: readonly string[], value: V, ref: PickListRef): V {
    if (typeof value !== 'string') return value;
    const canonical = canonicalValue(allowed, value);
    if (canonical === undefined) this.errors.push(notInPickList(ref, allowed, value));
    return (canonical ?? value) as V;
  }

  fail(error: FieldError): void {
    this.errors.push(error);
  }

  /** Throws one ValidationError naming every failed field, if any failed. */
  done(): void {
    if (this.errors.length) throw new ValidationError('The request has values that are not in the pick-lists', this.errors);
  }
}

/** Checks one value and returns the list's spelling, or throws a 400 `not_in_pick_list`. */
export function requirePickValue(allowed: readonly string[], value: string, ref: PickListRef): string {
  const check = new PickListCheck();
  const canonical = check.value(allowed, value, ref);
  check.done();
  return canonical;
}
