import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { isFinal, type Execution } from '../automations/execution.ts';
import type { RunMetrics } from '../engine/metrics.ts';
import type { Log } from '../log.ts';
import { readEnv, type Env, type FunctionKind } from './env.ts';
import type { Wiring } from './wiring.ts';

/** The CloudWatch namespace of every metric the functions emit (EMF). */
export const METRICS_NAMESPACE = 'CrmAutomations';

/** A kind's composition: its typed environment and the observability parts in, the handler out. */
export type Composer<K extends FunctionKind, E, R> = (env: Env<K>, wiring: Wiring) => (event: E, context: Context) => Promise<R>;

/**
 * Our `Log` onto Powertools' Logger: the entry's level becomes the line's level (so CloudWatch's
 * level filter and Lambda's JSON log format agree with what the code meant), the rest of the entry
 * becomes its keys, beside the invocation's correlation keys.
 */
export function powertoolsLog(logger: Logger): Log {
  return ({ level, message, ...keys }) => {
    if (level === 'ERROR') logger.error(message, keys);
    else if (level === 'WARN') logger.warn(message, keys);
    else if (level === 'DEBUG') logger.debug(message, keys);
    else logger.info(message, keys);
  };
}

/**
 * Runs and steps as EMF metrics, each written at once with its own dimension set: `Runs` by status
 * each time a run is recorded (`waiting` when it parks; `retrying` when a transient failure hands it
 * back to AWS, so a run that succeeds on its third attempt counts once as `succeeded`, not as two
 * failures), and once a run is over, `Steps` by action type and step status and, for runs without a
 * wait (whose duration would be days), `RunDuration` by trigger.
 */
export function powertoolsRunMetrics(metrics: Metrics): RunMetrics {
  return {
    recorded(execution: Execution) {
      const status = execution.retryable ? 'retrying' : execution.status;
      metrics.singleMetric().addDimensions({ status }).addMetric('Runs', MetricUnit.Count, 1);
      if (!isFinal(execution)) return;
      for (const step of execution.steps) {
        metrics.singleMetric().addDimensions({ action: step.type, status: step.status }).addMetric('Steps', MetricUnit.Count, 1);
      }
      if (execution.durationMs !== undefined && !execution.steps.some((step) => step.type === 'wait')) {
        metrics.singleMetric().addDimensions({ trigger: execution.eventType }).addMetric('RunDuration', MetricUnit.Milliseconds, execution.durationMs);
      }
    },
  };
}

/**
 * The cold start counted before the handler, and what the invocation stored published after it,
 * if anything: the run metrics are written at once (each with its own dimensions), so most
 * invocations store nothing, and Powertools' own `logMetrics` would warn about that in plain text
 * on every one of them.
 */
function invocationMetrics(metrics: Metrics): MiddlewareObj<unknown, unknown, Error, Context> {
  const publish = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return {
    before: async (request) => void metrics.captureColdStartMetric(request.context.functionName),
    after: publish,
    onError: publish,
  };
}

/**
 * The one middy stack of every Lambda entry: reads and checks the kind's environment once per
 * container, composes the handler with Powertools' Logger (structured lines at their level, the
 * Lambda context and cold start on each, the correlation keys a composition adds, reset after every
 * invocation), Metrics (EMF: cold starts, runs and steps) and
 * Tracer (X-Ray: the handler's segment with its response or error, and the AWS SDK calls of the
 * clients the composition passes through `trace`).
 */
export function lambdaHandler<K extends FunctionKind, E, R>(kind: K, compose: Composer<K, E, R>) {
  const env = readEnv(kind);
  const logger = new Logger();
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
  const tracer = new Tracer();
  const handler = compose(env, {
    log: powertoolsLog(logger),
    correlate: (keys) => logger.appendKeys(keys),
    metrics: powertoolsRunMetrics(metrics),
    trace: (client) => tracer.captureAWSv3Client(client),
  });
  return middy<E, R, Error, Context>()
    // The response stays out of the trace: API answers hold contacts' names and addresses, and lists outgrow X-Ray's segment limit.
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(invocationMetrics(metrics))
    .handler((event, context) => handler(event, context));
}
