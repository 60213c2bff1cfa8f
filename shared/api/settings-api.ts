import { TenantSettingsPut } from '../model/tenant.ts';
import type { RouteImpl } from '../http/types.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { body, ok } from './helpers.ts';

export function settingsRoutes({ settings }: CrmStores): Record<string, RouteImpl> {
  return {
    'GET /settings': async ({ principal: { tenantId } }) => ok(await settings.get(tenantId)),
    'PUT /settings': async ({ principal: { tenantId }, body: raw }) => ok(await settings.put(tenantId, body(TenantSettingsPut, raw))),
  };
}
