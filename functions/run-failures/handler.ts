import { lambdaHandler } from '#shared/wiring/lambda';
import { composeRunFailures } from '#shared/wiring/run-failures';

/** FailedRuns queue (runner invocations that failed after Lambda's retries) -> the runs closed as failed. */
export const handler = lambdaHandler('run-failures', composeRunFailures);
