import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CrmFunction } from './crm-function.ts';
import { FailureQueue } from './failure-queue.ts';

export interface PipelineProps {
  crmTable: dynamodb.ITable;
  /** How long the archive keeps events for replay. @default Duration.days(365) */
  archiveRetention?: Duration;
}

/** The stream source's batch and failure settings. */
export const STREAM_SOURCE = {
  batchSize: 10,
  retryAttempts: 10,
  maxRecordAge: Duration.hours(24),
} as const;

/**
 * From the table's stream to the "crm" bus: the stream-publisher function behind a DynamoDB event
 * source that reports item failures, bisects failing batches, retries a bounded number of times and
 * drops no more than a day's backlog, with an SQS on-failure destination (which also takes poison
 * records) and an alarm on it. The bus keeps an archive, so events can be replayed after a fix.
 */
export class Pipeline extends Construct {
  readonly bus: events.EventBus;
  readonly failures: sqs.Queue;
  readonly failureAlarm: cloudwatch.Alarm;
  readonly publisher: CrmFunction;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { description: 'CRM domain events' });
    this.bus.archive('Archive', {
      description: 'Every CRM domain event, for replay',
      eventPattern: { account: [Stack.of(this).account] },
      retention: props.archiveRetention ?? Duration.days(365),
    });

    const failures = new FailureQueue(this, 'StreamFailures', {
      purpose: 'Stream records that could not become events (after the event source\'s retries, or poison)',
    });
    this.failures = failures.queue;
    this.failureAlarm = failures.alarm;

    this.publisher = new CrmFunction(this, 'StreamPublisher', {
      name: 'stream-publisher',
      description: 'CrmTable stream to domain events on the crm bus',
      timeout: Duration.seconds(30),
      environment: { EVENT_BUS_NAME: this.bus.eventBusName, POISON_QUEUE_URL: this.failures.queueUrl },
    });
    this.bus.grantPutEventsTo(this.publisher.fn);
    this.failures.grantSendMessages(this.publisher.fn);
    this.publisher.fn.addEventSource(
      new DynamoEventSource(props.crmTable, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: STREAM_SOURCE.batchSize,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: STREAM_SOURCE.retryAttempts,
        maxRecordAge: STREAM_SOURCE.maxRecordAge,
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.failures),
      }),
    );
    Validations.of(this.publisher.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'dynamodb:ListStreams, which the DynamoDB event source needs, supports no resource-level permissions.',
    });
  }
}
