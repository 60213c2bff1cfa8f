import * as z from 'zod';
import { EntityMeta } from '../model/common.ts';

/** `uncertain`: a send was interrupted between start and result; it is never repeated. */
export const STEP_STATUSES = ['pending', 'started', 'waiting', 'succeeded', 'failed', 'skipped', 'uncertain'] as const;

/**
 * How a run ended: `succeeded`; `skipped` (nothing changed, with the reason); `partial` (something
 * changed, then a step skipped or failed); `failed`; `uncertain` (a send was interrupted: never
 * repeated, never called a success). `running` while it runs.
 */
export const FINAL_STATUSES = ['succeeded', 'partial', 'skipped', 'failed', 'uncertain'] as const;

/** What each run status means, for the API's readers (the README's table is generated from this). */
export const STATUS_DESCRIPTIONS: Record<(typeof FINAL_STATUSES)[number] | 'running' | 'waiting', { de: string; meaning: string }> = {
  running: { de: 'läuft', meaning: 'The run is under way.' },
  waiting: { de: 'wartet', meaning: 'The run reached a `wait` step and goes on at `resumeAt`; an admin can cancel it or resume it now. On waking it re-reads its records and ends as skipped if its guards fail (the automation disabled, the contact archived, the appointment cancelled, the wait\'s `while` condition no longer met).' },
  succeeded: { de: 'erfolgreich', meaning: 'Every step ran.' },
  partial: { de: 'teilweise', meaning: 'A step changed something (a write, a sent e-mail), then a later step was skipped or failed: `reason` or `error` says why, `steps` what ran.' },
  skipped: { de: 'übersprungen', meaning: 'Nothing changed: the first step that could not apply says why in `reason` (no e-mail address, no consent, an archived contact, a self-triggered event, the chain limit).' },
  failed: { de: 'fehlgeschlagen', meaning: 'A step failed (`error`). With `retryable: true` the failure was transient (throttling, a timeout): AWS delivers the event again and the retry resumes after the last finished step; otherwise nothing changed and the run is over.' },
  uncertain: { de: 'unklar', meaning: 'A send was interrupted between its start and its result: whether the e-mail went out is unknown. It is never sent again and never called a success.' },
};
export const EXECUTION_STATUSES = ['running', 'waiting', ...FINAL_STATUSES] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** Something a step did that needs an eye though it did not stop the run (an empty template variable). */
export const StepWarning = z.object({ code: z.string(), message: z.string(), params: z.record(z.string(), z.unknown()).optional() });
export type StepWarning = z.infer<typeof StepWarning>;

export const StepRecord = z.object({
  index: z.number().int().nonnegative(),
  type: z.string(),
  status: z.enum(STEP_STATUSES),
  /** What the step did: the message id, the task id, the fields it changed. */
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
  warnings: z.array(StepWarning).optional(),
  attempts: z.number().int().nonnegative(),
  startedAt: z.iso.datetime().optional(),
  finishedAt: z.iso.datetime().optional(),
});
export type StepRecord = z.infer<typeof StepRecord>;

/**
 * Where a waiting run waits: the step, the schedule that wakes it (its name carries the revision,
 * which grows each time the wait moves), and the record whose change re-checks it at once.
 */
export const WaitState = z.object({
  step: z.number().int().nonnegative(),
  revision: z.number().int().nonnegative(),
  schedule: z.string(),
  /** Set when an admin resumes the run now: the wake skips the wait's moment (the guards still apply). */
  now: z.boolean().optional(),
  anchor: z.object({ entity: z.string(), id: z.string() }).optional(),
});
export type WaitState = z.infer<typeof WaitState>;

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
  /** When a waiting run goes on. */
  resumeAt: z.iso.datetime().optional(),
  wait: WaitState.optional(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  durationMs: z.number().int().nonnegative().optional(),
});
export type Execution = z.infer<typeof Execution>;

/** A run is over unless it runs, waits, or AWS will retry it (a transient failure, `retryable`). */
export const isFinal = (e: Pick<Execution, 'status' | 'retryable'>) => e.status !== 'running' && e.status !== 'waiting' && !e.retryable;
