import { lambdaHandler } from '#shared/wiring/lambda';
import { composeRunner } from '#shared/wiring/runner';

/** Runs the automations triggered by the bus rule for contact events. */
export const handler = lambdaHandler('runner', composeRunner);
