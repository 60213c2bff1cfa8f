import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Execution, type ExecutionStatus, type FinalStatus } from '../automations/execution.ts';
import { EntityTable } from '../db/entity-table.ts';
import { childListKey, kindListKey, type EntityKind } from '../db/keys.ts';
import { ConflictError } from '../errors.ts';
import { recordRunUpdate } from './automation-store.ts';
import { DEFAULT_RETENTION_DAYS } from './retention.ts';
import { DynamoStore, type Page, type PageRequest } from './store.ts';

const waiting = (e: Execution) => e.status === 'waiting' && e.resumeAt !== undefined;
const waitingKey = (tenantId: string, kind: string, id: string) => `${childListKey(tenantId, kind as EntityKind, id, 'EXECUTION')}#WAITING`;

export interface ExecutionListQuery extends PageRequest {
  automationId?: string;
  /** The runs that acted on this contact (those that finished; the engine names the contact then). */
  contactId?: string;
  status?: ExecutionStatus;
}

export interface ExecutionStore {
  /**
   * Claims the run of the execution's automation for its eventKey by recording the execution; when
   * the run was claimed before, says so (the id is the same, being derived from both).
   */
  begin(execution: Execution): Promise<{ claimed: true } | { claimed: false; executionId: string }>;
  get(tenantId: string, id: string): Promise<Execution | undefined>;
  require(tenantId: string, id: string): Promise<Execution>;
  /** Writes the execution as it stands (a step boundary), if nobody else did meanwhile. Returns it with its new version. */
  checkpoint(execution: Execution): Promise<Execution>;
  /**
   * Writes the execution and the automation's last-run fields together. Only a final outcome
   * (`final`, the default) adds to the run counters: a transient failure that AWS will retry shows
   * as the last run but is not counted, so each run counts once however many attempts it takes.
   */
  finish(execution: Execution, options?: { final?: boolean }): Promise<Execution>;
  list(tenantId: string, query?: ExecutionListQuery): Promise<Page<Execution>>;
  /** Waiting runs, soonest first: an automation's, or those whose wait follows a record (`anchor`). */
  listWaiting(tenantId: string, query: WaitingQuery): Promise<Page<Execution>>;
}

export type WaitingQuery = PageRequest & ({ automationId: string } | { anchor: { entity: string; id: string } });

export class DynamoExecutionStore extends DynamoStore<Execution> implements ExecutionStore {
  private readonly retentionSeconds: number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly automationsTable: string,
    retentionDays = DEFAULT_RETENTION_DAYS,
  ) {
    super(
      new EntityTable<Execution>(client, tableName, {
        kind: 'EXECUTION',
        label: 'execution',
        schema: Execution,
        // Ids are derived, not time-ordered: the lists sort by start time.
        indexKeys: (e) => ({
          GSI1SK: `${e.startedAt}#${e.id}`,
          GSI2PK: childListKey(e.tenantId, 'AUTOMATION', e.automationId, 'EXECUTION'),
          GSI2SK: `${e.startedAt}#${e.id}`,
          GSI3PK: `${kindListKey(e.tenantId, 'EXECUTION')}#${e.status}`,
          GSI3SK: `${e.startedAt}#${e.id}`,
          GSI4PK: e.contactId ? childListKey(e.tenantId, 'CONTACT', e.contactId, 'EXECUTION') : undefined,
          GSI4SK: e.contactId ? `${e.startedAt}#${e.id}` : undefined,
          // Sparse: only waiting runs, by automation (disabling it cancels them) and by the record they follow.
          GSI5PK: waiting(e) ? waitingKey(e.tenantId, 'AUTOMATION', e.automationId) : undefined,
          GSI5SK: waiting(e) ? `${e.resumeAt}#${e.id}` : undefined,
          GSI6PK: waiting(e) && e.wait?.anchor ? waitingKey(e.tenantId, e.wait.anchor.entity.toUpperCase(), e.wait.anchor.id) : undefined,
          GSI6SK: waiting(e) && e.wait?.anchor ? `${e.resumeAt}#${e.id}` : undefined,
        }),
      }),
    );
    this.retentionSeconds = retentionDays * 86_400;
  }

  /** Kept for the retention period after it was last written, or after the moment it waits for. */
  private expiresAt(execution: Execution): number {
    const from = Math.max(Date.now(), execution.resumeAt ? Date.parse(execution.resumeAt) : 0);
    return Math.floor(from / 1000) + this.retentionSeconds;
  }

  /**
   * The execution's id is derived from (tenant, automation, eventKey), so writing the execution
   * with `attribute_not_exists` is the claim itself: one conditional put, no separate claim item.
   */
  async begin(execution: Execution): Promise<{ claimed: true } | { claimed: false; executionId: string }> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: this.item(execution), ConditionExpression: 'attribute_not_exists(PK)' }));
      return { claimed: true };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      return { claimed: false, executionId: execution.id };
    }
  }

  async checkpoint(execution: Execution): Promise<Execution> {
    const next = { ...execution, version: execution.version + 1, updatedAt: new Date().toISOString() };
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: this.item(next), ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': execution.version } }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') throw this.raced(execution.id);
      throw error;
    }
    return next;
  }

  async finish(execution: Execution, { final = true }: { final?: boolean } = {}): Promise<Execution> {
    const next = { ...execution, version: execution.version + 1, updatedAt: new Date().toISOString() };
    const put = { Put: { TableName: this.tableName, Item: this.item(next), ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': execution.version } } };
    const run = {
      at: next.finishedAt ?? next.updatedAt,
      status: next.status as FinalStatus,
      executionId: next.id,
      ...(next.error ?? next.reason ? { error: next.error ?? next.reason } : {}),
    };
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [put, { Update: recordRunUpdate(this.automationsTable, next.tenantId, next.automationId, run, final) }] }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [executionReason, automationReason] = error.CancellationReasons ?? [];
      if (executionReason?.Code === 'ConditionalCheckFailed') throw this.raced(execution.id);
      // The automation was deleted while it ran: the execution is still recorded.
      if (automationReason?.Code !== 'ConditionalCheckFailed') throw error;
      await this.client.send(new PutCommand(put.Put));
    }
    return next;
  }

  /** Lists newest first: by automation, by contact, by status, or all of the tenant's; `status` filters the first two. */
  list(tenantId: string, query: ExecutionListQuery = {}): Promise<Page<Execution>> {
    const { automationId, contactId, status, ...page } = query;
    if (contactId) {
      const partition = childListKey(tenantId, 'CONTACT', contactId, 'EXECUTION');
      return this.table.list(tenantId, { index: 'GSI4', partition, ...page, filters: { status } });
    }
    if (automationId) return this.listChildren(tenantId, 'GSI2', 'AUTOMATION', automationId, page, { status });
    if (status) return this.table.list(tenantId, { index: 'GSI3', partition: `${kindListKey(tenantId, 'EXECUTION')}#${status}`, ...page });
    return this.listAll(tenantId, page);
  }

  /** Soonest first: the next to wake leads. */
  listWaiting(tenantId: string, query: WaitingQuery): Promise<Page<Execution>> {
    const { automationId, anchor, ...page } = query as PageRequest & { automationId?: string; anchor?: { entity: string; id: string } };
    const [index, partition] = automationId ? (['GSI5', waitingKey(tenantId, 'AUTOMATION', automationId)] as const) : (['GSI6', waitingKey(tenantId, anchor!.entity.toUpperCase(), anchor!.id)] as const);
    return this.table.list(tenantId, { index, partition, ...page, ascending: true });
  }

  private item(execution: Execution): Record<string, unknown> {
    return { ...this.table.toItem(execution), expiresAt: this.expiresAt(execution) };
  }

  private raced(id: string): ConflictError {
    return new ConflictError('version_conflict', `Execution ${id} was written by another attempt`);
  }
}
