import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthStack } from '../support/synth.ts';

let template: Template;
beforeAll(() => {
  template = synthStack().template();
});

const resources = (type: string) => Object.entries(template.findResources(type)) as Array<[string, { Properties: any }]>;

describe('event pipeline', () => {
  it('reads the stream with item failures, bisection, bounded retries and age, and an SQS on-failure destination', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('CrmTable'), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86400,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('StreamFailures'), 'Arn'] } } },
    });
  });

  it('keeps an archive of every event on the bus', () => {
    const [busId] = resources('AWS::Events::EventBus')[0]!;
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: 365,
      EventPattern: { account: [Match.anyValue()] },
    });
  });

  it('encrypts the failure queue, enforces TLS on it and raises an alarm as soon as it holds a message', () => {
    const [queueId, queue] = resources('AWS::SQS::Queue').find(([id]) => id.includes('StreamFailures'))!;
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
  });

  it('lets the publisher put events on the crm bus only, and send only to the failure queue', () => {
    const [, policy] = resources('AWS::IAM::Policy').find(([id]) => id.includes('StreamPublisher'))!;
    const statements = policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>;
    const byAction = (action: string) => statements.find((s) => [s.Action].flat().includes(action));
    expect(JSON.stringify(byAction('events:PutEvents')!.Resource)).toMatch(/PipelineBus/);
    expect(JSON.stringify(byAction('sqs:SendMessage')!.Resource)).toMatch(/StreamFailures/);
    expect(JSON.stringify(byAction('dynamodb:GetRecords')!.Resource)).toMatch(/CrmTable.*StreamArn/);
    expect(statements.some((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:Put') || a.startsWith('dynamodb:Update')))).toBe(false);
  });

  it('tells the publisher where the bus and the failure queue are', () => {
    const [, fn] = resources('AWS::Lambda::Function').find(([id]) => id.includes('StreamPublisher'))!;
    expect(fn.Properties.Environment.Variables).toMatchObject({
      EVENT_BUS_NAME: { Ref: expect.stringMatching(/^PipelineBus/) },
      POISON_QUEUE_URL: { Ref: expect.stringMatching(/StreamFailures/) },
    });
  });
});
