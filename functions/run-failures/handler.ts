import { createDocumentClient, requireEnv } from '#shared/aws/clients';
import { createRunFailuresHandler } from '#shared/engine/run-failures';
import { DynamoAutomationStore } from '#shared/stores/automation-store';
import { createCrmStores } from '#shared/stores/crm-stores';
import { DynamoExecutionStore } from '#shared/stores/execution-store';

// Clients once per container.
const doc = createDocumentClient();
const automationsTable = requireEnv('AUTOMATIONS_TABLE_NAME');

/** FailedRuns queue (runner invocations that failed after Lambda's retries) -> the runs closed as failed. */
export const handler = createRunFailuresHandler({
  automations: new DynamoAutomationStore(doc, automationsTable),
  executions: new DynamoExecutionStore(doc, requireEnv('EXECUTIONS_TABLE_NAME'), automationsTable, Number(process.env.EXECUTION_RETENTION_DAYS ?? 90)),
  stores: createCrmStores(doc, requireEnv('CRM_TABLE_NAME')),
});
