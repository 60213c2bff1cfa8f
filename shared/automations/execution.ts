import * as z from 'zod';
import { EntityMeta } from '../model/common.ts';

export const STEP_STATUSES = ['pending', 'started', 'succeeded', 'failed', 'skipped'] as const;
export const EXECUTION_STATUSES = ['running', 'succeeded', 'failed', 'skipped'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const StepRecord = z.object({
  index: z.number().int().nonnegative(),
  type: z.string(),
  status: z.enum(STEP_STATUSES),
  /** What the step did: the message id, the task id, the fields it changed. */
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
  attempts: z.number().int().nonnegative(),
  startedAt: z.iso.datetime().optional(),
  finishedAt: z.iso.datetime().optional(),
});
export type StepRecord = z.infer<typeof StepRecord>;

/** One run of one automation for one event: also skipped runs, with their reason. */
export const Execution = EntityMeta.extend({
  automationId: z.string(),
  automationName: z.string(),
  automationVersion: z.number().int().positive(),
  eventKey: z.string(),
  eventType: z.string(),
  /** The event detail as it was received. */
  event: z.record(z.string(), z.unknown()),
  status: z.enum(EXECUTION_STATUSES),
  /** Why a run was skipped ("Der Kontakt hat keine E-Mail-Adresse"). */
  reason: z.string().optional(),
  error: z.string().optional(),
  /** A failed run that AWS will retry (throttling, timeouts); resumed where it stopped. */
  retryable: z.boolean().optional(),
  attempts: z.number().int().positive(),
  depth: z.number().int().nonnegative(),
  /** The contact the run acted on, if any: agents list a contact's runs by it. */
  contactId: z.string().optional(),
  steps: z.array(StepRecord),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  durationMs: z.number().int().nonnegative().optional(),
});
export type Execution = z.infer<typeof Execution>;

export const isFinal = (e: Pick<Execution, 'status' | 'retryable'>) => e.status === 'succeeded' || e.status === 'skipped' || (e.status === 'failed' && !e.retryable);
