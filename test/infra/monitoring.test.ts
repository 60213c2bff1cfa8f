import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM_THRESHOLDS } from '#infra/constructs/monitoring';
import { synthStack } from '../support/synth.ts';

let template: Template;
beforeAll(() => {
  template = synthStack({ alarmEmails: ['ops@crm.example', 'oncall@crm.example'] }).template();
});

const all = (type: string) => Object.entries(template.findResources(type)) as Array<[string, { Properties: any }]>;
const find = (type: string, idPart: string) => all(type).find(([id]) => id.includes(idPart))!;
const alarms = () => all('AWS::CloudWatch::Alarm');

describe('the alarm topic', () => {
  it('is encrypted with a rotated key CloudWatch may use, TLS only, with the configured subscribers', () => {
    const [keyId, key] = find('AWS::KMS::Key', 'MonitoringTopicKey');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }));
    const [, topic] = find('AWS::SNS::Topic', 'MonitoringAlarmTopic');
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const subscriptions = all('AWS::SNS::Subscription').map(([, s]) => s.Properties);
    expect(subscriptions.filter((s) => s.Protocol === 'email').map((s) => s.Endpoint).sort()).toEqual(['oncall@crm.example', 'ops@crm.example']);
    const [, policy] = find('AWS::SNS::TopicPolicy', 'MonitoringAlarmTopic');
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }));
  });

  it('is the alarm and OK action of every alarm of the stack', () => {
    const [topicId] = find('AWS::SNS::Topic', 'MonitoringAlarmTopic');
    expect(alarms().length).toBeGreaterThan(30);
    for (const [id, alarm] of alarms()) {
      expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions, id).toEqual([{ Ref: topicId }]);
    }
  });

  it('still synthesizes without subscribers (the topic can be subscribed otherwise)', () => {
    const synth = synthStack();
    expect(synth.validationError).toBeUndefined();
    expect(synth.template().findResources('AWS::SNS::Subscription')).toEqual({});
  });
});

describe('alarms', () => {
  it('watch every function of the system for errors and throttles', () => {
    const functions = all('AWS::Lambda::Function').filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'));
    expect(functions.length).toBeGreaterThanOrEqual(12);
    for (const [fnId] of functions) {
      const on = (metric: string) => alarms().filter(([, a]) => a.Properties.Namespace === 'AWS/Lambda' && a.Properties.MetricName === metric && a.Properties.Dimensions?.[0]?.Value?.Ref === fnId);
      expect(on('Errors'), `${fnId} Errors`).toHaveLength(1);
      expect(on('Throttles'), `${fnId} Throttles`).toHaveLength(1);
    }
  });

  it('let the sending functions be throttled for a while before alarming (their concurrency is the back-pressure)', () => {
    const [runnerId] = find('AWS::Lambda::Function', 'dealsRunnerFn');
    const [, throttles] = alarms().find(([, a]) => a.Properties.MetricName === 'Throttles' && a.Properties.Dimensions[0].Value.Ref === runnerId)!;
    expect(throttles.Properties.EvaluationPeriods).toBe(3);
  });

  it('watch the stream\'s iterator age', () => {
    const [publisherId] = find('AWS::Lambda::Function', 'StreamPublisherFn');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: publisherId } }],
      Statistic: 'Maximum',
      Threshold: ALARM_THRESHOLDS.iteratorAgeMs,
    });
  });

  it('watch the API\'s 5xx and p99 latency', () => {
    const [apiId] = find('AWS::ApiGatewayV2::Api', 'HttpApi');
    const dimensions = [{ Name: 'ApiId', Value: { Ref: apiId } }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: dimensions, Statistic: 'Sum', Threshold: ALARM_THRESHOLDS.api5xxPer5Minutes });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApiGateway', MetricName: 'Latency', Dimensions: dimensions, ExtendedStatistic: 'p99', Threshold: ALARM_THRESHOLDS.apiP99LatencyMs });
  });

  it('watch every table for throttled reads and writes', () => {
    for (const [tableId] of all('AWS::DynamoDB::Table')) {
      const matching = alarms().filter(([, a]) => {
        const metrics = (a.Properties.Metrics ?? []) as any[];
        const names = metrics.filter((m) => m.MetricStat?.Metric.Dimensions?.[0]?.Value?.Ref === tableId).map((m) => m.MetricStat.Metric.MetricName);
        return names.includes('ReadThrottleEvents') && names.includes('WriteThrottleEvents');
      });
      expect(matching, tableId).toHaveLength(1);
    }
  });

  it('watch the SES bounce and complaint rates below AWS\'s review thresholds', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/SES', MetricName: 'Reputation.BounceRate', Threshold: 0.05, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/SES', MetricName: 'Reputation.ComplaintRate', Threshold: 0.001, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('include one on every dead-letter queue and on-failure destination', () => {
    for (const [queueId] of all('AWS::SQS::Queue')) {
      const matching = alarms().filter(([, a]) => a.Properties.Namespace === 'AWS/SQS' && a.Properties.Dimensions?.[0]?.Value?.['Fn::GetAtt']?.[0] === queueId);
      expect(matching, queueId).toHaveLength(1);
    }
  });
});

describe('the dashboard', () => {
  it('shows the API, the stream, the runners, the dead letters and SES', () => {
    const [, dashboard] = find('AWS::CloudWatch::Dashboard', 'MonitoringDashboard');
    const body = JSON.stringify(template.toJSON().Resources[find('AWS::CloudWatch::Dashboard', 'MonitoringDashboard')[0]].Properties.DashboardBody);
    expect(dashboard).toBeDefined();
    for (const title of ['API requests and 5xx', 'API latency', 'Stream iterator age', 'Runner invocations', 'Runner errors and throttles', 'Dead-letter queue depths', 'SES sends, bounces, complaints']) {
      expect(body).toContain(title);
    }
    expect(body).toMatch(/IteratorAge/);
    expect(body).toMatch(/ApproximateNumberOfMessagesVisible/);
    expect(body).toMatch(/AWS\/SES/);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    void Match;
  });
});
