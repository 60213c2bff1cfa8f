import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTOMATIONS_TABLE, EXECUTIONS_TABLE } from '#infra/tables';
import type { Execution } from '#shared/automations/execution';
import { ValidationError } from '#shared/errors';
import { DynamoExecutionStore } from '#shared/stores/execution-store';
import { freshTables, tenant } from '../support/dynamo.ts';

let ctx: Awaited<ReturnType<typeof freshTables>>;
let store: DynamoExecutionStore;
beforeAll(async () => {
  ctx = await freshTables();
  store = new DynamoExecutionStore(ctx.doc, ctx.names[EXECUTIONS_TABLE.envVar]!, ctx.names[AUTOMATIONS_TABLE.envVar]!);
});

/** A run as the engine begins it, started at `minute` past nine. */
function execution(t: string, id: string, minute: number, automationId = 'a1'): Execution {
  const at = `2026-11-27T09:${String(minute).padStart(2, '0')}:00.000Z`;
  return {
    id, tenantId: t, version: 1, createdAt: at, updatedAt: at, automationId, automationName: 'Test', automationVersion: 1,
    eventKey: `k-${id}`, eventType: 'ActivityCreated', event: {}, status: 'running', attempts: 1, depth: 0, steps: [], startedAt: at,
  };
}

/** Begins and finishes a run, naming the contact when given, as the engine does when a run ends. */
async function run(t: string, id: string, minute: number, contactId: string | undefined, status: 'succeeded' | 'skipped' | 'failed' = 'succeeded') {
  const begun = execution(t, id, minute);
  await store.begin(begun);
  return store.finish({ ...begun, status, ...(contactId ? { contactId } : {}), finishedAt: begun.startedAt });
}

describe('executions by contact', () => {
  it('lists the finished runs that acted on a contact, newest first, and no others', async () => {
    const t = tenant();
    await run(t, 'x1', 1, 'c1');
    await run(t, 'x2', 2, 'c2');
    await run(t, 'x3', 3, undefined);
    await run(t, 'x4', 4, 'c1', 'skipped');
    await store.begin(execution(t, 'x5', 5));
    const page = await store.list(t, { contactId: 'c1' });
    expect(page.items.map((e) => [e.id, e.status, e.contactId])).toEqual([
      ['x4', 'skipped', 'c1'],
      ['x1', 'succeeded', 'c1'],
    ]);
    expect(page.nextCursor).toBeUndefined();
    expect((await store.list(t, { contactId: 'c3' })).items).toEqual([]);
  });

  it('filters by status and pages with a cursor', async () => {
    const t = tenant();
    for (let minute = 0; minute < 5; minute++) await run(t, `y${minute}`, minute, 'c1', minute % 2 ? 'failed' : 'succeeded');
    expect((await store.list(t, { contactId: 'c1', status: 'failed' })).items.map((e) => e.id)).toEqual(['y3', 'y1']);
    const first = await store.list(t, { contactId: 'c1', limit: 2 });
    expect(first.items.map((e) => e.id)).toEqual(['y4', 'y3']);
    const second = await store.list(t, { contactId: 'c1', limit: 2, cursor: first.nextCursor });
    expect(second.items.map((e) => e.id)).toEqual(['y2', 'y1']);
    const third = await store.list(t, { contactId: 'c1', limit: 2, cursor: second.nextCursor });
    expect(third.items.map((e) => e.id)).toEqual(['y0']);
  });

  it('keeps the runs of one tenant\'s contact from another tenant, and refuses its cursor', async () => {
    const [t, other] = [tenant(), tenant()];
    await run(t, 'z1', 1, 'shared-id');
    await run(t, 'z2', 2, 'shared-id');
    expect((await store.list(other, { contactId: 'shared-id' })).items).toEqual([]);
    const { nextCursor } = await store.list(t, { contactId: 'shared-id', limit: 1 });
    await expect(store.list(other, { contactId: 'shared-id', cursor: nextCursor })).rejects.toBeInstanceOf(ValidationError);
  });

  it('keeps the index keys in the table, out of every execution read', async () => {
    const t = tenant();
    await run(t, 'w1', 1, 'c1');
    const { Item } = await ctx.doc.send(new GetCommand({ TableName: ctx.names[EXECUTIONS_TABLE.envVar]!, Key: { PK: `${t}#EXECUTION#w1`, SK: 'ENTITY' } }));
    expect(Item).toMatchObject({ GSI4PK: `${t}#CONTACT#c1#EXECUTION`, GSI4SK: '2026-11-27T09:01:00.000Z#w1' });
    for (const read of [await store.get(t, 'w1'), (await store.list(t, { contactId: 'c1' })).items[0], (await store.list(t)).items[0]]) {
      expect(read).toMatchObject({ id: 'w1', contactId: 'c1' });
      expect(Object.keys(read!).filter((key) => /^GSI|^PK$|^SK$/.test(key))).toEqual([]);
    }
  });

  it('writes no contact index key for a run without a contact', async () => {
    const t = tenant();
    await run(t, 'v1', 1, undefined);
    const { Item } = await ctx.doc.send(new GetCommand({ TableName: ctx.names[EXECUTIONS_TABLE.envVar]!, Key: { PK: `${t}#EXECUTION#v1`, SK: 'ENTITY' } }));
    expect(Item).not.toHaveProperty('GSI4PK');
    expect(Item).not.toHaveProperty('GSI4SK');
  });
});
