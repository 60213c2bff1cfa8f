import { DETAIL_SCHEMAS, SCHEMA_VERSION } from '#events/catalogue';
import { buildContext } from '../engine/context.ts';
import { prepareAction } from '../engine/actions/index.ts';
import type { ActionDeps } from '../engine/actions/types.ts';
import { describe } from '../engine/errors.ts';
import { matches } from '../engine/engine.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { flattenEvent } from '../patterns/match.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import type { Automation, TriggerEvent } from './model.ts';

/** Which entity a dry run loads for each trigger when given an id instead of an event. */
const ENTITY_OF: Record<TriggerEvent, keyof CrmStores & ('contacts' | 'deals' | 'activities' | 'rejections' | 'inquiries')> = {
  ContactCreated: 'contacts',
  ContactUpdated: 'contacts',
  ContactBirthday: 'contacts',
  DealCreated: 'deals',
  DealStageChanged: 'deals',
  ActivityCreated: 'activities',
  RejectionCreated: 'rejections',
  InquiryReceived: 'inquiries',
};
const KEY_OF = { contacts: 'contact', deals: 'deal', activities: 'activity', rejections: 'rejection', inquiries: 'inquiry' } as const;

/** The detail an event of the trigger's type would carry for an entity as it is now. */
async function detailFor(automation: Automation, stores: CrmStores, entityId: string, now: Date): Promise<Record<string, unknown>> {
  const storeName = ENTITY_OF[automation.trigger.event];
  const entity = (await stores[storeName].get(automation.tenantId, entityId)) as Record<string, any> | undefined;
  if (!entity) throw new NotFoundError(`No ${KEY_OF[storeName]} with id ${entityId}`);
  const base = { tenantId: automation.tenantId, schemaVersion: SCHEMA_VERSION, occurredAt: now.toISOString(), eventKey: `dry-run#${entityId}`, [KEY_OF[storeName]]: entity };
  switch (automation.trigger.event) {
    case 'ContactUpdated':
      return { ...base, changedFields: ['status'] };
    case 'ContactBirthday': {
      const date = now.toISOString().slice(0, 10);
      const age = /^\d{4}/.test(entity.birthday ?? '') ? Number(date.slice(0, 4)) - Number(entity.birthday.slice(0, 4)) : undefined;
      return { ...base, date, ...(age !== undefined ? { age } : {}) };
    }
    case 'DealStageChanged':
      return { ...base, fromStage: entity.stage, toStage: entity.stage };
    default:
      return base;
  }
}

/**
 * `POST /automations/{id}/test`: evaluates the trigger against an event detail (or the detail an
 * entity would produce) and renders every action, without any side effect.
 */
export async function dryRun(
  automation: Automation,
  input: { event?: Record<string, unknown>; entityId?: string },
  deps: ActionDeps,
): Promise<Record<string, unknown>> {
  const now = deps.now();
  const raw = input.event ? { schemaVersion: SCHEMA_VERSION, occurredAt: now.toISOString(), eventKey: 'dry-run', ...input.event, tenantId: automation.tenantId } : await detailFor(automation, deps.stores, input.entityId!, now);
  const parsed = DETAIL_SCHEMAS[automation.trigger.event].safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError(`The event is not a valid ${automation.trigger.event} detail`, parsed.error.issues.map((i) => ({ path: ['event', ...i.path.map(String)].join('.'), message: i.message })));
  }
  const detail = parsed.data as Record<string, any>;
  const matched = matches(automation, flattenEvent(detail));
  const ctx = await buildContext(deps.stores, automation.trigger.event, detail, { automationId: automation.id, automationName: automation.name, executionId: 'dry-run' });
  const actions = [];
  for (const [index, action] of automation.actions.entries()) {
    try {
      const prepared = await prepareAction(action, ctx, { executionId: 'dry-run', index }, deps);
      actions.push({ index, type: action.type, outcome: 'would run', preview: prepared.preview });
    } catch (error) {
      actions.push({ index, type: action.type, outcome: (error as Error).name === 'SkipError' ? 'would skip' : 'would fail', reason: describe(error) });
    }
  }
  return { matched, trigger: automation.trigger, event: detail, actions };
}
