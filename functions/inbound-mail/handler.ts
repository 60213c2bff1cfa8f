import { composeInboundMail } from '#shared/wiring/inbound-mail';
import { lambdaHandler } from '#shared/wiring/lambda';

/** SES receipt rule (S3 action, then this Lambda action) -> one Inquiry per message and tenant. */
export const handler = lambdaHandler('inbound-mail', composeInboundMail);
