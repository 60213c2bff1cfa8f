import type { Action } from '../../automations/model.ts';
import type { CrmStores } from '../../stores/crm-stores.ts';
import type { RunContext } from '../context.ts';
import type { Mailer } from '../mailer.ts';

export interface ActionDeps {
  stores: CrmStores;
  mailer: Mailer;
  now: () => Date;
}

/** Identifies a step, so its writes can carry deterministic ids and be repeated safely. */
export interface StepRef {
  executionId: string;
  index: number;
}

/**
 * An action split in two: `prepare` reads and renders (and throws SkipError or PermanentError when
 * the action cannot apply) without any side effect, which is also the dry run; `execute` does the
 * side effect. The engine records the step as started between the two.
 */
export interface Prepared {
  preview: Record<string, unknown>;
  execute(): Promise<Record<string, unknown>>;
  /** Whether the step changes CRM data (later steps then see the entities anew). */
  writes: boolean;
}

export type ActionHandler<A extends Action = Action> = (action: A, ctx: RunContext, step: StepRef, deps: ActionDeps) => Promise<Prepared>;
