import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTOMATIONS_TABLE, EXECUTIONS_TABLE } from '#infra/tables';
import { AutomationFields } from '#shared/automations/model';
import { createDocumentClient } from '#shared/aws/clients';
import { createEngine } from '#shared/engine/engine';
import { executionIdOf } from '#shared/engine/execution-id';
import { createRunFailures } from '#shared/engine/run-failures';
import { createCrmStores } from '#shared/stores/crm-stores';
import { DynamoAutomationStore } from '#shared/stores/automation-store';
import { DynamoExecutionStore } from '#shared/stores/execution-store';
import { countRequests } from '../bench/support.ts';
import { actionWorld, detailOf, OutboxMailer } from '../support/action-world.ts';
import { freshTables } from '../support/dynamo.ts';

/**
 * The step checkpoint is written only before a side effect that cannot be repeated (a send): a run
 * of idempotent writes costs three engine requests and, when its runner dies mid-way, a retry runs
 * the writes again and ends as it should; a sending run still records the send as started first,
 * so a runner that dies after the send never sends twice.
 */

let tables: Awaited<ReturnType<typeof freshTables>>;
beforeAll(async () => {
  tables = await freshTables();
});

/** Nothing after the moment it dies reaches DynamoDB, as with a runner killed mid-run. */
class Runner {
  readonly mailer = new OutboxMailer();
  readonly engine;
  readonly counter;
  private dead = false;

  constructor(dieAfter?: (operation: string) => boolean) {
    const raw = new DynamoDBClient({ endpoint: tables.endpoint });
    raw.middlewareStack.add(
      (next, context) => async (args) => {
        if (this.dead) throw new Error('the runner died');
        const output = await next(args);
        if (dieAfter?.((context.commandName ?? '').replace(/Command$/, ''))) this.dead = true;
        return output;
      },
      { step: 'initialize', name: 'runnerDies' },
    );
    this.counter = countRequests(raw);
    const doc = createDocumentClient(raw);
    const names = tables.names;
    this.engine = createEngine({
      stores: createCrmStores(doc, tables.crmTable),
      automations: new DynamoAutomationStore(doc, names[AUTOMATIONS_TABLE.envVar]!),
      executions: new DynamoExecutionStore(doc, names[EXECUTIONS_TABLE.envVar]!, names[AUTOMATIONS_TABLE.envVar]!),
      mailer: this.mailer,
      log: () => undefined,
    });
  }

  /** From now on every request fails. */
  die(): void {
    this.dead = true;
  }

  /** The requests the engine made on its own tables (the automations' and executions'). */
  engineRequests(): string[] {
    return this.counter.requests.filter((r) => !r.tables.includes(tables.crmTable)).map((r) => r.operation);
  }
}

const stores = () => createCrmStores(tables.doc, tables.crmTable);
const automations = () => new DynamoAutomationStore(tables.doc, tables.names[AUTOMATIONS_TABLE.envVar]!);
const executions = () => new DynamoExecutionStore(tables.doc, tables.names[EXECUTIONS_TABLE.envVar]!, tables.names[AUTOMATIONS_TABLE.envVar]!);

/** A tenant, an automation on ContactCreated with `actions`, and the event of its contact. */
async function setUp(actions: unknown[]) {
  const w = await actionWorld(stores());
  const automation = await automations().create(w.t, AutomationFields.parse({ name: 'Neue Kontakte', trigger: { event: 'ContactCreated' }, actions, enabled: true }));
  const event = { source: 'crm.contacts', 'detail-type': 'ContactCreated', detail: detailOf(w.t, { eventKey: `k-${automation.id}`, contact: w.contact }) };
  const executionId = executionIdOf(w.t, automation.id, event.detail.eventKey);
  return { w, automation, event, execution: () => executions().require(w.t, executionId) };
}

const WRITES = [
  { type: 'create_task', assignee: 'contact_owner', title: 'Neuen Kontakt anrufen' },
  { type: 'update_contact', set: { status: 'Kunde' } },
];
const SEND = { type: 'send_email', to: 'contact', subject: 'Willkommen', body: 'Hallo' };

describe('step checkpoints', () => {
  it('runs idempotent writes with three engine requests: the candidates, the claim, the record', async () => {
    const { w, event, execution } = await setUp(WRITES);
    const runner = new Runner();
    expect(await runner.engine.handle(event)).toMatchObject([{ status: 'succeeded' }]);
    expect(runner.engineRequests()).toEqual(['Query', 'PutItem', 'TransactWriteItems']);
    expect(await execution()).toMatchObject({ status: 'succeeded', attempts: 1, steps: [{ status: 'succeeded', attempts: 1 }, { status: 'succeeded', result: { changed: ['status'] } }] });
    expect((await stores().contacts.get(w.t, w.contact.id))?.status).toBe('Kunde');
  });

  it('completes a run of writes whose runner died after its first write, with one task and no second write', async () => {
    const { w, event, execution } = await setUp(WRITES);
    // Dies right after the task is written (the first write after the claim's PutItem).
    let writes = 0;
    const dying = new Runner((operation) => operation !== 'Query' && operation !== 'GetItem' && ++writes === 2);
    await expect(dying.engine.handle(event)).rejects.toThrow('the runner died');
    expect(await execution()).toMatchObject({ status: 'running', steps: [{ status: 'pending' }, { status: 'pending' }] });
    expect((await stores().tasks.list(w.t, { assigneeId: w.anna.id })).items).toHaveLength(1);

    const retry = new Runner();
    expect(await retry.engine.handle(event)).toMatchObject([{ status: 'succeeded' }]);
    expect(await execution()).toMatchObject({ status: 'succeeded', attempts: 2, steps: [{ status: 'succeeded' }, { status: 'succeeded' }] });
    expect((await stores().tasks.list(w.t, { assigneeId: w.anna.id })).items).toHaveLength(1);
    expect((await stores().contacts.get(w.t, w.contact.id))?.status).toBe('Kunde');
    expect(await automations().require(w.t, (await execution()).automationId)).toMatchObject({ runCount: 1, lastRunStatus: 'succeeded' });
  });

  it('calls a resumed run partial when the attempt that died had made a write that the retry finds done', async () => {
    const { w, event, execution } = await setUp([{ type: 'update_contact', set: { status: 'Kunde' } }, { type: 'create_task', assignee: 'contact_owner', title: 'Anrufen' }]);
    let writes = 0;
    const dying = new Runner((operation) => operation !== 'Query' && operation !== 'GetItem' && ++writes === 2);
    await expect(dying.engine.handle(event)).rejects.toThrow('the runner died');
    await stores().users.update(w.t, w.anna.id, { archived: true }, w.anna.version); // meanwhile the owner leaves
    expect(await new Runner().engine.handle(event)).toMatchObject([{ status: 'partial' }]);
    expect(await execution()).toMatchObject({ status: 'partial', steps: [{ status: 'succeeded', result: { changed: [] } }, { status: 'skipped' }] });
  });

  it('closes a run whose runner died after a write as partial once the retries are given up', async () => {
    const { event, execution } = await setUp(WRITES);
    let writes = 0;
    const dying = new Runner((operation) => operation !== 'Query' && operation !== 'GetItem' && ++writes === 2);
    await expect(dying.engine.handle(event)).rejects.toThrow('the runner died');
    const closed = await createRunFailures({ automations: automations(), executions: executions(), stores: stores(), log: () => undefined }).close({ event, reason: 'RetriesExhausted' });
    expect(closed).toMatchObject([{ status: 'partial' }]);
    expect(await execution()).toMatchObject({ status: 'partial', retryable: false, error: expect.stringMatching(/^Given up after the retries/) });
  });

  it('still records a send as started before it sends, so a runner that dies after the send never sends again', async () => {
    const sending = await setUp([SEND]);
    const runner = new Runner();
    expect(await runner.engine.handle(sending.event)).toMatchObject([{ status: 'succeeded' }]);
    expect(runner.engineRequests()).toEqual(['Query', 'PutItem', 'PutItem', 'TransactWriteItems']);

    const { event, execution } = await setUp([SEND]);
    const dying = new Runner();
    const send = dying.mailer.send.bind(dying.mailer);
    dying.mailer.send = async (mail) => {
      const sent = await send(mail);
      // The runner dies once SES has taken the mail, before the e-mail activity is written.
      dying.die();
      return sent;
    };
    await expect(dying.engine.handle(event)).rejects.toThrow('the runner died');
    expect(await execution()).toMatchObject({ status: 'running', steps: [{ status: 'started' }] });
    const retry = new Runner();
    expect(await retry.engine.handle(event)).toMatchObject([{ status: 'uncertain' }]);
    expect(dying.mailer.sent).toHaveLength(1);
    expect(retry.mailer.sent).toHaveLength(0);
  });
});
