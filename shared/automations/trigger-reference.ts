import { CURRENT_FIXTURES } from '#events/fixtures';
import { describeFields, findField, valueAt, type FieldSpec } from '#events/fields';
import { DETAIL_TYPES, ENTITIES, PICK_LIST_FIELDS, TRIGGERS, type DetailType, type EntityName, type PickListField } from '#events/registry';

/**
 * What the registry means for authors, derived once per trigger: the fields a condition may test,
 * the variables a template may print, with their types, pick-lists and an example from the
 * trigger's fixture. The save-time checks, `GET /automation-triggers` and the README read this.
 */

export interface ConditionField extends FieldSpec {
  pickList?: PickListField;
  example?: unknown;
  description?: string;
}

export interface TemplateVariable extends FieldSpec {
  example?: unknown;
}

/** Fields of the detail every event carries that a condition may test (tenant and key are never worth testing). */
const BASE_FIELDS: ConditionField[] = [
  { path: 'occurredAt', type: 'string', format: 'datetime', description: 'When the change happened' },
  { path: 'causedBy', type: 'object', description: 'Present when an automation made the change' },
  { path: 'causedBy.automationId', type: 'string', description: 'The automation whose action made the change' },
  { path: 'causedBy.executionId', type: 'string' },
  { path: 'causedBy.depth', type: 'number', description: 'How many automations led to this change' },
];

const TENANT_VARIABLES: FieldSpec[] = [
  { path: 'name', type: 'string' },
  { path: 'senderAddress', type: 'string' },
  { path: 'timeZone', type: 'string' },
];

const entityFields = new Map<EntityName, FieldSpec[]>(Object.entries(ENTITIES).map(([name, e]) => [name as EntityName, describeFields(e.schema)]));
const fieldsOf = (entity: EntityName) => entityFields.get(entity)!;

/** Entity fields under a prefix, with the pick-list of each where the entity has one. */
function entityConditionFields(entity: EntityName, prefix: string): ConditionField[] {
  return fieldsOf(entity).map((f) => {
    const pickList = PICK_LIST_FIELDS[entity]?.[f.path];
    return { ...f, path: `${prefix}.${f.path}`, ...(pickList ? { pickList } : {}) };
  });
}

function buildConditionFields(type: DetailType): ConditionField[] {
  const descriptor = TRIGGERS[type];
  const fixture = CURRENT_FIXTURES[type];
  const fields: ConditionField[] = [...BASE_FIELDS, { path: descriptor.subject, type: 'object' }, ...entityConditionFields(descriptor.subject, descriptor.subject)];
  for (const [name, field] of Object.entries(descriptor.eventFields)) {
    const { previousOf, ...spec } = field;
    fields.push({ path: name, ...spec });
    if (previousOf) fields.push(...entityConditionFields(previousOf, name));
  }
  return fields.map((f) => {
    const example = f.type === 'object' ? undefined : valueAt(fixture, f.path);
    return example === undefined ? f : { ...f, example };
  });
}

/** Template variables per namespace: the run's entities, the tenant and the event's own fields. */
function buildTemplateVariables(type: DetailType): Record<string, TemplateVariable[]> {
  const descriptor = TRIGGERS[type];
  const fixture = CURRENT_FIXTURES[type];
  const namespaces: Record<string, TemplateVariable[]> = {};
  for (const entity of Object.keys(descriptor.entities) as EntityName[]) {
    namespaces[entity] = fieldsOf(entity).map((f) => {
      const example = entity === descriptor.subject && f.type !== 'object' ? valueAt(fixture, `${entity}.${f.path}`) : undefined;
      return example === undefined ? f : { ...f, example };
    });
  }
  namespaces.tenant = TENANT_VARIABLES;
  namespaces.event = [
    { path: 'occurredAt', type: 'string', format: 'datetime', example: fixture.occurredAt },
    ...Object.entries(descriptor.eventFields)
      .filter(([, f]) => !f.previousOf)
      .map(([name, { description: _d, pickList: _p, ...spec }]) => ({ path: name, ...spec, ...(fixture[name] !== undefined ? { example: fixture[name] } : {}) })),
  ];
  return namespaces;
}

/** The run's records as a wait's `while` condition and `until` field see them: each entity's fields under its name. */
function buildRecordFields(type: DetailType): ConditionField[] {
  return (Object.keys(TRIGGERS[type].entities) as EntityName[]).flatMap((entity) => [{ path: entity, type: 'object' as const }, ...entityConditionFields(entity, entity)]);
}

const CONDITIONS = new Map(DETAIL_TYPES.map((t) => [t, buildConditionFields(t)]));
const RECORDS = new Map(DETAIL_TYPES.map((t) => [t, buildRecordFields(t)]));

/** Every field of the run's records (`deal.stage`, `activity.startsAt`) a wait may test or follow. */
export const recordFields = (type: DetailType): readonly ConditionField[] => RECORDS.get(type)!;
/** The dates of the run's records a wait can follow (`until.field`). */
export const waitDates = (type: DetailType): readonly ConditionField[] => recordFields(type).filter((f) => f.format !== undefined);
export const recordField = (type: DetailType, path: string): ConditionField | undefined => findField(recordFields(type), path) as ConditionField | undefined;
const VARIABLES = new Map(DETAIL_TYPES.map((t) => [t, buildTemplateVariables(t)]));

/** Every field a condition (`trigger.where`) of the trigger may test. */
export const conditionFields = (type: DetailType): readonly ConditionField[] => CONDITIONS.get(type)!;

/** The condition field at a path of the trigger's detail, if there is one. */
export const conditionField = (type: DetailType, path: string): ConditionField | undefined => findField(conditionFields(type), path) as ConditionField | undefined;

/** Every template variable of the trigger, by namespace (`contact`, `property`, ..., `tenant`, `event`). */
export const templateVariables = (type: DetailType): Readonly<Record<string, readonly TemplateVariable[]>> => VARIABLES.get(type)!;

/** The namespaces (entities) a trigger's runs provide. */
export const entitiesOf = (type: DetailType): EntityName[] => Object.keys(TRIGGERS[type].entities) as EntityName[];

/** What a template of the trigger may name, as the template check takes it. */
export function templateScope(type: DetailType): { fields: Record<string, ReadonlySet<string>>; persons: ReadonlySet<string> } {
  const fields: Record<string, ReadonlySet<string>> = {};
  for (const [namespace, variables] of Object.entries(templateVariables(type))) fields[namespace] = new Set(variables.map((v) => v.path));
  return { fields, persons: new Set(['contact', 'owner', 'contactPerson'].filter((p) => p in fields)) };
}

/** Which pick-list a field of the run's records (a wait's `while`) takes its values from. */
export const recordPickListOf = (type: string, path: string): PickListField | undefined =>
  (DETAIL_TYPES as string[]).includes(type) ? recordField(type as DetailType, path)?.pickList : undefined;

/** Which pick-list a condition field takes its values from. */
export const pickListOf = (type: string, path: string): PickListField | undefined =>
  (DETAIL_TYPES as string[]).includes(type) ? conditionField(type as DetailType, path)?.pickList : undefined;
