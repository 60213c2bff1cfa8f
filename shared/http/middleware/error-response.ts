import type middy from '@middy/core';
import { AppError } from '../../errors.ts';
import type { HttpEvent, HttpResult } from '../types.ts';
import { json } from '../response.ts';
import { log as defaultLog, type Log } from '../../log.ts';

/**
 * Turns any error into the API's error shape `{ error: { code, message, fields } }`. Domain errors
 * keep their status; anything else is a 500 whose details stay in the log, not in the response.
 */
export function errorResponse(log: Log = defaultLog): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      const { error } = request;
      if (error instanceof AppError) {
        request.response = json(error.status, {
          error: { code: error.code, message: error.message, fields: error.fields },
        });
        return;
      }
      log({ level: 'ERROR', message: 'Unhandled error', routeKey: request.event?.routeKey, error: String(error), stack: (error as Error)?.stack });
      request.response = json(500, { error: { code: 'internal', message: 'Internal error', fields: [] } });
    },
  };
}
