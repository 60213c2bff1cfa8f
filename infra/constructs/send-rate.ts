/**
 * Reserved concurrency of the functions that send mail (the runners and wake-run), sized from the
 * account's SES send rate, so a burst of events can neither outrun SES by far nor take the
 * account's whole concurrency from the API.
 *
 * Little's law: a function that sends one mail per run of `SEND_RUN_SECONDS` on average sends at
 * most `concurrency / SEND_RUN_SECONDS` mails a second, so
 *
 *     reserved concurrency = clamp(ceil(sesMaxSendRate × SEND_RUN_SECONDS), MIN, MAX)
 *
 * per function (14/s × 0.5 s = 7). Each sending function gets it: one family alone stays within
 * the rate; several at once can exceed it briefly, and a throttled send is a transient failure the
 * run retries. Invocations beyond it are throttled, and Lambda keeps retrying throttled async
 * invocations (EventBridge and Scheduler invoke asynchronously) for the function's maximum event
 * age (6 h), so they are late, not lost.
 */
export const SEND_CONCURRENCY = {
  /** SES's default send rate of an account out of the sandbox, per second (context `sesMaxSendRate`). */
  defaultSesMaxSendRate: 14,
  /** Average wall time of a run that sends one mail: the claim and records in DynamoDB plus SendEmail. */
  sendRunSeconds: 0.5,
  min: 2,
  max: 100,
} as const;

/** `clamp(ceil(rate × SEND_RUN_SECONDS), MIN, MAX)`; refuses a rate that is not a positive number. */
export function sendConcurrency(sesMaxSendRate: number = SEND_CONCURRENCY.defaultSesMaxSendRate): number {
  if (typeof sesMaxSendRate !== 'number' || !Number.isFinite(sesMaxSendRate) || sesMaxSendRate <= 0) {
    throw new Error(`sesMaxSendRate must be a positive number of mails per second, not ${JSON.stringify(sesMaxSendRate)}`);
  }
  const sized = Math.ceil(sesMaxSendRate * SEND_CONCURRENCY.sendRunSeconds);
  return Math.min(SEND_CONCURRENCY.max, Math.max(SEND_CONCURRENCY.min, sized));
}

/** The throttles alarm of a sending function: throttling is its back-pressure, so only 15 minutes of it in a row. */
export const SENDER_THROTTLE_PERIODS = 3;
