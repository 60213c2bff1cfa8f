/**
 * What a wake-up carries to the wake-run function: which run, which wait step, and which revision
 * of its schedule (a wait that moved has a newer one; a wake with an older revision is stale).
 */
export interface WakeInput {
  tenantId: string;
  executionId: string;
  step: number;
  revision: number;
}

/** Parses what a schedule delivered; anything else is not a wake-up. */
export function parseWakeInput(value: unknown): WakeInput | undefined {
  const v = value as Partial<WakeInput> | null;
  if (!v || typeof v !== 'object') return undefined;
  const { tenantId, executionId, step, revision } = v;
  if (typeof tenantId !== 'string' || typeof executionId !== 'string' || !Number.isInteger(step) || !Number.isInteger(revision)) return undefined;
  return { tenantId, executionId, step: step!, revision: revision! };
}
