import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createDocumentClient, requireEnv } from '#shared/aws/clients';
import { createBirthdayHandler } from '#shared/birthdays/birthday-handler';
import { EventPublisher } from '#shared/events/publisher';

/** EventBridge Scheduler, daily 07:00 Europe/Berlin -> ContactBirthday for that day's birthdays. */
export const handler = createBirthdayHandler({
  client: createDocumentClient(),
  tableName: requireEnv('CRM_TABLE_NAME'),
  publisher: new EventPublisher(new EventBridgeClient({}), requireEnv('EVENT_BUS_NAME')),
});
