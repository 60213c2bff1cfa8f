import * as z from 'zod';
import { Id } from '../model/common.ts';
import { TaskInput, TaskPatch } from '../model/task.ts';
import type { RouteImpl } from '../http/types.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { PageQuery, assertReferences, body, created, ok, query } from './helpers.ts';

export const TaskListQuery = PageQuery.extend({ assigneeId: Id.optional(), state: z.enum(['open', 'done']).optional() });

export function taskRoutes({ tasks, users, contacts, properties, deals }: CrmStores): Record<string, RouteImpl> {
  const assignee = (tenantId: string, id: unknown) =>
    assertReferences(tenantId, [{ field: 'assigneeId', id: id as string | undefined, store: users, label: 'user' }]);

  return {
    'POST /tasks': async ({ principal: { tenantId }, body: raw }) => {
      const input = body(TaskInput, raw);
      await assertReferences(tenantId, [
        { field: 'assigneeId', id: input.assigneeId, store: users, label: 'user' },
        { field: 'contactId', id: input.contactId, store: contacts, label: 'contact' },
        { field: 'propertyId', id: input.propertyId, store: properties, label: 'property' },
        { field: 'dealId', id: input.dealId, store: deals, label: 'deal' },
      ]);
      return created(await tasks.create(tenantId, input), 'tasks');
    },
    'GET /tasks': async ({ principal: { tenantId }, query: q }) => ok(await tasks.list(tenantId, query(TaskListQuery, q))),
    'GET /tasks/{id}': async ({ principal: { tenantId }, params }) => ok(await tasks.require(tenantId, params.id!)),
    /** Marking a task done is `{ "done": true, "version": n }`. */
    'PATCH /tasks/{id}': async ({ principal: { tenantId }, params, body: raw }) => {
      const { version, ...patch } = body(TaskPatch, raw);
      await assignee(tenantId, patch.assigneeId);
      return ok(await tasks.update(tenantId, params.id!, patch, version));
    },
  };
}
