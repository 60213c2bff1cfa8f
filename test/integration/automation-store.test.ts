import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '#shared/aws/clients';
import { beforeAll, describe, expect, it } from 'vitest';
import { AutomationFields } from '#shared/automations/model';
import { AUTOMATIONS_TABLE } from '#infra/tables';
import { ConflictError } from '#shared/errors';
import { DynamoAutomationStore, recordRunUpdate } from '#shared/stores/automation-store';
import { freshTables, tenant } from '../support/dynamo.ts';

let ctx: Awaited<ReturnType<typeof freshTables>>;
let store: DynamoAutomationStore;
beforeAll(async () => {
  ctx = await freshTables();
  store = new DynamoAutomationStore(ctx.doc, ctx.names[AUTOMATIONS_TABLE.envVar]!);
});

const definition = (name: string, enabled = true) =>
  AutomationFields.parse({ name, enabled, trigger: { event: 'RejectionCreated' }, actions: [{ type: 'update_contact', set: { archived: true } }] });

describe('DynamoAutomationStore', () => {
  it('keeps a run recorded between an admin\'s read and write: edits change only what they change', async () => {
    const t = tenant();
    const table = ctx.names[AUTOMATIONS_TABLE.envVar]!;
    // A store whose first write is preceded by a run finishing, exactly between its read and its write.
    const raw = new DynamoDBClient({ endpoint: ctx.endpoint });
    let raced = false;
    raw.middlewareStack.add(
      (next, context) => async (args) => {
        if (!raced && /^(Put|Update)Item/.test(context.commandName ?? '')) {
          raced = true;
          await ctx.doc.send(new UpdateCommand(recordRunUpdate(table, t, created.id, { at: new Date().toISOString(), status: 'failed', executionId: 'x1', error: 'boom' })));
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const racing = new DynamoAutomationStore(createDocumentClient(raw), table);
    const created = await store.create(t, definition('Archivieren'));
    const read = await store.require(t, created.id);
    const renamed = await racing.replace(t, created.id, definition('Umbenannt'), read.version);
    expect(raced).toBe(true);
    expect(renamed.name).toBe('Umbenannt');
    const stored = await store.require(t, created.id);
    expect(stored).toMatchObject({ name: 'Umbenannt', version: 2, runCount: 1, failureCount: 1, lastRunStatus: 'failed', lastExecutionId: 'x1', lastError: 'boom' });
    await expect(store.replace(t, created.id, definition('Zu spät'), read.version)).rejects.toThrow(ConflictError);
  });

  it('lists only enabled automations for an event type through the sparse index, and follows enable and disable', async () => {
    const t = tenant();
    const on = await store.create(t, definition('An'));
    await store.create(t, definition('Aus', false));
    expect((await store.listEnabled(t, 'RejectionCreated')).map((a) => a.id)).toEqual([on.id]);
    await store.setEnabled(t, on.id, false);
    expect(await store.listEnabled(t, 'RejectionCreated')).toEqual([]);
    const { Item } = await ctx.doc.send(new GetCommand({ TableName: ctx.names[AUTOMATIONS_TABLE.envVar]!, Key: { PK: `${t}#AUTOMATION#${on.id}`, SK: 'ENTITY' } }));
    expect(Item).not.toHaveProperty('TRIGGER');
    await store.setEnabled(t, on.id, true);
    expect((await store.listEnabled(t, 'RejectionCreated')).map((a) => a.id)).toEqual([on.id]);
  });
});
