import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createBirthdayHandler } from '../birthdays/birthday-handler.ts';
import { documentClient, eventPublisher } from './clients.ts';
import type { Env } from './env.ts';
import type { Wiring } from './wiring.ts';

/** EventBridge Scheduler, daily 07:00 Europe/Berlin -> ContactBirthday for that day's birthdays. */
export function composeBirthdayCheck(env: Env<'birthday-check'>, wiring: Wiring, options: { clients?: { dynamo?: DynamoDBDocumentClient; eventBridge?: EventBridgeClient } } = {}) {
  const { clients = {} } = options;
  const deps = { client: documentClient(wiring, clients.dynamo), tableName: env.CRM_TABLE_NAME, publisher: eventPublisher(env, wiring, clients.eventBridge) };
  return createBirthdayHandler(wiring.now ? { ...deps, now: wiring.now } : deps, wiring.log);
}
