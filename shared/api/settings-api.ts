import { recordPickListOf } from '../automations/trigger-reference.ts';
import { pickListValuesUsed, removedValuesInUse, type AutomationUses, type PickListResolver } from '../automations/pick-list-usage.ts';
import { ConflictError } from '../errors.ts';
import type { RouteImpl } from '../http/types.ts';
import { TenantSettingsPut } from '../model/tenant.ts';
import { defaultPickListResolver } from '../settings/pick-list-fields.ts';
import { allowedValues, PICK_LIST_NAMES, type PickLists } from '../settings/pick-lists.ts';
import type { AutomationStore } from '../stores/automation-store.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { assertOwnAddresses } from '../senders/address-rules.ts';
import type { SenderDomains } from '../senders/sender-domains.ts';
import { body, ok } from './helpers.ts';

/** Whether `next` lacks a value (exactly as spelled) that `previous` has, in any list or sub-list. */
function removesAny(previous: PickLists, next: PickLists): boolean {
  return PICK_LIST_NAMES.some((list) => {
    const prev = previous[list];
    const keys = Array.isArray(prev) ? [undefined] : Object.keys(prev);
    return keys.some((key) => {
      const had = allowedValues(previous, list, key === undefined ? undefined : [key]);
      const has = new Set(allowedValues(next, list, key === undefined ? undefined : [key]));
      return had.some((value) => !has.has(value));
    });
  });
}

/** The tenant's enabled automations with the pick-list values they use. */
async function enabledUses(automations: Pick<AutomationStore, 'every'>, tenantId: string, resolve: PickListResolver): Promise<AutomationUses[]> {
  const enabled = await automations.every(tenantId, (a) => a.enabled);
  return enabled.map((a) => ({ id: a.id, name: a.name, uses: pickListValuesUsed(a, resolve, recordPickListOf) }));
}

/**
 * `GET /settings` answers the stored settings, or the defaults (pick-lists included) for a tenant
 * that never saved any. `PUT /settings` replaces them; the sender address must be on a verified
 * sender domain of the tenant and each inbound address on one or the tenant's own platform address
 * (`assertOwnAddresses`, 400); a change of the pick-lists that removes or
 * renames a value an enabled automation uses is a 409 `pick_list_value_in_use` naming the
 * automations (disable or change them first). Automations are read only when a value goes away.
 */
export function settingsRoutes(
  { settings }: CrmStores,
  automations: Pick<AutomationStore, 'every'>,
  senderDomains: Pick<SenderDomains, 'statusOf' | 'platformInboundDomain'>,
  resolve: PickListResolver = defaultPickListResolver,
): Record<string, RouteImpl> {
  async function refuseRemovingUsedValues(tenantId: string, next: PickLists, previous: PickLists): Promise<void> {
    if (!removesAny(previous, next)) return;
    const fields = removedValuesInUse(await enabledUses(automations, tenantId, resolve), previous, next);
    if (fields.length) {
      throw new ConflictError('pick_list_value_in_use', 'Enabled automations use values this change removes; disable or change them first', fields);
    }
  }

  return {
    'GET /settings': async ({ principal: { tenantId } }) => ok(await settings.get(tenantId)),
    // Every user of the tenant builds pickers from the lists; the rest of the settings stays with admins.
    'GET /pick-lists': async ({ principal: { tenantId } }) => ok((await settings.get(tenantId)).pickLists),
    'PUT /settings': async ({ principal: { tenantId }, body: raw }) => {
      const input = body(TenantSettingsPut, raw);
      await assertOwnAddresses(senderDomains, tenantId, input);
      return ok(await settings.put(tenantId, input, { checkPickLists: (next, previous) => refuseRemovingUsedValues(tenantId, next, previous) }));
    },
  };
}
