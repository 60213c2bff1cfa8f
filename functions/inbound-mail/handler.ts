import { S3Client } from '@aws-sdk/client-s3';
import { createDocumentClient, requireEnv, s3ClientConfig } from '#shared/aws/clients';
import { createInboundHandler } from '#shared/inbound/inbound-handler';
import { createCrmStores } from '#shared/stores/crm-stores';

const stores = createCrmStores(createDocumentClient(), requireEnv('CRM_TABLE_NAME'));

/** SES receipt rule (S3 action, then this Lambda action) -> one Inquiry per message and tenant. */
export const handler = createInboundHandler({
  s3: new S3Client(s3ClientConfig()),
  bucket: requireEnv('INBOUND_BUCKET'),
  prefix: process.env.INBOUND_PREFIX ?? 'inbound/',
  stores,
});
