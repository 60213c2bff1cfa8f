import type { RouteImpl } from '../http/types.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { activityRoutes } from './activities-api.ts';
import { automationTriggerRoutes } from './automation-triggers-api.ts';
import { automationRoutes } from './automations-api.ts';
import type { AutomationStore } from '../stores/automation-store.ts';
import type { ExecutionStore } from '../stores/execution-store.ts';
import { birthdayRunRoutes, type BirthdayRunner } from './birthday-runs-api.ts';
import { contactRoutes } from './contacts-api.ts';
import { dealRoutes } from './deals-api.ts';
import { inquiryRoutes } from './inquiries-api.ts';
import { propertyRoutes } from './properties-api.ts';
import { rejectionRoutes } from './rejections-api.ts';
import type { SenderDomains } from '../senders/sender-domains.ts';
import { senderDomainRoutes } from './sender-domains-api.ts';
import { createWaitControl } from '../engine/wake.ts';
import type { Log } from '../log.ts';
import type { WakeScheduler } from '../engine/wake-schedules.ts';
import { API_ROUTES, routeKeyOf, type RouteKey } from './routes.ts';
import { settingsRoutes } from './settings-api.ts';
import { taskRoutes } from './tasks-api.ts';
import { userRoutes } from './users-api.ts';

/** What the API's routes work with. */
export interface ApiServices {
  stores: CrmStores;
  automations: AutomationStore;
  executions: ExecutionStore;
  runBirthdays: BirthdayRunner;
  /** The tenants' sender domains; `PUT /settings` checks the sender and inbound addresses against them. */
  senderDomains: SenderDomains;
  /** The schedules of waiting runs (cancel, resume now, disable); without one, waits cannot be resumed. */
  scheduler?: WakeScheduler;
  /** The clock (the local stack's can be moved by tests). */
  now?: () => Date;
  log?: Log;
}

/** Every route's implementation; fails at start-up if the route table and the implementations disagree. */
export function apiRoutes({ stores, automations, executions, runBirthdays, senderDomains, scheduler, now, log }: ApiServices): Record<RouteKey, RouteImpl> {
  const impls: Record<string, RouteImpl> = {
    ...settingsRoutes(stores, automations, senderDomains),
    ...senderDomainRoutes(senderDomains),
    ...userRoutes(stores),
    ...contactRoutes(stores, executions),
    ...propertyRoutes(stores),
    ...dealRoutes(stores),
    ...activityRoutes(stores),
    ...rejectionRoutes(stores),
    ...taskRoutes(stores),
    ...inquiryRoutes(stores),
    ...birthdayRunRoutes(stores, runBirthdays),
    ...automationTriggerRoutes(stores),
    ...automationRoutes({ stores, automations, executions, waits: createWaitControl({ stores, automations, executions, ...(scheduler ? { scheduler } : {}), ...(now ? { now } : {}), ...(log ? { log } : {}) }) }),
  };
  const declared = new Set<string>(API_ROUTES.map(routeKeyOf));
  const missing = [...declared].filter((key) => !impls[key]);
  const extra = Object.keys(impls).filter((key) => !declared.has(key));
  if (missing.length || extra.length) throw new Error(`Route table mismatch; missing: ${missing.join(', ')}; undeclared: ${extra.join(', ')}`);
  return impls as Record<RouteKey, RouteImpl>;
}
