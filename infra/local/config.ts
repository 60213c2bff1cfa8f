import { join } from 'node:path';

/** Ports and folders of the local stack, each overridable by env. */
export const localConfig = {
  apiPort: Number(process.env.API_PORT ?? 3000),
  dynamoPort: Number(process.env.DYNAMODB_PORT ?? 8000),
  sesPort: Number(process.env.SES_PORT ?? 8005),
  smtpPort: Number(process.env.SMTP_PORT ?? 2525),
  eventBusPort: Number(process.env.EVENTBRIDGE_PORT ?? 4010),
  schedulerPort: Number(process.env.SCHEDULER_PORT ?? 4020),
  streamPollMs: Number(process.env.STREAM_POLL_MS ?? 100),
  dataDir: process.env.LOCAL_DATA_DIR ?? join(process.cwd(), '.data'),
};
