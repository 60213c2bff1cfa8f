import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthStack } from '../support/synth.ts';

let template: Template;
let validationError: unknown;
beforeAll(() => {
  const synth = synthStack();
  validationError = synth.validationError;
  template = synth.template();
});

const all = (type: string) => Object.entries(template.findResources(type)) as Array<[string, { Properties: any }]>;
const one = (type: string, idPart: string) => {
  const found = all(type).filter(([id]) => id.includes(idPart));
  expect(found, `${type} ${idPart}`).toHaveLength(1);
  return found[0]!;
};

describe('bounces and complaints', () => {
  it('synthesises cleanly under cdk-nag', () => {
    expect(validationError).toBeUndefined();
  });

  it('has a configuration set whose event destination sends BOUNCE and COMPLAINT to the default bus', () => {
    const [setId] = one('AWS::SES::ConfigurationSet', 'SesEvents');
    const [, destination] = one('AWS::SES::ConfigurationSetEventDestination', 'SesEvents');
    expect(destination.Properties.ConfigurationSetName).toEqual({ Ref: setId });
    expect(destination.Properties.EventDestination).toMatchObject({ Enabled: true, MatchingEventTypes: expect.arrayContaining(['bounce', 'complaint']) });
    expect(JSON.stringify(destination.Properties.EventDestination.EventBridgeDestination.EventBusArn)).toContain('event-bus/default');
  });

  it('outputs the configuration set\'s ARN, which the backfill of existing SES tenants takes', () => {
    const [setId] = one('AWS::SES::ConfigurationSet', 'SesEvents');
    const outputs = Object.entries(template.toJSON().Outputs as Record<string, { Value: unknown }>).filter(([id]) => id.startsWith('SesEventsConfigurationSetArn'));
    expect(outputs).toHaveLength(1);
    expect(JSON.stringify(outputs[0]![1].Value)).toContain(setId);
  });

  it('routes this configuration set\'s bounces and complaints to the ses-events function, with a retry policy and an alarmed dead-letter queue', () => {
    const [setId] = one('AWS::SES::ConfigurationSet', 'SesEvents');
    const [fnId] = one('AWS::Lambda::Function', 'SesEventsHandler');
    const [, rule] = one('AWS::Events::Rule', 'SesEventsRule');
    // SES v2's EventBridge destination publishes to the default bus only.
    expect(rule.Properties.EventBusName).toBe('default');
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.ses'],
      'detail-type': ['Email Bounced', 'Email Complaint Received'],
      detail: { mail: { tags: { 'ses:configuration-set': [{ Ref: setId }] } } },
    });
    const [dlqId] = one('AWS::SQS::Queue', 'SesEventsDeadLetters');
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21_600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
      }),
    ]);
    const [, invokeConfig] = one('AWS::Lambda::EventInvokeConfig', 'SesEventsHandler');
    expect(invokeConfig.Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } } });
    const alarms = all('AWS::CloudWatch::Alarm').filter(([id]) => id.includes('SesEventsDeadLetters'));
    expect(alarms).toHaveLength(1);
  });

  it('lets the function read and update items of the CRM table only', () => {
    const [, fn] = one('AWS::Lambda::Function', 'SesEventsHandler');
    expect(Object.keys(fn.Properties.Environment.Variables)).toContain('CRM_TABLE_NAME');
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const policies = all('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId));
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    // The sqs actions are the on-failure destination's (to the dead-letter queue); the xray ones, active tracing's.
    expect(actions).toEqual(
      ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'].sort(),
    );
    for (const s of statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('sqs:')))) expect(JSON.stringify(s.Resource)).toContain('SesEventsDeadLetters');
    const dynamo = statements.find((s) => [s.Action].flat().includes('dynamodb:UpdateItem'));
    expect(dynamo.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/CrmTable/), 'Arn'] });
  });

  it('passes SES_CONFIGURATION_SET to every function that sends (runners and wake-run), which may send with it', () => {
    const [setId] = one('AWS::SES::ConfigurationSet', 'SesEvents');
    const senders = all('AWS::Lambda::Function').filter(([, fn]) => all('AWS::IAM::Policy').some(([, p]) => JSON.stringify(p.Properties.Roles).includes(fn.Properties.Role['Fn::GetAtt'][0]) && JSON.stringify(p.Properties.PolicyDocument).includes('ses:SendEmail')));
    const names = senders.map(([id]) => id);
    expect(names.some((id) => id.includes('WakeRun'))).toBe(true);
    expect(senders.length).toBeGreaterThanOrEqual(6);
    for (const [id, fn] of senders) {
      expect(fn.Properties.Environment.Variables.SES_CONFIGURATION_SET, id).toEqual({ Ref: setId });
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      const document = JSON.stringify(all('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId)).map(([, p]) => p.Properties.PolicyDocument));
      expect(document, id).toContain(':configuration-set/');
      expect(document, id).toContain(`{"Ref":"${setId}"}`);
    }
  });

  it('lets the API associate the configuration set with the SES tenants it creates', () => {
    const [, api] = one('AWS::Lambda::Function', 'ApiHandler');
    expect(api.Properties.Environment.Variables.SES_CONFIGURATION_SET_ARN).toBeDefined();
  });
});
