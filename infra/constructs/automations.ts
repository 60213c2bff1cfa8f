import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Construct } from 'constructs';
import { FAMILIES, RULES, runnerOf, type Family } from '#events/rules';
import { DEFAULT_RETENTION_DAYS } from '#shared/stores/retention';
import { CrmFunction, type FunctionEnvironment } from './crm-function.ts';
import { FailureQueue } from './failure-queue.ts';
import { RUN_FAILURES, RunFailures } from './run-failures.ts';
import { SENDER_THROTTLE_PERIODS, sendConcurrency } from './send-rate.ts';
import { grantSendAsTenant } from './sending-identities.ts';
import type { WaitSchedules } from './wait-schedules.ts';

/** The runner functions, one per event family. */
type RunnerName = ReturnType<typeof runnerOf>;

/** The tables a run reads and writes, wherever it runs (a runner, or wake-run going on with one). */
export interface RunTables {
  crmTable: dynamodb.ITable;
  automationsTable: dynamodb.ITable;
  executionsTable: dynamodb.ITable;
  /** Days executions and claims are kept. @default 90 */
  executionRetentionDays?: number;
  /** The SES configuration set every send names (bounce and complaint events, `SesEvents`). */
  sesConfigurationSet?: string;
}

/** The environment of a function that runs automations (the wake schedules' part comes with `grantScheduling`). */
export function runEnvironment(props: RunTables): FunctionEnvironment<'deal-runner'> {
  return {
    CRM_TABLE_NAME: props.crmTable.tableName,
    AUTOMATIONS_TABLE_NAME: props.automationsTable.tableName,
    EXECUTIONS_TABLE_NAME: props.executionsTable.tableName,
    EXECUTION_RETENTION_DAYS: String(props.executionRetentionDays ?? DEFAULT_RETENTION_DAYS),
    ...(props.sesConfigurationSet ? { SES_CONFIGURATION_SET: props.sesConfigurationSet } : {}),
  };
}

/**
 * What running an automation's steps needs: read and write the CRM items, update the
 * automation's last-run fields, read and write executions, and send mail with SES v2 through the
 * tenant's SES tenant (`grantSendAsTenant` says why that, not IAM, keeps tenants apart).
 */
export function grantRun(fn: CrmFunction, props: RunTables): void {
  fn.grantTableReadWrite(props.crmTable);
  fn.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [props.automationsTable.tableArn] }));
  fn.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [props.executionsTable.tableArn] }));
  grantSendAsTenant(fn);
}

export interface AutomationsProps extends RunTables {
  bus: events.IEventBus;
  /** The wait steps' schedules: every runner may create and delete them; run-failures reads their dead letters. */
  waits: WaitSchedules;
  /** Each runner's reserved concurrency (see `sendConcurrency`). @default sendConcurrency() */
  reservedConcurrency?: number;
}

/** The rule target's retry policy: EventBridge retries a failed delivery this often, within this age. */
export const TARGET_RETRY = { retryAttempts: 8, maxEventAge: Duration.hours(6) } as const;

/**
 * The runners: one function per event family, each the target of its bus rule (retry policy and an
 * SQS dead-letter queue), with an async on-failure destination for runs that still fail after
 * Lambda's own retries. Each may query the enabled automations and do what a run does
 * (`grantRun`), and create and delete the wait steps' schedules (`WaitSchedules.grantScheduling`).
 */
export class Automations extends Construct {
  readonly runners: Record<Family, CrmFunction<RunnerName>>;
  readonly rules: Record<Family, events.Rule>;
  readonly deadLetters: FailureQueue;
  readonly failedRuns: FailureQueue;
  /** Consumes `failedRuns`: closes the runs the runners gave up on. */
  readonly runFailures: RunFailures;
  /** `failedRuns` messages the run-failures function could not handle. */
  readonly runFailuresDeadLetters: FailureQueue;

  constructor(scope: Construct, id: string, props: AutomationsProps) {
    super(scope, id);
    this.deadLetters = new FailureQueue(this, 'RuleDeadLetters', { purpose: 'Events the bus could not deliver to a runner after the rule target\'s retries' });
    this.runFailuresDeadLetters = new FailureQueue(this, 'RunFailuresDeadLetters', { purpose: 'Failed runs the run-failures function could not close' });
    this.failedRuns = new FailureQueue(this, 'FailedRuns', {
      purpose: 'Automation runs that still failed after Lambda\'s async retries',
      visibilityTimeout: RUN_FAILURES.visibilityTimeout,
      deadLetterQueue: { queue: this.runFailuresDeadLetters.queue, maxReceiveCount: RUN_FAILURES.maxReceiveCount },
    });

    this.runners = {} as Record<Family, CrmFunction<RunnerName>>;
    this.rules = {} as Record<Family, events.Rule>;
    for (const family of FAMILIES) {
      const runner = new CrmFunction(this, `${family}Runner`, {
        name: runnerOf(family),
        description: `Runs the automations triggered by ${family} events`,
        timeout: Duration.seconds(60),
        environment: runEnvironment(props),
        overrides: { reservedConcurrentExecutions: props.reservedConcurrency ?? sendConcurrency() },
        throttlePeriodsToAlarm: SENDER_THROTTLE_PERIODS,
      });
      runner.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${props.automationsTable.tableArn}/index/EnabledIndex`] }));
      // A change to a record reconsiders the runs waiting on it: the sparse index of those runs, and their automations.
      runner.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${props.executionsTable.tableArn}/index/GSI6`] }));
      runner.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.automationsTable.tableArn] }));
      grantRun(runner, props);
      props.waits.grantScheduling(runner);
      runner.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(this.failedRuns.queue) });

      const rule = new events.Rule(this, `${family}Rule`, {
        eventBus: props.bus,
        description: `${family} events to the ${runnerOf(family)}`,
        eventPattern: RULES[family],
      });
      rule.addTarget(new targets.LambdaFunction(runner.fn, { ...TARGET_RETRY, deadLetterQueue: this.deadLetters.queue }));
      this.runners[family] = runner;
      this.rules[family] = rule;
    }
    this.runFailures = new RunFailures(this, 'RunFailures', {
      queue: this.failedRuns.queue,
      wakeQueue: props.waits.deadLetters.queue,
      crmTable: props.crmTable,
      automationsTable: props.automationsTable,
      executionsTable: props.executionsTable,
      executionRetentionDays: props.executionRetentionDays,
    });
  }
}
