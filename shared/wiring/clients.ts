import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../aws/clients.ts';
import { EventPublisher } from '../events/publisher.ts';
import { DynamoAutomationStore } from '../stores/automation-store.ts';
import { createCrmStores } from '../stores/crm-stores.ts';
import { DynamoExecutionStore } from '../stores/execution-store.ts';
import type { Env } from './env.ts';
import type { Wiring } from './wiring.ts';

/**
 * The parts several compositions share. A client passed in (the local stack's, with its endpoint)
 * is used as it is; otherwise one is built from the SDK's defaults, as a Lambda does, and traced.
 */
export function documentClient(wiring: Wiring, given?: DynamoDBDocumentClient): DynamoDBDocumentClient {
  return given ?? createDocumentClient(wiring.trace(new DynamoDBClient({})));
}

export function eventPublisher(env: Pick<Env<'api'>, 'EVENT_BUS_NAME'>, wiring: Wiring, given?: EventBridgeClient): EventPublisher {
  return new EventPublisher(given ?? wiring.trace(new EventBridgeClient({})), env.EVENT_BUS_NAME);
}

type TableEnv = Pick<Env<'runner'>, 'CRM_TABLE_NAME' | 'AUTOMATIONS_TABLE_NAME' | 'EXECUTIONS_TABLE_NAME' | 'EXECUTION_RETENTION_DAYS'>;

/** The CRM records, the automations and their executions, on the environment's tables. */
export function runStores(env: TableEnv, dynamo: DynamoDBDocumentClient, now?: () => Date) {
  return {
    stores: createCrmStores(dynamo, env.CRM_TABLE_NAME),
    automations: new DynamoAutomationStore(dynamo, env.AUTOMATIONS_TABLE_NAME, now),
    executions: new DynamoExecutionStore(dynamo, env.EXECUTIONS_TABLE_NAME, env.AUTOMATIONS_TABLE_NAME, env.EXECUTION_RETENTION_DAYS),
  };
}

/** What `runStores` builds: the local stack builds it once and hands it to every composition, so its tests see one set. */
export type RunStores = ReturnType<typeof runStores>;
