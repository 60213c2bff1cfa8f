import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import { bodyLimit } from '../http/middleware/body-limit.ts';
import { errorResponse } from '../http/middleware/error-response.ts';
import { jsonBody } from '../http/middleware/json-body.ts';
import { apiRoutes, type ApiServices } from './api-routes.ts';
import { createRouter } from './router.ts';

/**
 * The HTTP API as one middy handler: CORS, error mapping, the 256 KB body limit, JSON parsing, then
 * the router. The Lambda builds it once with its services; the local stack and the tests build it
 * with theirs.
 */
export function createHttpHandler(services: ApiServices, corsOrigins: string[] = ['*']) {
  return middy()
    .use(httpCors({ origins: corsOrigins, headers: 'authorization,content-type', methods: 'GET,POST,PUT,PATCH,DELETE' }))
    .use(errorResponse())
    .use(bodyLimit())
    .use(jsonBody())
    .handler(createRouter(apiRoutes(services)));
}
