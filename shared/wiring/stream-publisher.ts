import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsPoisonSink, type PoisonSink } from '../events/poison-sink.ts';
import { createStreamHandler } from '../events/stream-handler.ts';
import { eventPublisher } from './clients.ts';
import type { Env } from './env.ts';
import type { Wiring } from './wiring.ts';

/** CrmTable stream -> domain events on the "crm" bus; records that can never be events go to the poison sink. */
export function composeStreamPublisher(env: Env<'stream-publisher'>, wiring: Wiring, options: { clients?: { eventBridge?: EventBridgeClient }; poison?: PoisonSink } = {}) {
  return createStreamHandler({
    publisher: eventPublisher(env, wiring, options.clients?.eventBridge),
    poison: options.poison ?? new SqsPoisonSink(wiring.trace(new SQSClient({})), env.POISON_QUEUE_URL),
    log: wiring.log,
  });
}
