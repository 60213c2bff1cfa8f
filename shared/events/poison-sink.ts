import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';

/**
 * Where stream records go that can never become events. They are set aside with the reason, so
 * they neither block the records after them nor vanish; an alarm on the queue tells operators.
 */
export interface PoisonSink {
  put(record: DynamoDBRecord, reason: string): Promise<void>;
}

export class SqsPoisonSink implements PoisonSink {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async put(record: DynamoDBRecord, reason: string): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ kind: 'poison-stream-record', reason, record }).slice(0, 256 * 1024),
      }),
    );
  }
}

/** Keeps poison records in memory (local stack and tests). */
export class MemoryPoisonSink implements PoisonSink {
  readonly records: Array<{ record: DynamoDBRecord; reason: string }> = [];

  async put(record: DynamoDBRecord, reason: string): Promise<void> {
    this.records.push({ record, reason });
  }
}
