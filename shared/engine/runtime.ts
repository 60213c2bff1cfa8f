import { createDocumentClient, requireEnv } from '../aws/clients.ts';
import { DynamoAutomationStore } from '../stores/automation-store.ts';
import { createCrmStores } from '../stores/crm-stores.ts';
import { DynamoExecutionStore } from '../stores/execution-store.ts';
import { createEngine, type IncomingEvent } from './engine.ts';
import { SesMailer } from './mailer.ts';

/**
 * The engine as a runner Lambda builds it, from the environment, once per container. Every runner
 * is this handler; they differ only in the bus rule that feeds them.
 */
export function createRunnerFromEnv() {
  const doc = createDocumentClient();
  const automationsTable = requireEnv('AUTOMATIONS_TABLE_NAME');
  const engine = createEngine({
    stores: createCrmStores(doc, requireEnv('CRM_TABLE_NAME')),
    automations: new DynamoAutomationStore(doc, automationsTable),
    executions: new DynamoExecutionStore(doc, requireEnv('EXECUTIONS_TABLE_NAME'), automationsTable, Number(process.env.EXECUTION_RETENTION_DAYS ?? 90)),
    mailer: new SesMailer(undefined, process.env.SES_CONFIGURATION_SET ? { configurationSet: process.env.SES_CONFIGURATION_SET } : {}),
  });
  return (event: IncomingEvent) => engine.handle(event);
}

/** The wake-run function: the payload a schedule carries (`WakeInput`) -> the run resumed. */
export function createWakeHandlerFromEnv() {
  return async (_event: unknown): Promise<void> => {
    throw new Error('not yet built');
  };
}
