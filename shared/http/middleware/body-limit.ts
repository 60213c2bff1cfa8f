import type middy from '@middy/core';
import { PayloadTooLargeError } from '../../errors.ts';
import type { HttpEvent, HttpResult } from '../types.ts';

/** 256 KB: larger than any CRM entity, and the size of one EventBridge event. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Refuses bodies over `limit` bytes with 413 before anything parses them. */
export function bodyLimit(limit = MAX_BODY_BYTES): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async ({ event }) => {
      if (!event.body) return;
      const size = event.isBase64Encoded ? Math.floor((event.body.length * 3) / 4) : Buffer.byteLength(event.body, 'utf8');
      if (size > limit) throw new PayloadTooLargeError(limit);
    },
  };
}
