import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { FinalStatus } from '../automations/execution.ts';
import { Automation, type AutomationDefinition } from '../automations/model.ts';
import { EntityTable, MAX_PAGE_SIZE } from '../db/entity-table.ts';
import { entityKey } from '../db/keys.ts';
import { NotFoundError } from '../errors.ts';
import { DynamoStore, type Page, type PageRequest } from './store.ts';

export interface AutomationStore {
  create(tenantId: string, definition: AutomationDefinition): Promise<Automation>;
  get(tenantId: string, id: string): Promise<Automation | undefined>;
  require(tenantId: string, id: string): Promise<Automation>;
  /** Replaces the definition, if `version` is still current; run statistics are kept. `current`: the automation as just read (saves the read). */
  replace(tenantId: string, id: string, definition: AutomationDefinition, version: number, current?: Automation): Promise<Automation>;
  setEnabled(tenantId: string, id: string, enabled: boolean): Promise<Automation>;
  delete(tenantId: string, id: string): Promise<void>;
  list(tenantId: string, page?: PageRequest): Promise<Page<Automation>>;
  /** Every automation of the tenant that `keep` accepts, page by page (a Query, never a Scan). */
  every(tenantId: string, keep?: (automation: Automation) => boolean): Promise<Automation[]>;
  /** The enabled automations of a tenant for one event type: one query on the sparse index. */
  listEnabled(tenantId: string, eventType: string): Promise<Automation[]>;
}

/** The sparse EnabledIndex key: only enabled automations carry it. */
export const triggerKey = (tenantId: string, eventType: string) => `${tenantId}#${eventType}`;

export class DynamoAutomationStore extends DynamoStore<Automation> implements AutomationStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The clock `enabledAt` is stamped with: the runs' own (the local stack's can be moved). */
    private readonly now: () => Date = () => new Date(),
  ) {
    super(
      new EntityTable<Automation>(client, tableName, {
        kind: 'AUTOMATION',
        label: 'automation',
        schema: Automation,
        indexKeys: (a) => ({
          TRIGGER: a.enabled ? triggerKey(a.tenantId, a.trigger.event) : undefined,
          TRIGGERSK: a.enabled ? a.id : undefined,
        }),
      }),
    );
  }

  create(tenantId: string, definition: AutomationDefinition): Promise<Automation> {
    return this.table.create(tenantId, { ...definition, runCount: 0, failureCount: 0, ...(definition.enabled ? { enabledAt: this.now().toISOString() } : {}) });
  }

  replace(tenantId: string, id: string, definition: AutomationDefinition, version: number, current?: Automation): Promise<Automation> {
    // PUT replaces the definition: optional fields it leaves out are cleared.
    const patch: Record<string, unknown> = { ...definition };
    // Switched on by this PUT (or not known to have been on): runs that waited before do not go on.
    if (definition.enabled && !current?.enabled) patch.enabledAt = this.now().toISOString();
    for (const key of ['description', 'preset'] as const) if (definition[key] === undefined) patch[key] = null;
    return this.table.update(tenantId, id, patch, version, current ? { current } : {});
  }

  async setEnabled(tenantId: string, id: string, enabled: boolean): Promise<Automation> {
    const current = await this.require(tenantId, id);
    if (current.enabled === enabled) return current;
    return this.table.update(tenantId, id, { enabled, ...(enabled ? { enabledAt: this.now().toISOString() } : {}) }, current.version, { current });
  }

  async delete(tenantId: string, id: string): Promise<void> {
    try {
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: entityKey(tenantId, 'AUTOMATION', id), ConditionExpression: 'attribute_exists(PK)' }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new NotFoundError(`No automation with id ${id}`);
      throw error;
    }
  }

  list(tenantId: string, page: PageRequest = {}): Promise<Page<Automation>> {
    return this.listAll(tenantId, page);
  }

  async every(tenantId: string, keep: (automation: Automation) => boolean = () => true): Promise<Automation[]> {
    const found: Automation[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list(tenantId, { limit: MAX_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      found.push(...page.items.filter(keep));
      cursor = page.nextCursor;
    } while (cursor);
    return found;
  }

  async listEnabled(tenantId: string, eventType: string): Promise<Automation[]> {
    const items: Automation[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'EnabledIndex',
          KeyConditionExpression: '#t = :t',
          ExpressionAttributeNames: { '#t': 'TRIGGER' },
          ExpressionAttributeValues: { ':t': triggerKey(tenantId, eventType) },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) items.push(this.table.fromItem(item) as Automation);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

/** The counter each final status adds to besides `runCount`. */
const COUNTER_OF: Partial<Record<FinalStatus, string>> = { failed: 'failureCount', partial: 'partialCount', skipped: 'skippedCount', uncertain: 'uncertainCount' };

/**
 * Sets the automation's "Zuletzt ausgeführt" fields to a run's outcome, without touching its
 * version; a final outcome (`count`) also adds to the counters.
 */
export function recordRunUpdate(tableName: string, tenantId: string, automationId: string, run: { at: string; status: FinalStatus; executionId: string; error?: string }, count = true) {
  const counter = COUNTER_OF[run.status];
  const add = count ? ` ADD runCount :one${counter ? `, ${counter} :one` : ''}` : '';
  return {
    TableName: tableName,
    Key: entityKey(tenantId, 'AUTOMATION', automationId),
    ConditionExpression: 'attribute_exists(PK)',
    UpdateExpression: `SET lastRunAt = :at, lastRunStatus = :status, lastExecutionId = :execution${run.error ? ', lastError = :error' : ''}${add}${run.error ? '' : ' REMOVE lastError'}`,
    ExpressionAttributeValues: {
      ':at': run.at,
      ':status': run.status,
      ':execution': run.executionId,
      ...(count ? { ':one': 1 } : {}),
      ...(run.error ? { ':error': run.error.slice(0, 1_000) } : {}),
    },
  };
}
