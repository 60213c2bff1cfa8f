import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_RETENTION_DAYS } from '#shared/stores/retention';
import { CrmFunction } from './crm-function.ts';

/**
 * The run-failures function's queue settings: its timeout, the queue's visibility timeout (six
 * times the timeout, as AWS advises for SQS sources), the receives before a message goes to the
 * queue's own dead-letter queue, and the batch size.
 */
export const RUN_FAILURES = {
  timeout: Duration.seconds(30),
  visibilityTimeout: Duration.minutes(3),
  maxReceiveCount: 5,
  batchSize: 10,
} as const;

export interface RunFailuresProps {
  /** The runners' on-failure destination (`FailedRuns`), with a dead-letter queue of its own. */
  queue: sqs.IQueue;
  /**
   * The wake dead-letter queue (`WaitSchedules.deadLetters`), with a dead-letter queue of its own:
   * wakes Scheduler could not deliver (the body is the wake input) and wake-run invocations that
   * failed after Lambda's retries (the body is Lambda's destination record, `requestPayload` the
   * wake input).
   */
  wakeQueue?: sqs.IQueue;
  crmTable: dynamodb.ITable;
  automationsTable: dynamodb.ITable;
  executionsTable: dynamodb.ITable;
  /** @default 90 */
  executionRetentionDays?: number;
}

/**
 * Closes the runs the runners gave up on: consumes the `FailedRuns` queue, and the wake
 * dead-letter queue for runs whose wake failed for good (SQS event sources with batch item
 * failures), and marks each open execution of the failed event as failed for good, with
 * the reason, and the automation's last run with it (`shared/engine/run-failures.ts`). It may list
 * the automations (GSI1), read and write executions, update the automations' last-run fields, and
 * read the CRM items (an e-mail activity proves an interrupted send).
 */
export class RunFailures extends Construct {
  readonly fn: CrmFunction<'run-failures'>;

  constructor(scope: Construct, id: string, props: RunFailuresProps) {
    super(scope, id);
    this.fn = new CrmFunction(this, 'Handler', {
      name: 'run-failures',
      description: 'Closes the automation runs whose runner gave up after its retries',
      timeout: RUN_FAILURES.timeout,
      environment: {
        CRM_TABLE_NAME: props.crmTable.tableName,
        AUTOMATIONS_TABLE_NAME: props.automationsTable.tableName,
        EXECUTIONS_TABLE_NAME: props.executionsTable.tableName,
        EXECUTION_RETENTION_DAYS: String(props.executionRetentionDays ?? DEFAULT_RETENTION_DAYS),
      },
    });
    const role = this.fn.role;
    role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${props.automationsTable.tableArn}/index/GSI1`] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [props.automationsTable.tableArn] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [props.executionsTable.tableArn] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.crmTable.tableArn] }));
    for (const queue of [props.queue, ...(props.wakeQueue ? [props.wakeQueue] : [])]) {
      this.fn.fn.addEventSource(new SqsEventSource(queue, { batchSize: RUN_FAILURES.batchSize, reportBatchItemFailures: true, maxConcurrency: 2 }));
    }
  }
}
