import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { grantRun, runEnvironment, type RunTables } from './automations.ts';
import { CrmFunction, type FunctionWith } from './crm-function.ts';
import { FailureQueue } from './failure-queue.ts';
import { SENDER_THROTTLE_PERIODS, sendConcurrency } from './send-rate.ts';
import { RUN_FAILURES } from './run-failures.ts';
import { nagResource } from './nag-resource.ts';

/**
 * How waiting runs are woken. `retryAttempts` and `maxEventAge` are the RetryPolicy every wake
 * schedule carries (set at run time from `WAKE_RETRY_ATTEMPTS` / `WAKE_MAX_EVENT_AGE_SECONDS`):
 * Scheduler retries a failed delivery this often, within this age, then sends the wake input to
 * the wake dead-letter queue. `asyncRetryAttempts` and `asyncMaxEventAge` are Lambda's own retries
 * of a wake that was delivered but failed; after them Lambda's destination record goes to the same
 * queue. The run-failures function closes the run either way.
 */
export const WAKE_SCHEDULES = {
  retryAttempts: 10,
  maxEventAge: Duration.hours(6),
  asyncRetryAttempts: 2,
  asyncMaxEventAge: Duration.hours(6),
  timeout: Duration.seconds(60),
} as const;

/** The environment variables `grantScheduling` sets. */
type WakeVariable = 'SCHEDULE_GROUP_NAME' | 'SCHEDULER_ROLE_ARN' | 'WAKE_FUNCTION_ARN' | 'WAKE_DLQ_ARN' | 'WAKE_RETRY_ATTEMPTS' | 'WAKE_MAX_EVENT_AGE_SECONDS';

/** The runners' tables (and retention, which must be the runners'): wake-run goes on with their runs. */
export type WaitSchedulesProps = RunTables & {
  /** wake-run's reserved concurrency (see `sendConcurrency`). @default sendConcurrency() */
  reservedConcurrency?: number;
};

/**
 * The wait steps' one-time schedules: a schedule group of this stack, the wake-run function that
 * each schedule invokes (with `{ tenantId, executionId, step, revision }`) to go on with the run,
 * EventBridge Scheduler's execution role (may invoke wake-run and dead-letter to the wake queue,
 * nothing else), and the wake dead-letter queue, which takes what Scheduler could not deliver and
 * what wake-run still failed after Lambda's retries; the run-failures function consumes it.
 * `grantScheduling` lets a function create and delete the group's schedules.
 */
export class WaitSchedules extends Construct {
  readonly group: scheduler.ScheduleGroup;
  readonly wakeRun: CrmFunction<'wake-run'>;
  /** EventBridge Scheduler's execution role for every wake schedule. */
  readonly schedulerRole: iam.Role;
  /** Undeliverable and failed wakes: Scheduler's DeadLetterConfig and wake-run's on-failure destination. */
  readonly deadLetters: FailureQueue;
  /** Wake dead letters the run-failures function could not handle. */
  readonly failuresDeadLetters: FailureQueue;
  /** `arn:…:schedule/<group>/*`: the only schedules the functions may touch. */
  readonly scheduleArns: string;
  /** wake-run's ARN, built from its name: the schedules' target (`WAKE_FUNCTION_ARN`). */
  readonly wakeRunArn: string;

  constructor(scope: Construct, id: string, props: WaitSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // One group per stack, named after it: two stacks in one account keep their schedules apart.
    // Destroyed with the stack (its schedules target the stack's function and role, gone with it).
    this.group = new scheduler.ScheduleGroup(this, 'Group', { scheduleGroupName: physicalName(this, 'waits'), removalPolicy: RemovalPolicy.DESTROY });
    this.scheduleArns = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.group.scheduleGroupName}/*` });

    this.failuresDeadLetters = new FailureQueue(this, 'WakeFailuresDeadLetters', { purpose: 'Failed wakes the run-failures function could not close' });
    this.deadLetters = new FailureQueue(this, 'WakeDeadLetters', {
      purpose: 'Wakes of waiting runs that Scheduler could not deliver or that wake-run still failed after Lambda\'s async retries',
      visibilityTimeout: RUN_FAILURES.visibilityTimeout,
      deadLetterQueue: { queue: this.failuresDeadLetters.queue, maxReceiveCount: RUN_FAILURES.maxReceiveCount },
    });

    // Named, so that its ARN can be built without a reference: wake-run re-arms schedules that
    // target itself, and its own ARN (GetAtt) in its own environment would be a cycle.
    const wakeRunName = physicalName(this, 'wake-run');
    this.wakeRunArn = stack.formatArn({ service: 'lambda', resource: 'function', resourceName: wakeRunName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.wakeRun = new CrmFunction(this, 'WakeRun', {
      name: 'wake-run',
      description: 'Goes on with an automation run once its wait step is over',
      timeout: WAKE_SCHEDULES.timeout,
      environment: runEnvironment(props),
      overrides: { functionName: wakeRunName, reservedConcurrentExecutions: props.reservedConcurrency ?? sendConcurrency() },
      throttlePeriodsToAlarm: SENDER_THROTTLE_PERIODS,
    });
    // What a runner may do, since it goes on with a runner's run; and it re-reads the automation.
    grantRun(this.wakeRun, props);
    this.wakeRun.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.automationsTable.tableArn] }));
    this.wakeRun.fn.configureAsyncInvoke({
      retryAttempts: WAKE_SCHEDULES.asyncRetryAttempts,
      maxEventAge: WAKE_SCHEDULES.asyncMaxEventAge,
      onFailure: new SqsDestination(this.deadLetters.queue),
    });

    // Only this account's Scheduler, for this group's schedules, may assume it.
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': this.group.scheduleGroupArn } },
      }),
      description: 'EventBridge Scheduler waking waiting automation runs',
    });
    const fnArn = this.wakeRun.fn.functionArn;
    this.schedulerRole.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fnArn, `${fnArn}:*`] }));
    this.schedulerRole.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetters.queue.queueArn] }));
    const fnId = stack.resolve(stack.getLogicalId(this.wakeRun.fn.node.defaultChild as lambda.CfnFunction)) as string;
    Validations.of(this.schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`,
      reason: 'Invoke on the wake-run function and its versions (arn:*); it reaches no other function.',
    });

    this.grantScheduling(this.wakeRun);
  }

  /**
   * Lets a function create, update, read and delete the group's schedules (nothing outside the
   * group), and pass the Scheduler role to Scheduler only; sets what it needs to build a wake
   * schedule (its variables, typed by the function's kind).
   */
  grantScheduling(fn: CrmFunction<FunctionWith<WakeVariable>>): void {
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
        resources: [this.scheduleArns],
      }),
    );
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, this.scheduleArns)}]`,
      reason: 'Wake schedules are named at run time after the execution and step; the grant covers this stack\'s schedule group only.',
    });
    fn.setEnvironment({
      SCHEDULE_GROUP_NAME: this.group.scheduleGroupName,
      SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
      // Built from wake-run's name (`<stack>-wake-run`), so wake-run gets it too without a reference to itself.
      WAKE_FUNCTION_ARN: this.wakeRunArn,
      WAKE_DLQ_ARN: this.deadLetters.queue.queueArn,
      WAKE_RETRY_ATTEMPTS: String(WAKE_SCHEDULES.retryAttempts),
      WAKE_MAX_EVENT_AGE_SECONDS: String(WAKE_SCHEDULES.maxEventAge.toSeconds()),
    } satisfies Record<WakeVariable, string>);
  }
}

/**
 * `<stack>-<suffix>`, so that two stacks in one account keep apart; for a very long stack name a
 * unique name of the construct that fits the limit (64, both for groups and functions).
 */
function physicalName(scope: Construct, suffix: string): string {
  const name = `${Stack.of(scope).stackName}-${suffix}`;
  return name.length <= 64 ? name : `${Names.uniqueResourceName(scope, { maxLength: 63 - suffix.length, separator: '-' })}-${suffix}`;
}

