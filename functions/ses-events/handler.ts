import { lambdaHandler } from '#shared/wiring/lambda';
import { composeSesEvents } from '#shared/wiring/ses-events';

/**
 * SES bounce and complaint events (the configuration set's EventBridge destination, a rule on the
 * default bus) -> the contacts with those addresses marked (`emailStatus`).
 */
export const handler = lambdaHandler('ses-events', composeSesEvents);
