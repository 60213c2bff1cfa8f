import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../errors.ts';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/**
 * A TransactWriteItems call whose items each say what a failed condition means, so a cancelled
 * transaction becomes the right domain error (a duplicate e-mail, a stale version) instead of an
 * opaque "TransactionCanceled".
 */
export class Transaction {
  private readonly items: TransactItem[] = [];
  private readonly onConditionFailed: Array<(() => Error) | undefined> = [];

  constructor(private readonly tableName: string) {}

  put(item: Record<string, unknown>, condition?: Condition): this {
    return this.push({ Put: { TableName: this.tableName, Item: item, ...expr(condition) } }, condition);
  }

  update(key: Record<string, string>, update: Required<Pick<Condition, 'expression'>> & Condition & { set: string }): this {
    return this.push(
      {
        Update: {
          TableName: this.tableName,
          Key: key,
          UpdateExpression: update.set,
          ConditionExpression: update.expression,
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: update.values,
        },
      },
      update,
    );
  }

  delete(key: Record<string, string>, condition?: Condition): this {
    return this.push({ Delete: { TableName: this.tableName, Key: key, ...expr(condition) } }, condition);
  }

  get size(): number {
    return this.items.length;
  }

  async commit(client: DynamoDBDocumentClient): Promise<void> {
    if (this.items.length === 0) return;
    if (this.items.length === 1) return this.commitSingle(client);
    try {
      await client.send(new TransactWriteCommand({ TransactItems: this.items }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      const mapped = failed >= 0 ? this.onConditionFailed[failed] : undefined;
      if (mapped) throw mapped();
      if (reasons.some((r) => r.Code === 'TransactionConflict')) {
        throw new ConflictError('version_conflict', 'The record is being changed by another request; try again');
      }
      throw error;
    }
  }

  /**
   * One item needs no transaction: a conditional write is as atomic and costs half the write
   * units (DynamoDB bills transactional writes twice).
   */
  private async commitSingle(client: DynamoDBDocumentClient): Promise<void> {
    const [item] = this.items as [TransactItem];
    try {
      if (item.Put) await client.send(new PutCommand(item.Put));
      else if (item.Update) await client.send(new UpdateCommand(item.Update as UpdateCommandInput));
      else if (item.Delete) await client.send(new DeleteCommand(item.Delete));
      else await client.send(new TransactWriteCommand({ TransactItems: this.items }));
    } catch (error) {
      const mapped = this.onConditionFailed[0];
      if (error instanceof ConditionalCheckFailedException && mapped) throw mapped();
      throw error;
    }
  }

  private push(item: TransactItem, condition?: Condition): this {
    this.items.push(item);
    this.onConditionFailed.push(condition?.onFail);
    return this;
  }
}

export interface Condition {
  expression?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  /** The error a failed condition stands for. */
  onFail?: () => Error;
}

function expr(condition: Condition | undefined) {
  if (!condition?.expression) return {};
  return {
    ConditionExpression: condition.expression,
    ...(condition.names ? { ExpressionAttributeNames: condition.names } : {}),
    ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
  };
}
