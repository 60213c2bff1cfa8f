import { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SESEvent } from 'aws-lambda';
import { createInboundHandler } from '../inbound/inbound-handler.ts';
import { createCrmStores } from '../stores/crm-stores.ts';
import { documentClient } from './clients.ts';
import type { Env } from './env.ts';
import type { Wiring } from './wiring.ts';

/** SES receipt rule (S3 action, then this Lambda action) -> one Inquiry per message and tenant; lines carry SES's message id. */
export function composeInboundMail(env: Env<'inbound-mail'>, wiring: Wiring, options: { clients?: { dynamo?: DynamoDBDocumentClient; s3?: S3Client } } = {}) {
  const { clients = {} } = options;
  const handler = createInboundHandler({
    s3: clients.s3 ?? wiring.trace(new S3Client({})),
    bucket: env.INBOUND_BUCKET,
    prefix: env.INBOUND_PREFIX,
    stores: createCrmStores(documentClient(wiring, clients.dynamo), env.CRM_TABLE_NAME),
    log: wiring.log,
  });
  return (event: SESEvent) => {
    wiring.correlate({ sesMessageId: event.Records?.[0]?.ses?.mail?.messageId });
    return handler(event);
  };
}
