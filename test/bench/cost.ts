import type { RunCount } from './requests-per-run.ts';
import { round } from './support.ts';

/**
 * Public on-demand list prices (us-east-1, USD), as named constants so they are easy to update.
 * Lambda arm64; DynamoDB on-demand after the November 2024 reduction; EventBridge custom events;
 * SES outbound e-mail.
 */
export const PRICES = {
  lambdaGbSecondArm: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  eventBridgeEvent: 1.0 / 1e6,
  sesMessage: 0.1 / 1000,
} as const;

export const RUNNER_MEMORY_GB = 0.5;
export const PUBLISHER_MEMORY_GB = 0.5;

/**
 * Section 8: what 1 million automation runs cost on AWS, per preset and on average, from the
 * counted requests: the runner's invocation and duration (measured locally, a pessimistic stand-in
 * for Lambda), its DynamoDB units, the triggering event's share of the stream publisher and the bus,
 * and the e-mail it sends.
 */
export function costModel(runs: RunCount[]): Array<Record<string, number | string>> {
  const perRun = runs.map((run) => {
    const mails = run.sends ? 1 : 0;
    const lambda = PRICES.lambdaRequest + RUNNER_MEMORY_GB * (Math.max(run.ms, 1) / 1000) * PRICES.lambdaGbSecondArm;
    // One stream record per triggering write; the publisher handles 10 per invocation.
    const publisher = (PRICES.lambdaRequest + PUBLISHER_MEMORY_GB * 0.05 * PRICES.lambdaGbSecondArm) / 10;
    const dynamo = run.writeUnits * PRICES.dynamoWriteUnit + run.readUnits * PRICES.dynamoReadUnit;
    const events = PRICES.eventBridgeEvent;
    const ses = mails * PRICES.sesMessage;
    return { preset: run.preset, lambda, publisher, dynamo, events, ses, total: lambda + publisher + dynamo + events + ses };
  });
  const average = (key: 'lambda' | 'publisher' | 'dynamo' | 'events' | 'ses' | 'total') => perRun.reduce((n, r) => n + r[key], 0) / perRun.length;
  const rows = [...perRun, { preset: 'average', lambda: average('lambda'), publisher: average('publisher'), dynamo: average('dynamo'), events: average('events'), ses: average('ses'), total: average('total') }];
  return rows.map((r) => ({
    preset: r.preset,
    lambdaUsd: round(r.lambda * 1e6, 2),
    publisherUsd: round(r.publisher * 1e6, 2),
    dynamoUsd: round(r.dynamo * 1e6, 2),
    eventBridgeUsd: round(r.events * 1e6, 2),
    sesUsd: round(r.ses * 1e6, 2),
    totalPerMillionRunsUsd: round(r.total * 1e6, 2),
  }));
}
