import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EntityTable } from '../db/entity-table.ts';
import { childListKey, kindListKey } from '../db/keys.ts';
import { Task, type TaskInput } from '../model/task.ts';
import { DynamoStore, type Page, type PageRequest, type UpdateOptions, type WriteOptions, type WriteStore } from './store.ts';

export interface TaskListQuery extends PageRequest {
  assigneeId?: string;
  /** `open` or `done`; both when absent. */
  state?: 'open' | 'done';
}

export interface TaskStore extends WriteStore<Task, TaskInput> {
  list(tenantId: string, query?: TaskListQuery): Promise<Page<Task>>;
}

const stateOf = (task: { done: boolean }) => (task.done ? 'DONE' : 'OPEN');

export class DynamoTaskStore extends DynamoStore<Task> implements TaskStore {
  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(
      new EntityTable<Task>(client, tableName, {
        kind: 'TASK',
        label: 'task',
        schema: Task,
        indexKeys: (t) => ({
          // By assignee, the state first, so "my open tasks" is one key-prefix query.
          GSI2PK: t.assigneeId ? childListKey(t.tenantId, 'USER', t.assigneeId, 'TASK') : undefined,
          GSI2SK: t.assigneeId ? `${stateOf(t)}#${t.id}` : undefined,
          GSI3PK: `${kindListKey(t.tenantId, 'TASK')}#${stateOf(t)}`,
          GSI3SK: t.id,
        }),
      }),
    );
  }

  create(tenantId: string, input: TaskInput, options?: WriteOptions): Promise<Task> {
    return this.table.create(tenantId, input.done ? { ...input, doneAt: new Date().toISOString() } : input, options);
  }

  update(tenantId: string, id: string, patch: Record<string, unknown>, version: number, options?: UpdateOptions<Task>): Promise<Task> {
    return this.table.update(tenantId, id, patch, version, {
      ...options,
      derive: (next, current) => {
        if (next.done && !current.done) next.doneAt = new Date().toISOString();
        if (!next.done) delete next.doneAt;
      },
    });
  }

  list(tenantId: string, query: TaskListQuery = {}): Promise<Page<Task>> {
    const { assigneeId, state, ...page } = query;
    const stateKey = state === 'done' ? 'DONE' : state === 'open' ? 'OPEN' : undefined;
    if (assigneeId) {
      return this.table.list(tenantId, {
        index: 'GSI2',
        partition: childListKey(tenantId, 'USER', assigneeId, 'TASK'),
        sortPrefix: stateKey ? `${stateKey}#` : undefined,
        ...page,
      });
    }
    if (stateKey) return this.table.list(tenantId, { index: 'GSI3', partition: `${kindListKey(tenantId, 'TASK')}#${stateKey}`, ...page });
    return this.listAll(tenantId, page);
  }
}
