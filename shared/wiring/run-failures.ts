import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createRunFailures, createRunFailuresHandler, type RunFailuresDeps } from '../engine/run-failures.ts';
import { documentClient, runStores } from './clients.ts';
import type { Env } from './env.ts';
import type { Wiring } from './wiring.ts';

function runFailuresDeps(env: Env<'run-failures'>, wiring: Wiring, dynamo?: DynamoDBDocumentClient): RunFailuresDeps {
  const { stores, automations, executions } = runStores(env, documentClient(wiring, dynamo), wiring.now);
  return { stores, automations, executions, log: wiring.log, ...(wiring.now ? { now: wiring.now } : {}), ...(wiring.metrics ? { metrics: wiring.metrics } : {}) };
}

/** What closes the runs a runner gave up on: the local stack calls it from its bus's dead letters. */
export const composeRunFailureCloser = (env: Env<'run-failures'>, wiring: Wiring, options: { clients?: { dynamo?: DynamoDBDocumentClient } } = {}) =>
  createRunFailures(runFailuresDeps(env, wiring, options.clients?.dynamo));

/** FailedRuns and wake dead-letter queues (SQS) -> the runs closed as failed. */
export const composeRunFailures = (env: Env<'run-failures'>, wiring: Wiring, options: { clients?: { dynamo?: DynamoDBDocumentClient } } = {}) =>
  createRunFailuresHandler(runFailuresDeps(env, wiring, options.clients?.dynamo));
