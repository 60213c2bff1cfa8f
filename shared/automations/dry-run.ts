import * as z from 'zod';
import { DETAIL_SCHEMAS, SCHEMA_VERSION } from '#events/catalogue';
import { CURRENT_FIXTURES } from '#events/fixtures';
import { ENTITIES, TRIGGERS } from '#events/registry';
import { buildContext } from '../engine/context.ts';
import { prepareAction } from '../engine/actions/index.ts';
import { planWait, recordGuard, recordsOf } from '../engine/wait-plan.ts';
import type { ActionDeps } from '../engine/actions/types.ts';
import { describe, SkipError } from '../engine/errors.ts';
import { matches } from '../engine/engine.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { Id } from '../model/common.ts';
import { explainMismatch } from '../patterns/explain.ts';
import { flattenEvent } from '../patterns/match.ts';
import { allowedValues } from '../settings/pick-lists.ts';
import { fieldErrors } from '../validation.ts';
import type { Automation } from './model.ts';

/**
 * The body of `POST /automations/{id}/test`: a whole event detail, or the id of the trigger's
 * entity (the sample is the event it would raise now), or neither (the trigger's fixture); in each
 * case `overrides` replaces event fields, e.g. `{ "fromStage": "Besichtigung", "toStage": "Notartermin" }`.
 */
export const DryRunInput = z
  .strictObject({
    event: z.record(z.string(), z.unknown()).optional(),
    entityId: Id.optional(),
    overrides: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((b) => !(b.event && b.entityId), { message: 'Give either event or entityId, not both', path: ['entityId'] });
export type DryRunInput = z.infer<typeof DryRunInput>;

/** Fields an override may never change: the tenant comes from the token, the rest is bookkeeping. */
const FIXED = new Set(['tenantId', 'schemaVersion', 'eventKey']);

/** The detail an event of the trigger's type would carry for its entity as it is now. */
async function sampleFor(automation: Automation, deps: ActionDeps, entityId: string, now: Date): Promise<Record<string, unknown>> {
  const descriptor = TRIGGERS[automation.trigger.event];
  const subject = descriptor.subject;
  const store = deps.stores[ENTITIES[subject].store] as { get(t: string, id: string): Promise<Record<string, any> | undefined> };
  const entity = await store.get(automation.tenantId, entityId);
  if (!entity) throw new NotFoundError(`No ${subject} with id ${entityId}`);
  const settings = await deps.stores.settings.get(automation.tenantId);
  const stagesOf = (pipelineId: string) => allowedValues(settings.pickLists, 'dealStages', [pipelineId]);
  return { occurredAt: now.toISOString(), eventKey: `dry-run#${entityId}`, [subject]: entity, ...descriptor.sample(entity, { now, stagesOf }) };
}

/**
 * Evaluates the trigger against an event detail and renders every action, without any side
 * effect. A non-match names each condition that failed and the value the event had there.
 */
export async function dryRun(automation: Automation, input: DryRunInput, deps: ActionDeps): Promise<Record<string, unknown>> {
  const now = deps.now();
  const type = automation.trigger.event;
  const base = input.event ?? (input.entityId ? await sampleFor(automation, deps, input.entityId, now) : structuredClone(CURRENT_FIXTURES[type]));
  const overrides = Object.fromEntries(Object.entries(input.overrides ?? {}).filter(([key]) => !FIXED.has(key)));
  const raw = { schemaVersion: SCHEMA_VERSION, occurredAt: now.toISOString(), eventKey: 'dry-run', ...base, ...overrides, tenantId: automation.tenantId };
  const parsed = DETAIL_SCHEMAS[type].safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    // Each problem is named where the caller wrote the value: under `overrides` or under `event`.
    const fields = parsed.error.issues.flatMap((issue) => fieldErrors(new z.ZodError([issue]), [String(issue.path[0]) in overrides ? 'overrides' : 'event']));
    throw new ValidationError(`The event is not a valid ${type} detail`, fields);
  }
  const detail = parsed.data as Record<string, any>;
  const flat = flattenEvent(detail);
  const matched = matches(automation, flat);
  const ctx = await buildContext(deps.stores, type, detail, { automationId: automation.id, automationName: automation.name, executionId: 'dry-run' });
  const actions = [];
  for (const [index, action] of automation.actions.entries()) {
    if (action.type === 'wait') {
      // When the wait would end if the run reached it now, and whether its guards would let it go on then.
      const plan = planWait(action, recordsOf(ctx), { reachedAt: now, now, timeZone: ctx.tenant.timeZone, sendWindow: ctx.sendWindow });
      const guard = plan.kind === 'skip' ? plan.reason : recordGuard(ctx, action);
      actions.push(
        guard || plan.kind === 'skip'
          ? { index, type: action.type, outcome: 'would skip', reason: guard }
          : { index, type: action.type, outcome: 'would run', preview: { resumeAt: plan.at.toISOString(), waits: plan.kind === 'park', ...(action.while ? { while: action.while } : {}) } },
      );
      continue;
    }
    try {
      const prepared = await prepareAction(action, ctx, { executionId: 'dry-run', index }, deps);
      actions.push({ index, type: action.type, outcome: 'would run', preview: prepared.preview });
    } catch (error) {
      actions.push({ index, type: action.type, outcome: error instanceof SkipError ? 'would skip' : 'would fail', reason: describe(error) });
    }
  }
  return {
    matched,
    ...(matched || !automation.trigger.where ? {} : { failedConditions: explainMismatch(automation.trigger.where, flat) }),
    trigger: automation.trigger,
    event: detail,
    actions,
  };
}
