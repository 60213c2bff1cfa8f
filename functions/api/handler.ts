import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createHttpHandler } from '#shared/api/http-handler';
import { createDocumentClient, requireEnv } from '#shared/aws/clients';
import { runBirthdayCheck } from '#shared/birthdays/birthday-run';
import { EventPublisher } from '#shared/events/publisher';
import { EventBridgeWakeScheduler, wakeScheduleConfigFromEnv } from '#shared/engine/wake-schedules';
import { platformInboundDomainFromEnv } from '#shared/senders/domain-name';
import { SenderDomains } from '#shared/senders/sender-domains';
import { SesIdentityService } from '#shared/senders/ses-identity-service';
import { DynamoAutomationStore } from '#shared/stores/automation-store';
import { createCrmStores } from '#shared/stores/crm-stores';
import { DynamoExecutionStore } from '#shared/stores/execution-store';

// Built once per container: warm invocations reuse the clients and their connections.
const client = createDocumentClient();
const tableName = requireEnv('CRM_TABLE_NAME');
const automationsTable = requireEnv('AUTOMATIONS_TABLE_NAME');
const publisher = new EventPublisher(new EventBridgeClient({}), requireEnv('EVENT_BUS_NAME'));

/** The CRM's HTTP API: one function behind every route, dispatching on API Gateway's route key. */
export const handler = createHttpHandler({
  stores: createCrmStores(client, tableName),
  automations: new DynamoAutomationStore(client, automationsTable),
  executions: new DynamoExecutionStore(client, requireEnv('EXECUTIONS_TABLE_NAME'), automationsTable),
  runBirthdays: (input) => runBirthdayCheck({ client, tableName, publisher }, input),
  senderDomains: new SenderDomains(client, tableName, SesIdentityService.fromEnv(), { platformInboundDomain: platformInboundDomainFromEnv() }),
  scheduler: new EventBridgeWakeScheduler(wakeScheduleConfigFromEnv()),
});
