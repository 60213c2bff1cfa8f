import type { Execution } from '../automations/execution.ts';

/**
 * Where the engine reports each run it records (the Lambdas: CloudWatch metrics by run status and
 * action type; the local stack and the tests: nothing, or a counter of their own).
 */
export interface RunMetrics {
  recorded(execution: Execution): void;
}
