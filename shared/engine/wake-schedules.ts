import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { scheduleNameOf, type WakeInput } from './wake-input.ts';

export { parseWakeInput, scheduleNameOf, type WakeInput } from './wake-input.ts';

/** Arms and disarms the schedules that wake waiting runs. */
export interface WakeScheduler {
  /** Creates the one-time schedule at `wake.at`; creating the same one twice is harmless. Returns its name. */
  arm(wake: WakeInput): Promise<string>;
  /** Deletes a schedule by name; one that already fired (and deleted itself) or never existed is fine. */
  disarm(schedule: string): Promise<void>;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC: the moment is worked out in the tenant's zone before, so no wall time is ambiguous. */
export const atExpression = (at: Date) => `at(${at.toISOString().slice(0, 19)})`;

export interface WakeScheduleConfig {
  groupName: string;
  /** The role Scheduler assumes to invoke the target (and write to the dead-letter queue). */
  roleArn: string;
  /** The wake-run function. */
  targetArn: string;
  deadLetterArn: string;
  retryAttempts: number;
  maxEventAgeSeconds: number;
}

/**
 * EventBridge Scheduler one-time schedules in the stack's group: `at()` in UTC, flexible window
 * off, deleted by Scheduler once they fired (`ActionAfterCompletion: DELETE`), with a retry policy
 * and a dead-letter queue on the target.
 */
export class EventBridgeWakeScheduler implements WakeScheduler {
  constructor(
    private readonly config: WakeScheduleConfig,
    private readonly client: SchedulerClient = new SchedulerClient({}),
  ) {}

  async arm(wake: WakeInput): Promise<string> {
    const name = scheduleNameOf(wake);
    const at = new Date(wake.at * 1000);
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: this.config.groupName,
          ScheduleExpression: atExpression(at),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          State: 'ENABLED',
          Description: `Wakes automation run ${wake.executionId} after step ${wake.step}`,
          Target: {
            Arn: this.config.targetArn,
            RoleArn: this.config.roleArn,
            Input: JSON.stringify(wake),
            RetryPolicy: { MaximumRetryAttempts: this.config.retryAttempts, MaximumEventAgeInSeconds: this.config.maxEventAgeSeconds },
            DeadLetterConfig: { Arn: this.config.deadLetterArn },
          },
        }),
      );
    } catch (error) {
      // The same name is the same run, step, revision and moment: created before, by an attempt that broke off after.
      if (!(error instanceof ConflictException)) throw error;
    }
    return name;
  }

  async disarm(schedule: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: schedule, GroupName: this.config.groupName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
