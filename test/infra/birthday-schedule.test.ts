import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIRTHDAY_SCHEDULE } from '#shared/birthdays/schedule';
import { synthStack } from '../support/synth.ts';

let template: Template;
beforeAll(() => {
  template = synthStack().template();
});

const find = (type: string, idPart: string) => Object.entries(template.findResources(type)).find(([id]) => id.includes(idPart)) as [string, { Properties: any }];

describe('birthday schedule', () => {
  it('fires daily at 07:00 Europe/Berlin, from the shared constant, with the flexible window off', () => {
    const [, schedule] = find('AWS::Scheduler::Schedule', 'Birthdays');
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: BIRTHDAY_SCHEDULE.cron,
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
    });
    expect(BIRTHDAY_SCHEDULE.cron).toBe('cron(0 7 * * ? *)');
  });

  it('passes the time it fired, retries, and dead-letters to an alarmed queue', () => {
    const [, schedule] = find('AWS::Scheduler::Schedule', 'Birthdays');
    const [fnId] = find('AWS::Lambda::Function', 'BirthdaysHandler');
    const [queueId] = find('AWS::SQS::Queue', 'BirthdaysDeadLetters');
    expect(schedule.Properties.Target).toMatchObject({
      Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }] });
  });

  it('lets the function only query the birthday index and put events on the bus', () => {
    const [, policy] = find('AWS::IAM::Policy', 'BirthdaysHandlerRole');
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    const dynamo = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/CrmTable/), 'Arn'] }, '/index/BirthdayIndex']] } }]);
    expect(statements.find((s) => s.Action === 'events:PutEvents').Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/PipelineBus/), 'Arn'] });
  });

  it('lets only the scheduler of this account invoke the function', () => {
    const [, role] = find('AWS::IAM::Role', 'BirthdaysSchedulerRole');
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': expect.anything() } },
    });
    const [, policy] = find('AWS::IAM::Policy', 'BirthdaysSchedulerRole');
    const invoke = (policy.Properties.PolicyDocument.Statement as any[]).find((s) => s.Action === 'lambda:InvokeFunction');
    expect(JSON.stringify(invoke.Resource)).toMatch(/BirthdaysHandlerFn/);
    expect(JSON.stringify(invoke.Resource)).not.toMatch(/"\*"/);
  });
});
