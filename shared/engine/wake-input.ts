/**
 * What a wake-up carries to the wake-run function: which run, which wait step, the revision of its
 * schedule (a wait that moved has a newer one) and the moment it was set for. The schedule's name
 * is made of all four, so the wake-up of any schedule but the one the run records is stale.
 */
export interface WakeInput {
  tenantId: string;
  executionId: string;
  step: number;
  revision: number;
  /** The moment, in seconds since the epoch. */
  at: number;
}

/**
 * The schedule's name, from the execution, the step, the revision and the moment: creating it
 * twice (a retried runner) finds the first and changes nothing, and two attempts that planned
 * different moments make two names, never one schedule for two moments. At most
 * 1 + 32 + 1 + 2 + 1 + 6 + 1 + 7 characters (<= 64).
 */
export const scheduleNameOf = (wake: Pick<WakeInput, 'executionId' | 'step' | 'revision' | 'at'>) => `${wake.executionId}-${wake.step}-${wake.revision}-${wake.at.toString(36)}`;

/** The wake-up of a waiting run's current schedule (its step, revision and moment, as recorded). */
export function wakeInputOf(execution: { tenantId: string; id: string; resumeAt?: string; wait?: { step: number; revision: number } }): WakeInput {
  return { tenantId: execution.tenantId, executionId: execution.id, step: execution.wait!.step, revision: execution.wait!.revision, at: Math.floor(Date.parse(execution.resumeAt!) / 1000) };
}

/** Parses what a schedule delivered; anything else is not a wake-up. */
export function parseWakeInput(value: unknown): WakeInput | undefined {
  const v = value as Partial<WakeInput> | null;
  if (!v || typeof v !== 'object') return undefined;
  const { tenantId, executionId, step, revision, at } = v;
  if (typeof tenantId !== 'string' || typeof executionId !== 'string' || !Number.isInteger(step) || !Number.isInteger(revision) || !Number.isInteger(at)) return undefined;
  return { tenantId, executionId, step: step!, revision: revision!, at: at! };
}
