import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { requireEnv } from '#shared/aws/clients';
import { SqsPoisonSink } from '#shared/events/poison-sink';
import { EventPublisher } from '#shared/events/publisher';
import { createStreamHandler } from '#shared/events/stream-handler';

// Clients once per container.
const publisher = new EventPublisher(new EventBridgeClient({}), requireEnv('EVENT_BUS_NAME'));
const poison = new SqsPoisonSink(new SQSClient({}), requireEnv('POISON_QUEUE_URL'));

/** CrmTable stream -> domain events on the "crm" bus. */
export const handler = createStreamHandler({ publisher, poison });
