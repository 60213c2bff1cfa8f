import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES } from '#events/rules';
import { WAKE_SCHEDULES } from '#infra/constructs/wait-schedules';
import { synthStack } from '../support/synth.ts';

let synth: ReturnType<typeof synthStack>;
let template: Template;
beforeAll(() => {
  synth = synthStack();
  template = synth.template();
});

type Resource = { Properties: any };
const all = (type: string) => Object.entries(template.findResources(type)) as Array<[string, Resource]>;
const find = (type: string, idPart: string) => {
  const found = all(type).filter(([id]) => id.includes(idPart));
  expect(found, `${type} ${idPart}`).toHaveLength(1);
  return found[0]!;
};
const actionsOf = (statement: any): string[] => [statement.Action].flat();
const statementsOf = (roleIdPart: string) => find('AWS::IAM::Policy', `${roleIdPart}RoleDefaultPolicy`)[1].Properties.PolicyDocument.Statement as any[];
const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

const GROUP_NAME = 'CrmAutomation-waits';
/** What the functions may touch: the group's schedules, in the stack's region and account. */
const SCHEDULES = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:eu-central-1:', { Ref: 'AWS::AccountId' }, `:schedule/${GROUP_NAME}/*`]] };
/** wake-run's ARN, built from its name (its own GetAtt in its own environment would be a cycle). */
const WAKE_RUN_NAME = 'CrmAutomation-wake-run';
const WAKE_RUN_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:eu-central-1:', { Ref: 'AWS::AccountId' }, `:function:${WAKE_RUN_NAME}`]] };
const SCHEDULER_ACTIONS = ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule'];

/** The roles that create and delete wake schedules: every runner, the API and wake-run. */
const SCHEDULING = [...FAMILIES.map((family) => `Automations${family}Runner`), 'ApiHandler', 'WaitSchedulesWakeRun'];

const ids = () => ({
  group: find('AWS::Scheduler::ScheduleGroup', 'WaitSchedulesGroup')[0],
  wakeFn: find('AWS::Lambda::Function', 'WaitSchedulesWakeRunFn')[0],
  schedulerRole: find('AWS::IAM::Role', 'WaitSchedulesSchedulerRole')[0],
  deadLetters: find('AWS::SQS::Queue', 'WaitSchedulesWakeDeadLetters')[0],
});

describe('wait schedules', () => {
  it('have a schedule group of the stack, named after it', () => {
    const [, group] = find('AWS::Scheduler::ScheduleGroup', 'WaitSchedulesGroup');
    expect(group.Properties).toEqual({ Name: GROUP_NAME, Tags: expect.any(Array) });
    expect(synth.stack.stackName).toBe('CrmAutomation');
  });

  it('keep the retry policy for the schedules within what Scheduler accepts', () => {
    expect(WAKE_SCHEDULES.retryAttempts).toBeGreaterThanOrEqual(0);
    expect(WAKE_SCHEDULES.retryAttempts).toBeLessThanOrEqual(185);
    expect(WAKE_SCHEDULES.maxEventAge.toSeconds()).toBeGreaterThanOrEqual(60);
    expect(WAKE_SCHEDULES.maxEventAge.toSeconds()).toBeLessThanOrEqual(86_400);
  });
});

describe('the Scheduler execution role', () => {
  it('may be assumed only by this account\'s Scheduler, for the group\'s schedules', () => {
    const { group, schedulerRole } = ids();
    const [, role] = find('AWS::IAM::Role', schedulerRole);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': getAtt(group) } },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
  });

  it('may invoke wake-run and send to the wake dead-letter queue, nothing else', () => {
    const { wakeFn, schedulerRole, deadLetters } = ids();
    const policies = all('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(schedulerRole));
    expect(policies).toHaveLength(1);
    expect(policies[0]![1].Properties.PolicyDocument.Statement).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: [getAtt(wakeFn), { 'Fn::Join': ['', [getAtt(wakeFn), ':*']] }] },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: getAtt(deadLetters) },
    ]);
  });
});

describe('functions that schedule wakes', () => {
  it('may touch the group\'s schedules only, and pass the Scheduler role to Scheduler only', () => {
    const { schedulerRole } = ids();
    for (const roleId of SCHEDULING) {
      const statements = statementsOf(roleId);
      const scheduler = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('scheduler:')));
      expect(scheduler, roleId).toHaveLength(1);
      expect(actionsOf(scheduler[0]).sort(), roleId).toEqual(SCHEDULER_ACTIONS);
      expect(scheduler[0].Resource, roleId).toEqual(SCHEDULES);
      expect(scheduler[0].Condition, roleId).toBeUndefined();
      const passRole = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('iam:')));
      expect(passRole, roleId).toEqual([
        { Action: 'iam:PassRole', Effect: 'Allow', Resource: getAtt(schedulerRole), Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } },
      ]);
    }
  });

  it('are the only ones: no other role may schedule or pass a role', () => {
    const policies = all('AWS::IAM::Policy').filter(([, p]) => (p.Properties.PolicyDocument.Statement as any[]).some((s) => actionsOf(s).some((a) => a.startsWith('scheduler:') || a.startsWith('iam:'))));
    expect(policies.map(([id]) => SCHEDULING.find((roleId) => id.startsWith(`${roleId}RoleDefaultPolicy`)) ?? id).sort()).toEqual([...SCHEDULING].sort());
  });

  it('get the group, the role, the target, the dead-letter queue and the retry policy as environment', () => {
    const { schedulerRole, deadLetters } = ids();
    const expected = {
      SCHEDULE_GROUP_NAME: GROUP_NAME,
      SCHEDULER_ROLE_ARN: getAtt(schedulerRole),
      WAKE_FUNCTION_ARN: WAKE_RUN_ARN,
      WAKE_DLQ_ARN: getAtt(deadLetters),
      WAKE_RETRY_ATTEMPTS: String(WAKE_SCHEDULES.retryAttempts),
      WAKE_MAX_EVENT_AGE_SECONDS: String(WAKE_SCHEDULES.maxEventAge.toSeconds()),
    };
    expect(expected).toMatchObject({ SCHEDULE_GROUP_NAME: GROUP_NAME, WAKE_RETRY_ATTEMPTS: '10', WAKE_MAX_EVENT_AGE_SECONDS: '21600' });
    for (const roleId of SCHEDULING) {
      const [, fn] = find('AWS::Lambda::Function', `${roleId}Fn`);
      expect(fn.Properties.Environment.Variables, roleId).toMatchObject(expected);
    }
  });
});

describe('the wake-run function', () => {
  it('runs like a runner: Node.js 22, the runner\'s tables and retention', () => {
    const [, fn] = find('AWS::Lambda::Function', 'WaitSchedulesWakeRunFn');
    const [, runner] = find('AWS::Lambda::Function', 'AutomationscontactsRunnerFn');
    expect(fn.Properties).toMatchObject({ FunctionName: WAKE_RUN_NAME, Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: WAKE_SCHEDULES.timeout.toSeconds() });
    for (const name of ['CRM_TABLE_NAME', 'AUTOMATIONS_TABLE_NAME', 'EXECUTIONS_TABLE_NAME', 'EXECUTION_RETENTION_DAYS']) {
      expect(fn.Properties.Environment.Variables[name], name).toEqual(runner.Properties.Environment.Variables[name]);
    }
  });

  it('may do what a run does, and read the automation it goes on with', () => {
    const statements = statementsOf('WaitSchedulesWakeRun');
    const runner = statementsOf('AutomationscontactsRunner');
    const runStatements = (list: any[]) => list.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:') || a.startsWith('ses:')));
    // The runner's own queries: the automations an event triggers, the runs waiting on a record it changed.
    const runnerOnly = (s: any) => s.Action === 'dynamodb:Query';
    const automationRead = { Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: getAtt(expect.stringMatching(/AutomationsTable/) as never) };
    // The runner's rights without its queries (GetItem on the automation included): a woken run only goes on.
    expect(runStatements(statements)).toEqual(expect.arrayContaining(runStatements(runner).filter((s) => !runnerOnly(s))));
    expect(runStatements(statements)).toEqual(expect.arrayContaining([automationRead]));
    expect(runStatements(statements)).toHaveLength(runStatements(runner).filter((s) => !runnerOnly(s)).length);
    expect(statements.some(runnerOnly)).toBe(false);
    const ses = statements.find((s) => actionsOf(s).includes('ses:SendEmail'));
    expect(ses.Condition).toEqual({ StringEquals: { 'ses:ApiVersion': '2019-09-27' } });
    expect(JSON.stringify(statements)).not.toMatch(/"(dynamodb:Scan|dynamodb:\*|ses:SendRawEmail|lambda:InvokeFunction)"/);
  });

  it('retries a failed wake twice, then sends it to the alarmed wake dead-letter queue', () => {
    const { deadLetters } = ids();
    const [, config] = find('AWS::Lambda::EventInvokeConfig', 'WaitSchedulesWakeRun');
    expect(config.Properties).toMatchObject({
      MaximumRetryAttempts: WAKE_SCHEDULES.asyncRetryAttempts,
      MaximumEventAgeInSeconds: WAKE_SCHEDULES.asyncMaxEventAge.toSeconds(),
      DestinationConfig: { OnFailure: { Destination: getAtt(deadLetters) } },
    });
    expect(WAKE_SCHEDULES.asyncRetryAttempts).toBe(2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetters, 'QueueName'] } }], Threshold: 1 });
  });
});

describe('the wake dead-letter queue', () => {
  it('is read by the run-failures function in batches, reporting item failures', () => {
    const { deadLetters } = ids();
    const [fnId, fn] = find('AWS::Lambda::Function', 'RunFailuresHandlerFn');
    const mappings = all('AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m.Properties.EventSourceArn).includes(deadLetters));
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].Properties).toMatchObject({ FunctionName: { Ref: fnId }, BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    // The handler tells wake dead letters from failed runs by their content, not by an ARN in its environment.
    expect(fn.Properties.Environment.Variables.WAKE_DLQ_ARN).toBeUndefined();
    const consume = statementsOf('AutomationsRunFailuresHandler').filter((s) => JSON.stringify(s.Resource).includes(deadLetters));
    expect(consume).toHaveLength(1);
    expect(actionsOf(consume[0])).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']));
    expect(actionsOf(consume[0])).not.toContain('sqs:SendMessage');
  });

  it('keeps a message invisible while run-failures works on it, then moves it to an alarmed queue of its own', () => {
    const { deadLetters } = ids();
    const [, queue] = find('AWS::SQS::Queue', deadLetters);
    const [failuresId] = find('AWS::SQS::Queue', 'WaitSchedulesWakeFailuresDeadLetters');
    const [, runFailures] = find('AWS::Lambda::Function', 'RunFailuresHandlerFn');
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, RedrivePolicy: { deadLetterTargetArn: getAtt(failuresId), maxReceiveCount: 5 } });
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * runFailures.Properties.Timeout);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [failuresId, 'QueueName'] } }], Threshold: 1 });
  });

  it('may be written only by wake-run (on failure) and the Scheduler role (dead letters)', () => {
    const { deadLetters } = ids();
    const writers = all('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.PolicyDocument.Statement as any[]).some((s) => actionsOf(s).includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes(deadLetters)))
      .map(([id]) => id.replace(/RoleDefaultPolicy.*$/, ''));
    expect(writers.sort()).toEqual(['WaitSchedulesScheduler', 'WaitSchedulesWakeRun']);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged with the wait schedules in the stack', () => {
    expect(synth.validationError).toBeUndefined();
    const report = JSON.parse(readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: any) => r.violations)).toEqual([]);
  });
});
