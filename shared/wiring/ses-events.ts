import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createSesEventsHandler } from '../senders/ses-events.ts';
import { createCrmStores } from '../stores/crm-stores.ts';
import { documentClient } from './clients.ts';
import type { Env } from './env.ts';
import type { Wiring } from './wiring.ts';

/** SES bounce and complaint events (the configuration set's EventBridge destination) -> the contacts marked (`emailStatus`). */
export function composeSesEvents(env: Env<'ses-events'>, wiring: Wiring, options: { clients?: { dynamo?: DynamoDBDocumentClient } } = {}) {
  return createSesEventsHandler({ contacts: createCrmStores(documentClient(wiring, options.clients?.dynamo), env.CRM_TABLE_NAME).contacts, log: wiring.log });
}
