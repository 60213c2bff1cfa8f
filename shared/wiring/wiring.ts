import type { RunMetrics } from '../engine/metrics.ts';
import type { Log } from '../log.ts';

/**
 * What every composition gets besides its environment: how to log, how to tag the invocation's
 * log lines (correlation keys), where runs are counted, and how to trace an AWS client. The Lambda
 * entries pass Powertools (`lambdaHandler`); the local stack and the tests pass their own.
 */
export interface Wiring {
  log: Log;
  /** Adds keys to every log line of the current invocation (reset after it). */
  correlate(keys: Record<string, string | undefined>): void;
  metrics?: RunMetrics;
  /** Returns the client, instrumented (X-Ray subsegments for its calls) where tracing is on. */
  trace<C>(client: C): C;
  /** The clock of runs and records (the local stack moves it in tests). */
  now?: () => Date;
}

/** A wiring for the local stack and tests: their own log, no correlation keys, no metrics, no tracing. */
export function plainWiring(log: Log, options: { now?: () => Date; metrics?: RunMetrics } = {}): Wiring {
  return { log, correlate: () => undefined, trace: (client) => client, ...options };
}
