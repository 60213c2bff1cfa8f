import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUN_FAILURES } from '#infra/constructs/run-failures';
import { synthStack } from '../support/synth.ts';

let template: Template;
beforeAll(() => {
  template = synthStack().template();
});

const all = (type: string) => Object.entries(template.findResources(type)) as Array<[string, { Properties: any }]>;
const find = (type: string, idPart: string) => {
  const found = all(type).filter(([id]) => id.includes(idPart));
  expect(found, `${type} ${idPart}`).toHaveLength(1);
  return found[0]!;
};

describe('run-failures function', () => {
  it('consumes the runners\' on-failure queue in batches, reporting item failures', () => {
    const [fnId, fn] = find('AWS::Lambda::Function', 'RunFailuresHandler');
    const [failedRunsId] = find('AWS::SQS::Queue', 'FailedRuns');
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Timeout: RUN_FAILURES.timeout.toSeconds() });
    expect(Object.keys(fn.Properties.Environment.Variables).sort()).toEqual(
      expect.arrayContaining(['AUTOMATIONS_TABLE_NAME', 'CRM_TABLE_NAME', 'EXECUTIONS_TABLE_NAME', 'EXECUTION_RETENTION_DAYS']),
    );
    // The other source is the wake dead-letter queue (test/infra/wait-schedules.test.ts).
    const mappings = all('AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m.Properties.FunctionName).includes(fnId) && JSON.stringify(m.Properties.EventSourceArn).includes(failedRunsId));
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [failedRunsId, 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('has the queue retry a message 5 times, then move it to its own alarmed dead-letter queue', () => {
    const [, failedRuns] = find('AWS::SQS::Queue', 'FailedRuns');
    const [deadLettersId, deadLetters] = find('AWS::SQS::Queue', 'RunFailuresDeadLetters');
    expect(failedRuns.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [deadLettersId, 'Arn'] }, maxReceiveCount: 5 });
    // A message must stay invisible while the function works on it.
    expect(failedRuns.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * RUN_FAILURES.timeout.toSeconds());
    expect(deadLetters.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLettersId, 'QueueName'] } }], Threshold: 1 });
  });

  it('may list automations, update their last run, read and write executions, read CRM items, and take messages off its queues only', () => {
    const [, policy] = find('AWS::IAM::Policy', 'RunFailuresHandlerRole');
    const [failedRunsId] = find('AWS::SQS::Queue', 'FailedRuns');
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    const tableOf = (resource: unknown) => {
      const text = JSON.stringify(resource);
      return `${/(CrmTable|AutomationsTable|ExecutionsTable)/.exec(text)?.[1]}${text.includes('/index/') ? text.match(/\/index\/\w+/)![0] : ''}`;
    };
    const grants = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:'))).map((s) => `${[s.Action].flat().sort().join(',')} ${tableOf(s.Resource)}`);
    expect(grants.sort()).toEqual([
      'dynamodb:GetItem CrmTable',
      'dynamodb:GetItem,dynamodb:PutItem ExecutionsTable',
      'dynamodb:Query AutomationsTable/index/GSI1',
      'dynamodb:UpdateItem AutomationsTable',
    ]);
    const text = JSON.stringify(statements);
    for (const action of ['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:*', 'ses:SendEmail', 'ses:SendRawEmail']) expect(text).not.toContain(`"${action}"`);
    const [wakeDeadLettersId] = find('AWS::SQS::Queue', 'WakeDeadLetters');
    const sqs = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('sqs:')));
    expect(sqs.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [failedRunsId, 'Arn'] }, { 'Fn::GetAtt': [wakeDeadLettersId, 'Arn'] }]);
    for (const statement of sqs) {
      expect([statement.Action].flat()).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']));
      expect([statement.Action].flat()).not.toContain('sqs:SendMessage');
    }
  });
});
