import { lambdaHandler } from '#shared/wiring/lambda';
import { composeWakeRun } from '#shared/wiring/runner';

/**
 * EventBridge Scheduler's one-time schedule for a waiting run -> the run woken: it re-reads its
 * records, checks its guards and goes on with the step after its wait (`shared/engine/wake.ts`).
 */
export const handler = lambdaHandler('wake-run', composeWakeRun);
