import { lambdaHandler } from '#shared/wiring/lambda';
import { composeStreamPublisher } from '#shared/wiring/stream-publisher';

/** CrmTable stream -> domain events on the "crm" bus. */
export const handler = lambdaHandler('stream-publisher', composeStreamPublisher);
