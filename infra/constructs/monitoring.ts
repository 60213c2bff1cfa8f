import { Annotations, ArnFormat, Aspects, Duration, Stack, type IAspect } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';

/** The thresholds of the alarms this construct defines (the README's runbook names them). */
export const ALARM_THRESHOLDS = {
  /** The stream's oldest unprocessed record, for 5 minutes in a row. */
  iteratorAgeMs: 5 * 60 * 1000,
  /** API 5xx responses in 5 minutes. */
  api5xxPer5Minutes: 5,
  /** API p99 latency for 15 minutes in a row (the integration times out at 29 s). */
  apiP99LatencyMs: 3000,
  /** Read plus write throttle events on a table in 5 minutes (the SDK retries the odd one). */
  tableThrottlesPer5Minutes: 10,
  /** SES reputation: AWS reviews an account above 5 % bounces (10 % may pause sending). */
  sesBounceRate: 0.05,
  /** SES reputation: AWS reviews an account above 0.1 % complaints (0.5 % may pause sending). */
  sesComplaintRate: 0.001,
} as const;

export interface MonitoringProps {
  /** Who is told (alarm and OK): e-mail subscribers of the alarm topic. @default none (warned) */
  alarmEmails?: string[];
  httpApi: apigw.HttpApi;
  /** The function behind the table's stream (iterator age). */
  streamPublisher: lambda.IFunction;
  /** The functions that run automations, for the dashboard. */
  runners: Record<string, lambda.IFunction>;
  /** The tables whose throttling is alarmed. */
  tables: Record<string, dynamodb.ITable>;
  /** The dead-letter queues and on-failure destinations, for the dashboard (each has its own alarm). */
  deadLetterQueues: Record<string, sqs.IQueue>;
}

/**
 * Alarms that reach someone: one SNS topic (KMS-encrypted, TLS only, e-mail subscribers from the
 * `alarmEmails` context) is the alarm and OK action of every CloudWatch alarm of the stack; an
 * aspect adds it, so an alarm defined anywhere (a construct's own, like each function's errors
 * and throttles or each dead-letter queue's) cannot be left without one. Defines the alarms that
 * belong to no single construct (stream iterator age, API 5xx and latency, table throttling, SES
 * reputation) and the pipeline's dashboard.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // CloudWatch cannot publish to a topic under the AWS-managed SNS key (its policy cannot be
    // changed), so a customer-managed key that lets CloudWatch of this account use it.
    this.key = new kms.Key(this, 'TopicKey', { description: 'Encrypts the CRM alarm topic', enableKeyRotation: true });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'CRM automation alarms', masterKey: this.key, enforceSSL: true });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );
    const emails = props.alarmEmails ?? [];
    for (const email of emails) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new Error(`alarmEmails: "${email}" is not an e-mail address`);
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    if (emails.length === 0) {
      Annotations.of(this).addWarningV2('crm:no-alarm-subscribers', 'No alarm subscribers: pass -c alarmEmails=\'["ops@example.com"]\' or subscribe to the AlarmTopic otherwise, or alarms reach nobody.');
    }
    Aspects.of(stack).add(new AlarmActions(new SnsAction(this.topic)));

    const alarm = (name: string, props: cloudwatch.AlarmProps) => {
      this.alarms[name] = new cloudwatch.Alarm(this, name, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...props });
      return this.alarms[name]!;
    };
    const atLeast = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;

    const iteratorAge = props.streamPublisher.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' });
    alarm('StreamIteratorAge', {
      alarmDescription: 'The table stream is behind: records wait over 5 minutes for the stream publisher (automations run late). Check the publisher\'s errors, throttles and duration.',
      metric: iteratorAge,
      threshold: ALARM_THRESHOLDS.iteratorAgeMs,
      comparisonOperator: atLeast,
      evaluationPeriods: 5,
    });

    const api5xx = props.httpApi.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' });
    alarm('Api5xx', {
      alarmDescription: 'The API answered with 5xx: read the api function\'s log group and the access logs.',
      metric: api5xx,
      threshold: ALARM_THRESHOLDS.api5xxPer5Minutes,
      comparisonOperator: atLeast,
      evaluationPeriods: 1,
    });
    const apiP99 = props.httpApi.metricLatency({ period: Duration.minutes(5), statistic: 'p99' });
    alarm('ApiLatencyP99', {
      alarmDescription: 'API p99 latency above 3 s for 15 minutes: check the api function\'s duration, cold starts and DynamoDB latency.',
      metric: apiP99,
      threshold: ALARM_THRESHOLDS.apiP99LatencyMs,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
    });

    for (const [name, table] of Object.entries(props.tables)) {
      alarm(`${name}Throttles`, {
        alarmDescription: `${name} throttles reads or writes: look for a hot key or the account's on-demand table limits.`,
        metric: new cloudwatch.MathExpression({
          expression: 'reads + writes',
          usingMetrics: {
            reads: table.metric('ReadThrottleEvents', { statistic: 'Sum' }),
            writes: table.metric('WriteThrottleEvents', { statistic: 'Sum' }),
          },
          period: Duration.minutes(5),
          label: `${name} throttle events`,
        }),
        threshold: ALARM_THRESHOLDS.tableThrottlesPer5Minutes,
        comparisonOperator: atLeast,
        evaluationPeriods: 1,
      });
    }

    // Account-level SES reputation in the stack's region (the runners send there).
    const ses = (metricName: string, statistic = 'Sum') => new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic, period: Duration.hours(1) });
    alarm('SesBounceRate', {
      alarmDescription: 'SES bounce rate at 5 % (AWS pauses sending near 10 %): find the automation or list that mails bad addresses.',
      metric: ses('Reputation.BounceRate', 'Maximum'),
      threshold: ALARM_THRESHOLDS.sesBounceRate,
      comparisonOperator: atLeast,
      evaluationPeriods: 1,
    });
    alarm('SesComplaintRate', {
      alarmDescription: 'SES complaint rate at 0.1 % (AWS pauses sending near 0.5 %): find the automation recipients mark as spam.',
      metric: ses('Reputation.ComplaintRate', 'Maximum'),
      threshold: ALARM_THRESHOLDS.sesComplaintRate,
      comparisonOperator: atLeast,
      evaluationPeriods: 1,
    });

    const fiveMinutes = { period: Duration.minutes(5), statistic: 'Sum' };
    const runners = Object.entries(props.runners);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(24) });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'API requests and 5xx', left: [props.httpApi.metricCount(fiveMinutes), api5xx, props.httpApi.metricClientError(fiveMinutes)], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'API latency',
        left: [props.httpApi.metricLatency({ period: Duration.minutes(5), statistic: 'p50' }), apiP99],
        leftAnnotations: [{ value: ALARM_THRESHOLDS.apiP99LatencyMs, label: 'p99 alarm' }],
        width: 8,
      }),
      new cloudwatch.GraphWidget({ title: 'Stream iterator age (ms)', left: [iteratorAge], leftAnnotations: [{ value: ALARM_THRESHOLDS.iteratorAgeMs, label: 'alarm' }], width: 8 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Runner invocations', left: runners.map(([name, fn]) => fn.metricInvocations({ ...fiveMinutes, label: name })), width: 8, stacked: true }),
      new cloudwatch.GraphWidget({ title: 'Runner errors and throttles', left: runners.map(([name, fn]) => fn.metricErrors({ ...fiveMinutes, label: `${name} errors` })), right: runners.map(([name, fn]) => fn.metricThrottles({ ...fiveMinutes, label: `${name} throttles` })), width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue depths',
        left: Object.entries(props.deadLetterQueues).map(([name, queue]) => queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum', label: name })),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'SES sends, bounces, complaints', left: [ses('Send'), ses('Delivery'), ses('Bounce'), ses('Complaint')], width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'SES reputation',
        left: [ses('Reputation.BounceRate', 'Maximum'), ses('Reputation.ComplaintRate', 'Maximum')],
        leftAnnotations: [{ value: ALARM_THRESHOLDS.sesBounceRate, label: 'bounce alarm' }, { value: ALARM_THRESHOLDS.sesComplaintRate, label: 'complaint alarm' }],
        width: 12,
      }),
    );
  }
}

/** Gives every alarm of the tree the topic as alarm and OK action, once. */
class AlarmActions implements IAspect {
  private readonly done = new WeakSet<IConstruct>();
  constructor(private readonly action: cloudwatch.IAlarmAction) {}

  visit(node: IConstruct): void {
    if (!(node instanceof cloudwatch.Alarm || node instanceof cloudwatch.CompositeAlarm) || this.done.has(node)) return;
    this.done.add(node);
    node.addAlarmAction(this.action);
    node.addOkAction(this.action);
  }
}
