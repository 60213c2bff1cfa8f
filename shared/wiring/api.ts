import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type { ApiServices } from '../api/api-routes.ts';
import { createHttpHandler } from '../api/http-handler.ts';
import { runBirthdayCheck } from '../birthdays/birthday-run.ts';
import { EventBridgeWakeScheduler } from '../engine/wake-schedules.ts';
import { SenderDomains } from '../senders/sender-domains.ts';
import { SesIdentityService } from '../senders/ses-identity-service.ts';
import { documentClient, eventPublisher, runStores, type RunStores } from './clients.ts';
import type { Env } from './env.ts';
import { wakeScheduleConfig } from './runner.ts';
import type { Wiring } from './wiring.ts';

export interface ApiOptions {
  clients?: { dynamo?: DynamoDBDocumentClient; eventBridge?: EventBridgeClient; scheduler?: SchedulerClient; ses?: SESv2Client };
  /** The stores to use instead of building them (the local stack shares one set). */
  stores?: RunStores;
}

/** What the API's routes use: the stores, the birthday run, the sender domains and the wake schedules. */
export function composeApiServices(env: Env<'api'>, wiring: Wiring, options: ApiOptions = {}): ApiServices {
  const { clients = {} } = options;
  const dynamo = documentClient(wiring, clients.dynamo);
  const publisher = eventPublisher(env, wiring, clients.eventBridge);
  const identities = new SesIdentityService(clients.ses, {
    identityArn: (domain) => `${env.SES_IDENTITY_ARN_PREFIX}${domain}`,
    ...(env.SES_CONFIGURATION_SET_ARN ? { configurationSetArn: env.SES_CONFIGURATION_SET_ARN } : {}),
  });
  return {
    ...(options.stores ?? runStores(env, dynamo, wiring.now)),
    runBirthdays: (input) => runBirthdayCheck({ client: dynamo, tableName: env.CRM_TABLE_NAME, publisher, ...(wiring.now ? { now: wiring.now } : {}) }, input),
    senderDomains: new SenderDomains(dynamo, env.CRM_TABLE_NAME, identities, { platformInboundDomain: env.PLATFORM_INBOUND_DOMAIN }),
    scheduler: new EventBridgeWakeScheduler(wakeScheduleConfig(env), clients.scheduler ?? wiring.trace(new SchedulerClient({}))),
    log: wiring.log,
    ...(wiring.now ? { now: wiring.now } : {}),
  };
}

/** The API's handler over its services: one handler behind every route; its log lines carry the request's id and route. */
export function apiHandler(env: Env<'api'>, services: ApiServices, wiring: Wiring) {
  const handler = createHttpHandler(services, env.CORS_ORIGINS.split(','));
  return (event: Parameters<typeof handler>[0], context: Context) => {
    wiring.correlate({ requestId: event.requestContext?.requestId, routeKey: event.routeKey });
    return handler(event, context);
  };
}

/** The CRM's HTTP API. */
export const composeApi = (env: Env<'api'>, wiring: Wiring, options: ApiOptions = {}) => apiHandler(env, composeApiServices(env, wiring, options), wiring);
