import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { atExpression, EventBridgeWakeScheduler, parseWakeInput, scheduleNameOf } from '#shared/engine/wake-schedules';

/** The one-time schedules that wake waiting runs, as EventBridge Scheduler is asked for them. */

const scheduler = mockClient(SchedulerClient);
const config = { groupName: 'wake-runs', roleArn: 'arn:aws:iam::1:role/wake', targetArn: 'arn:aws:lambda:eu-central-1:1:function:wake-run', deadLetterArn: 'arn:aws:sqs:eu-central-1:1:wake-dlq', retryAttempts: 5, maxEventAgeSeconds: 3600 };
const wake = { tenantId: 'acme', executionId: 'x1', step: 2, revision: 1, at: 1_795_770_060 };
const conflict = () => new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
const notFound = () => new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} });

beforeEach(() => scheduler.reset());

describe('the wake-up schedules', () => {
  it('creates a one-time UTC schedule named after run, step, revision and moment, deleted once it fired, with retries and a dead-letter queue', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    expect(await new EventBridgeWakeScheduler(config, scheduler as never).arm(wake)).toBe('x1-2-1-tp5l1o');
    expect(scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input)).toEqual([{
      Name: 'x1-2-1-tp5l1o',
      GroupName: 'wake-runs',
      ScheduleExpression: 'at(2026-11-27T09:01:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Description: 'Wakes automation run x1 after step 2',
      Target: {
        Arn: config.targetArn,
        RoleArn: config.roleArn,
        Input: JSON.stringify(wake),
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: config.deadLetterArn },
      },
    }]);
  });

  it('takes a schedule that exists already as its own, and passes other failures on', async () => {
    scheduler.on(CreateScheduleCommand).rejectsOnce(conflict()).rejectsOnce(new Error('Rate exceeded'));
    const armer = new EventBridgeWakeScheduler(config, scheduler as never);
    expect(await armer.arm(wake)).toBe(scheduleNameOf(wake));
    await expect(armer.arm(wake)).rejects.toThrow('Rate exceeded');
  });

  it('deletes a schedule in its group, and takes one already gone as deleted', async () => {
    scheduler.on(DeleteScheduleCommand).resolvesOnce({}).rejectsOnce(notFound()).rejectsOnce(new Error('Rate exceeded'));
    const armer = new EventBridgeWakeScheduler(config, scheduler as never);
    await armer.disarm('x1-2-1-tp5l1o');
    await armer.disarm('x1-2-1-tp5l1o');
    await expect(armer.disarm('x1-2-1-tp5l1o')).rejects.toThrow('Rate exceeded');
    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]!.args[0].input).toEqual({ Name: 'x1-2-1-tp5l1o', GroupName: 'wake-runs' });
  });

  it('writes the moment to the second, without zone, and reads back only a whole wake-up', () => {
    expect(atExpression(new Date('2026-11-27T09:00:59.999Z'))).toBe('at(2026-11-27T09:00:59)');
    expect(parseWakeInput(JSON.parse(JSON.stringify(wake)))).toEqual(wake);
    for (const bad of [null, 'x', 1, { ...wake, tenantId: 1 }, { ...wake, executionId: undefined }, { ...wake, step: 1.5 }, { ...wake, revision: '1' }, { ...wake, at: null }]) {
      expect(parseWakeInput(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});
