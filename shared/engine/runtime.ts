import { createDocumentClient, requireEnv } from '../aws/clients.ts';
import { DynamoAutomationStore } from '../stores/automation-store.ts';
import { createCrmStores } from '../stores/crm-stores.ts';
import { DynamoExecutionStore } from '../stores/execution-store.ts';
import { createEngine, type IncomingEvent } from './engine.ts';
import { SesMailer } from './mailer.ts';
import { log } from '../log.ts';
import { EventBridgeWakeScheduler, parseWakeInput, wakeScheduleConfigFromEnv } from './wake-schedules.ts';

/**
 * The engine as a runner Lambda builds it, from the environment, once per container. Every runner
 * is this handler; they differ only in the bus rule that feeds them. The wake-run function is the
 * same engine, woken by a schedule instead of an event.
 */
function engineFromEnv() {
  const doc = createDocumentClient();
  const automationsTable = requireEnv('AUTOMATIONS_TABLE_NAME');
  return createEngine({
    stores: createCrmStores(doc, requireEnv('CRM_TABLE_NAME')),
    automations: new DynamoAutomationStore(doc, automationsTable),
    executions: new DynamoExecutionStore(doc, requireEnv('EXECUTIONS_TABLE_NAME'), automationsTable, Number(process.env.EXECUTION_RETENTION_DAYS ?? 90)),
    mailer: new SesMailer(undefined, process.env.SES_CONFIGURATION_SET ? { configurationSet: process.env.SES_CONFIGURATION_SET } : {}),
    scheduler: new EventBridgeWakeScheduler(wakeScheduleConfigFromEnv()),
  });
}

export function createRunnerFromEnv() {
  const engine = engineFromEnv();
  return (event: IncomingEvent) => engine.handle(event);
}

/** The wake-run function: the payload a schedule carries (`WakeInput`) -> the run resumed. */
export function createWakeHandlerFromEnv() {
  const engine = engineFromEnv();
  return async (event: unknown) => {
    const input = parseWakeInput(event);
    // Not a wake-up: nothing to retry, nothing to do.
    if (!input) return void log({ level: 'ERROR', message: 'Not a wake-up; ignored', event: JSON.stringify(event).slice(0, 500) });
    return engine.wake(input);
  };
}
