import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES, RULES } from '#events/rules';
import { synthStack } from '../support/synth.ts';

let template: Template;
beforeAll(() => {
  template = synthStack().template();
});

const all = (type: string) => Object.entries(template.findResources(type)) as Array<[string, { Properties: any }]>;
const find = (type: string, idPart: string) => all(type).find(([id]) => id.includes(idPart))!;

describe('automation tables', () => {
  it('keep definitions with the sparse enabled index, and expire executions', () => {
    const tables = all('AWS::DynamoDB::Table').map(([, t]) => t.Properties);
    const automations = tables.find((t) => t.GlobalSecondaryIndexes?.some((i: any) => i.IndexName === 'EnabledIndex'));
    expect(automations.GlobalSecondaryIndexes.find((i: any) => i.IndexName === 'EnabledIndex').KeySchema.map((k: any) => k.AttributeName)).toEqual(['TRIGGER', 'TRIGGERSK']);
    const executions = tables.find((t) => t.TimeToLiveSpecification);
    expect(executions.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    for (const table of [automations, executions]) expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });
});

describe('runners', () => {
  it('have one rule per event family, with the shared pattern, retries and a dead-letter queue', () => {
    const [deadLetterId] = find('AWS::SQS::Queue', 'RuleDeadLetters');
    // The other rule is the SES events' on the default bus (test/infra/ses-events.test.ts).
    const rules = all('AWS::Events::Rule').filter(([id]) => !id.includes('SesEvents'));
    expect(rules).toHaveLength(FAMILIES.length);
    for (const family of FAMILIES) {
      const [, rule] = rules.find(([id]) => id.includes(`${family}Rule`))!;
      expect(rule.Properties.EventPattern).toEqual(RULES[family]);
      expect(rule.Properties.EventBusName).toEqual({ Ref: expect.stringMatching(/PipelineBus/) });
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`${family}RunnerFn`)), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 6 * 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] } },
        }),
      ]);
    }
  });

  it('send runs that still fail to an alarmed on-failure destination', () => {
    const [failedId] = find('AWS::SQS::Queue', 'FailedRuns');
    const configs = all('AWS::Lambda::EventInvokeConfig').filter(([id]) => id.includes('Runner'));
    expect(configs).toHaveLength(FAMILIES.length);
    for (const [, config] of configs) expect(config.Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failedId, 'Arn'] } } } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [failedId, 'QueueName'] } }] });
  });

  it('may send only with SES v2 SendEmail, query only the enabled index, and write executions', () => {
    const [, policy] = find('AWS::IAM::Policy', 'dealsRunner');
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    const byAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    const allSes = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('ses:')));
    // The other statement: sending with the configuration set (test/infra/ses-events.test.ts).
    expect(allSes).toHaveLength(2);
    const withSet = allSes.filter((s) => JSON.stringify(s.Resource).includes(':configuration-set/'));
    expect(withSet).toHaveLength(1);
    expect(withSet[0]).toMatchObject({ Action: 'ses:SendEmail', Condition: { StringEquals: { 'ses:ApiVersion': '2019-09-27' } } });
    const ses = allSes.filter((s) => s !== withSet[0]);
    expect(ses[0].Action).toBe('ses:SendEmail');
    expect(ses[0].Condition).toEqual({ StringEquals: { 'ses:ApiVersion': '2019-09-27' } });
    expect(JSON.stringify(ses[0].Resource)).toContain(':identity/*');
    expect(JSON.stringify(ses[0].Resource)).not.toContain('"*"');
    expect(byAction('ses:SendRawEmail')).toEqual([]);
    const automationQuery = statements.find((s) => s.Action === 'dynamodb:Query' && JSON.stringify(s.Resource).includes('EnabledIndex'));
    expect(JSON.stringify(automationQuery.Resource)).toMatch(/AutomationsTable.*\/index\/EnabledIndex/);
    const executionGrants = statements.filter((s) => JSON.stringify(s.Resource).includes('ExecutionsTable')).map((s) => `${[s.Action].flat().sort().join(',')} ${JSON.stringify(s.Resource).includes('/index/') ? 'index' : 'table'}`);
    expect(executionGrants.sort()).toEqual(['dynamodb:GetItem,dynamodb:PutItem table', 'dynamodb:Query index']);
    // The one index: the runs waiting on a record its change reconsiders.
    expect(JSON.stringify(statements.find((s) => s.Action === 'dynamodb:Query' && JSON.stringify(s.Resource).includes('ExecutionsTable')).Resource)).toMatch(/\/index\/GSI6/);
    const automationReads = statements.filter((s) => JSON.stringify(s.Resource).includes('AutomationsTable') && !JSON.stringify(s.Resource).includes('/index/'));
    expect(automationReads.map((s) => [s.Action].flat().sort().join(',')).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  });
});
