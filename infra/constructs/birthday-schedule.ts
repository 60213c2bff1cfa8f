import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { BIRTHDAY_SCHEDULE } from '#shared/birthdays/schedule';
import { CrmFunction } from './crm-function.ts';
import { FailureQueue } from './failure-queue.ts';

export interface BirthdayScheduleProps {
  crmTable: dynamodb.ITable;
  bus: events.IEventBus;
}

/**
 * The daily birthday check: an EventBridge Scheduler schedule at 07:00 Europe/Berlin (flexible
 * window off) invokes the birthday-check function with the time it fired, retries, and sends what
 * it could not deliver to an alarmed dead-letter queue. The scheduler invokes asynchronously, so a
 * run that throws is Lambda's to retry (twice), and then goes to an alarmed on-failure destination
 * (`failedRuns`) rather than nowhere; its event keys make re-running the day safe. The function
 * may only query the birthday index and put events on the bus.
 */
export class BirthdaySchedule extends Construct {
  readonly handler: CrmFunction;
  readonly schedule: scheduler.Schedule;
  readonly deadLetters: FailureQueue;
  /** Runs that threw on every attempt (Lambda's async retries): the schedule's input, to re-run. */
  readonly failedRuns: FailureQueue;

  constructor(scope: Construct, id: string, props: BirthdayScheduleProps) {
    super(scope, id);
    this.handler = new CrmFunction(this, 'Handler', {
      name: 'birthday-check',
      description: 'Daily: ContactBirthday for the day\'s birthdays',
      timeout: Duration.minutes(5),
      environment: { CRM_TABLE_NAME: props.crmTable.tableName, EVENT_BUS_NAME: props.bus.eventBusName },
    });
    // Only the sparse birthday index: the run never reads the table itself.
    this.handler.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${props.crmTable.tableArn}/index/BirthdayIndex`] }));
    props.bus.grantPutEventsTo(this.handler.fn);

    this.deadLetters = new FailureQueue(this, 'DeadLetters', { purpose: 'Birthday-check invocations the scheduler could not deliver after its retries' });
    this.failedRuns = new FailureQueue(this, 'OnFailure', { purpose: 'Birthday-check runs that still threw after Lambda\'s async retries (re-invoke with the message\'s requestPayload)' });
    this.handler.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(this.failedRuns.queue) });
    // The scheduler's own role, allowed to invoke this function only.
    const invoker = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'EventBridge Scheduler invoking the birthday check',
    });
    const stack = Stack.of(this);
    const fnId = stack.resolve(stack.getLogicalId(this.handler.fn.node.defaultChild as lambda.CfnFunction)) as string;
    Validations.of(invoker).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`,
      reason: 'The Lambda target grants invoke on the function and its versions (arn:*); it reaches no other function.',
    });
    this.schedule = new scheduler.Schedule(this, 'Daily', {
      description: 'Birthday check, daily at 07:00 Europe/Berlin',
      schedule: scheduler.ScheduleExpression.expression(BIRTHDAY_SCHEDULE.cron, TimeZone.of(BIRTHDAY_SCHEDULE.timeZone)),
      timeWindow: scheduler.TimeWindow.off(),
      target: new LambdaInvoke(this.handler.fn, {
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        role: invoker,
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
        deadLetterQueue: this.deadLetters.queue,
      }),
    });
  }
}
