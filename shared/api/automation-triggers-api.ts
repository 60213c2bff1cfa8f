
import { DETAIL_TYPES, ENTITIES, FAMILIES, TRIGGERS } from '#events/registry';
import { PRESETS, presetParamsSchema } from '../automations/presets.ts';
import { TEMPLATE_HELPERS } from '../automations/templates.ts';
import { conditionFields, entitiesOf, recordFields, templateVariables, waitDates, type ConditionField } from '../automations/trigger-reference.ts';
import type { RouteImpl } from '../http/types.ts';
import { allowedValues, keysOf, type PickLists } from '../settings/pick-lists.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { ok } from './helpers.ts';

/** A condition field with the tenant's allowed values where it takes them from a pick-list. */
function withAllowed(field: ConditionField, pickLists: PickLists) {
  if (!field.pickList) return field;
  const { list, keyPath } = field.pickList;
  const keys = keysOf(pickLists, list);
  return {
    ...field,
    pickList: {
      list,
      ...(keyPath ? { keyPath } : {}),
      allowed: allowedValues(pickLists, list),
      ...(keys ? { allowedByKey: Object.fromEntries(keys.map((key) => [key, allowedValues(pickLists, list, [key])])) } : {}),
    },
  };
}

/** The trigger reference as the API serves it: everything an author may use, per trigger. */
export function triggerReference(pickLists: PickLists) {
  return DETAIL_TYPES.map((event) => {
    const descriptor = TRIGGERS[event];
    return {
      event,
      label: descriptor.label,
      description: descriptor.description,
      source: FAMILIES[descriptor.family].source,
      subject: descriptor.subject,
      entities: entitiesOf(event).map((name) => ({ name, label: ENTITIES[name].label })),
      conditionFields: conditionFields(event).map((field) => withAllowed(field, pickLists)),
      templateVariables: templateVariables(event),
      /** What a wait step may follow (`until.field`) and test on waking (`while`): the run's records. */
      waitDates: waitDates(event).map((f) => f.path),
      recordFields: recordFields(event).map((field) => withAllowed(field, pickLists)),
    };
  });
}

export function automationTriggerRoutes({ settings }: CrmStores): Record<string, RouteImpl> {
  return {
    'GET /automation-triggers': async ({ principal: { tenantId } }) => {
      const { pickLists } = await settings.get(tenantId);
      return ok({ items: triggerReference(pickLists), helpers: TEMPLATE_HELPERS });
    },
    'GET /automation-presets': async () =>
      ok({
        items: PRESETS.map((p) => ({
          key: p.key,
          name: p.name,
          description: p.description,
          params: presetParamsSchema(p),
          definition: p.build(p.params.parse({}) as Record<string, unknown>),
        })),
      }),
  };
}
