import { composeApi } from '#shared/wiring/api';
import { lambdaHandler } from '#shared/wiring/lambda';

/** The CRM's HTTP API: one function behind every route, dispatching on API Gateway's route key. */
export const handler = lambdaHandler('api', composeApi);
