import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
  paginateListSchedules,
  type CreateScheduleCommandInput,
  type SchedulerServiceException,
} from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalClock } from '#infra/local/clock';
import { startLocalScheduler, type DeadLetterEntry, type LocalScheduler, type LocalSchedulerOptions } from '#infra/local/scheduler-service';
import { waitFor } from '../support/wait.ts';

const REGION = 'eu-central-1';
const WAKE_RUN = 'arn:aws:lambda:eu-central-1:000000000000:function:wake-run';
const ROLE = 'arn:aws:iam::000000000000:role/scheduler-wake-run';
const DLQ = 'arn:aws:sqs:eu-central-1:000000000000:wake-run-dead-letters';
/** The clock's starting point in most tests. */
const T0 = new Date('2026-06-01T10:00:00Z');
const HOUR = 3_600_000;

const running: LocalScheduler[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

/** A stand-in on a clock at T0, a recording wake-run target, a recording dead-letter queue, and an SDK client on it. */
async function standIn(options: Partial<LocalSchedulerOptions> & { failWith?: string } = {}) {
  const clock = options.clock ?? new LocalClock();
  if (!options.clock) clock.set(T0);
  const calls: unknown[] = [];
  const deadLetters: DeadLetterEntry[] = [];
  const lines: string[] = [];
  const service = await startLocalScheduler({
    port: 0,
    region: REGION,
    clock,
    targets: {
      [WAKE_RUN]: async (input) => {
        calls.push(input);
        if (options.failWith) throw new Error(options.failWith);
      },
    },
    onDeadLetter: (entry) => void deadLetters.push(entry),
    retryDelayMs: () => 1,
    log: (line) => lines.push(line),
    ...options,
  });
  running.push(service);
  const client = new SchedulerClient({ endpoint: service.url, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  return { service, client, clock, calls, deadLetters, lines };
}

/** `at(...)` for an instant, in UTC wall time. */
const atUtc = (instant: Date) => `at(${instant.toISOString().slice(0, 19)})`;

/** A CreateSchedule for the wake-run function, due `inMs` after T0 (UTC). */
function wake(name: string, inMs: number, extra: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput {
  return {
    Name: name,
    ScheduleExpression: atUtc(new Date(T0.getTime() + inMs)),
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: WAKE_RUN, RoleArn: ROLE, Input: JSON.stringify({ runId: name }) },
    ...extra,
  };
}

interface RawResponse {
  status: number;
  type: string | undefined;
  body: string;
}

/** A request sent as written: node:http keeps the path as it is (fetch would resolve `..` segments). */
function raw(url: string, method: string, path: string, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['x-amzn-errortype'] as string | undefined, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The SDK error a call is refused with. */
async function refusal(promise: Promise<unknown>): Promise<SchedulerServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as SchedulerServiceException;
  }
  throw new Error('expected the call to be refused');
}

describe('the local EventBridge Scheduler stand-in: the API', () => {
  it('creates, gets, updates, lists and deletes a schedule as the SDK expects', async () => {
    const { client } = await standIn();
    const created = await client.send(new CreateScheduleCommand(wake('run-1', HOUR, { Description: 'wait 1h', ActionAfterCompletion: 'DELETE' })));
    expect(created.ScheduleArn).toBe('arn:aws:scheduler:eu-central-1:000000000000:schedule/default/run-1');

    const got = await client.send(new GetScheduleCommand({ Name: 'run-1' }));
    expect(got).toMatchObject({
      Arn: created.ScheduleArn,
      Name: 'run-1',
      GroupName: 'default',
      ScheduleExpression: 'at(2026-06-01T11:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      Description: 'wait 1h',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      // AWS's defaults, as GetSchedule shows them.
      Target: { Arn: WAKE_RUN, RoleArn: ROLE, Input: '{"runId":"run-1"}', RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 } },
    });
    expect(got.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(got.CreationDate!.getTime() - T0.getTime())).toBeLessThan(5_000);

    await client.send(
      new UpdateScheduleCommand({
        ...wake('run-1', 2 * HOUR),
        ScheduleExpressionTimezone: 'Europe/Berlin',
        Target: { Arn: WAKE_RUN, RoleArn: ROLE, Input: '{"runId":"run-1","v":2}', DeadLetterConfig: { Arn: DLQ }, RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 } },
      }),
    );
    const updated = await client.send(new GetScheduleCommand({ Name: 'run-1', GroupName: 'default' }));
    // A full replacement: what the update left out is back to its default.
    expect(updated).toMatchObject({ ScheduleExpressionTimezone: 'Europe/Berlin', ActionAfterCompletion: 'NONE', Target: { Input: '{"runId":"run-1","v":2}', DeadLetterConfig: { Arn: DLQ }, RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 } } });
    expect(updated.Description).toBeUndefined();
    expect(updated.CreationDate).toEqual(got.CreationDate);

    const listed = await client.send(new ListSchedulesCommand({}));
    expect(listed.Schedules).toEqual([expect.objectContaining({ Name: 'run-1', GroupName: 'default', State: 'ENABLED', Arn: created.ScheduleArn, Target: { Arn: WAKE_RUN } })]);
    expect(listed.NextToken).toBeUndefined();

    await client.send(new DeleteScheduleCommand({ Name: 'run-1' }));
    for (const call of [client.send(new GetScheduleCommand({ Name: 'run-1' })), client.send(new DeleteScheduleCommand({ Name: 'run-1' })), client.send(new UpdateScheduleCommand(wake('run-1', HOUR)))]) {
      const error = await refusal(call);
      expect(error.name).toBe('ResourceNotFoundException');
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.$metadata.httpStatusCode).toBe(404);
      expect(error.message).toBe('Schedule run-1 does not exist.');
    }
  });

  it('refuses a second create of a name with ConflictException, so create-and-treat-conflict-as-done is harmless', async () => {
    const { client, service, clock, calls } = await standIn();
    await client.send(new CreateScheduleCommand(wake('run-2', HOUR)));
    const error = await refusal(client.send(new CreateScheduleCommand(wake('run-2', 2 * HOUR))));
    expect(error.name).toBe('ConflictException');
    expect(error).toBeInstanceOf(ConflictException);
    expect(error.$metadata.httpStatusCode).toBe(409);
    // The SDK moves the body's Message to error.message (and deletes Message).
    expect(error.message).toBe('Schedule run-2 already exists.');
    // The first stays as it was.
    expect((await client.send(new GetScheduleCommand({ Name: 'run-2' }))).ScheduleExpression).toBe('at(2026-06-01T11:00:00)');

    // A caller that treats Conflict as done can create twice (a retried wait step): one schedule, one fire.
    const createOnce = (input: CreateScheduleCommandInput) => client.send(new CreateScheduleCommand(input)).catch((e: Error) => (e.name === 'ConflictException' ? undefined : Promise.reject(e)));
    await createOnce(wake('run-3', HOUR));
    await createOnce(wake('run-3', HOUR));
    clock.advance(HOUR);
    await service.whenIdle();
    expect(calls).toEqual([{ runId: 'run-2' }, { runId: 'run-3' }]);

    // The SDK's own retry of a create whose answer was lost resends its ClientToken: that succeeds.
    const first = await client.send(new CreateScheduleCommand(wake('run-4', HOUR, { ClientToken: 'token-4' })));
    const again = await client.send(new CreateScheduleCommand(wake('run-4', HOUR, { ClientToken: 'token-4' })));
    expect(again.ScheduleArn).toBe(first.ScheduleArn);
  });

  it('lists by group, prefix and state, in pages', async () => {
    const { client } = await standIn({ groups: ['waits'] });
    for (const n of [1, 2, 3, 4, 5]) await client.send(new CreateScheduleCommand(wake(`run-${n}`, HOUR, { GroupName: 'waits' })));
    await client.send(new CreateScheduleCommand(wake('paused', HOUR, { GroupName: 'waits', State: 'DISABLED' })));
    await client.send(new CreateScheduleCommand(wake('run-1', HOUR)));

    const pages: string[][] = [];
    for await (const page of paginateListSchedules({ client, pageSize: 2 }, { GroupName: 'waits', NamePrefix: 'run-' })) pages.push(page.Schedules!.map((s) => s.Name!));
    expect(pages).toEqual([['run-1', 'run-2'], ['run-3', 'run-4'], ['run-5']]);

    const all = await client.send(new ListSchedulesCommand({}));
    expect(all.Schedules!.map((s) => `${s.GroupName}/${s.Name}`)).toEqual(['default/run-1', 'waits/paused', 'waits/run-1', 'waits/run-2', 'waits/run-3', 'waits/run-4', 'waits/run-5']);
    expect((await client.send(new ListSchedulesCommand({ State: 'DISABLED' }))).Schedules!.map((s) => s.Name)).toEqual(['paused']);
    expect((await client.send(new GetScheduleCommand({ Name: 'run-3', GroupName: 'waits' }))).Arn).toBe('arn:aws:scheduler:eu-central-1:000000000000:schedule/waits/run-3');

    const badToken = await refusal(client.send(new ListSchedulesCommand({ NextToken: 'not-a-token' })));
    expect(badToken).toMatchObject({ name: 'ValidationException', message: 'NextToken is not valid.' });
    expect((await refusal(client.send(new ListSchedulesCommand({ MaxResults: 101 })))).message).toMatch(/MaxResults/);
  });

  it('knows the groups it was given and those created, and refuses a schedule in any other', async () => {
    const { client } = await standIn({ groups: ['waits'] });
    const missing = await refusal(client.send(new CreateScheduleCommand(wake('run-1', HOUR, { GroupName: 'nope' }))));
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', message: 'Schedule group nope does not exist.' });
    expect((await refusal(client.send(new GetScheduleCommand({ Name: 'run-1', GroupName: 'nope' })))).name).toBe('ResourceNotFoundException');

    const group = await client.send(new CreateScheduleGroupCommand({ Name: 'nope' }));
    expect(group.ScheduleGroupArn).toBe('arn:aws:scheduler:eu-central-1:000000000000:schedule-group/nope');
    expect((await client.send(new GetScheduleGroupCommand({ Name: 'waits' }))).State).toBe('ACTIVE');
    expect((await refusal(client.send(new CreateScheduleGroupCommand({ Name: 'default' })))).name).toBe('ConflictException');
    await client.send(new CreateScheduleCommand(wake('run-1', HOUR, { GroupName: 'nope' })));
  });

  type Change = (input: CreateScheduleCommandInput) => unknown;
  const target = (input: CreateScheduleCommandInput) => input.Target as unknown as Record<string, unknown>;
  it.each<[string, Change, string | RegExp]>([
    ['a name with a space', (i) => (i.Name = 'run 1'), /^Name "run 1" may contain only letters, digits, -, _ and \./],
    ['a name of 65 characters', (i) => (i.Name = 'x'.repeat(65)), 'Name must be 1 to 64 characters long (it has 65).'],
    ['a group name with a slash', (i) => (i.GroupName = 'a/b'), /^GroupName "a\/b" may contain only/],
    ['a rate() expression', (i) => (i.ScheduleExpression = 'rate(5 minutes)'), /supports one-time schedules only, at\(yyyy-mm-ddThh:mm:ss\); rate\(\) and cron\(\) are not supported/],
    ['a cron() expression', (i) => (i.ScheduleExpression = 'cron(0 7 * * ? *)'), /one-time schedules only/],
    ['an at() with a time zone suffix', (i) => (i.ScheduleExpression = 'at(2026-06-01T11:00:00Z)'), /^Invalid Schedule Expression "at\(2026-06-01T11:00:00Z\)": expected at\(yyyy-mm-ddThh:mm:ss\)/],
    ['an at() on 30 February', (i) => (i.ScheduleExpression = 'at(2026-02-30T11:00:00)'), /not a valid date and time/],
    ['an at() at 24:00', (i) => (i.ScheduleExpression = 'at(2026-06-01T24:00:00)'), /not a valid date and time/],
    ['no expression', (i) => delete (i as Partial<CreateScheduleCommandInput>).ScheduleExpression, 'ScheduleExpression is required.'],
    ['an unknown time zone', (i) => (i.ScheduleExpressionTimezone = 'Mars/Olympus'), 'ScheduleExpressionTimezone "Mars/Olympus" is not a valid IANA time zone.'],
    ['no FlexibleTimeWindow', (i) => delete (i as Partial<CreateScheduleCommandInput>).FlexibleTimeWindow, /^FlexibleTimeWindow is required/],
    ['a window mode of SOMETIMES', (i) => (i.FlexibleTimeWindow = { Mode: 'SOMETIMES' as 'OFF' }), 'FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.'],
    ['a FLEXIBLE window without its size', (i) => (i.FlexibleTimeWindow = { Mode: 'FLEXIBLE' }), 'FlexibleTimeWindow.MaximumWindowInMinutes is required when Mode is FLEXIBLE.'],
    ['a window of 1441 minutes', (i) => (i.FlexibleTimeWindow = { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 1441 }), /MaximumWindowInMinutes must be an integer from 1 to 1440/],
    ['no Target', (i) => delete (i as Partial<CreateScheduleCommandInput>).Target, 'Target is required.'],
    ['no Target.Arn', (i) => delete target(i).Arn, 'Target.Arn is required.'],
    ['no Target.RoleArn', (i) => delete target(i).RoleArn, 'Target.RoleArn is required.'],
    ['a RoleArn that is no role', (i) => (target(i).RoleArn = 'arn:aws:iam::000000000000:user/me'), /^Target.RoleArn .* is not an IAM role ARN/],
    ['an Input that is not JSON', (i) => (target(i).Input = '{runId: 1}'), 'Target.Input is not valid JSON.'],
    ['186 retries', (i) => (target(i).RetryPolicy = { MaximumRetryAttempts: 186 }), 'Target.RetryPolicy.MaximumRetryAttempts must be an integer from 0 to 185 (got 186).'],
    ['an event age of 59 s', (i) => (target(i).RetryPolicy = { MaximumEventAgeInSeconds: 59 }), 'Target.RetryPolicy.MaximumEventAgeInSeconds must be an integer from 60 to 86400 (got 59).'],
    ['a dead-letter target that is no queue', (i) => (target(i).DeadLetterConfig = { Arn: WAKE_RUN }), /^Target.DeadLetterConfig.Arn .* is not an SQS queue ARN/],
    ['an ActionAfterCompletion of ARCHIVE', (i) => (i.ActionAfterCompletion = 'ARCHIVE' as 'NONE'), 'ActionAfterCompletion must be NONE or DELETE.'],
    ['a State of PAUSED', (i) => (i.State = 'PAUSED' as 'ENABLED'), 'State must be ENABLED or DISABLED.'],
    ['a description of 513 characters', (i) => (i.Description = 'd'.repeat(513)), 'Description must be 1 to 512 characters long (it has 513).'],
  ])('refuses %s with a ValidationException that names it', async (_, change, message) => {
    const { client, service } = await standIn();
    const input = wake('run-1', HOUR);
    change(input);
    const error = await refusal(client.send(new CreateScheduleCommand(input)));
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(message);
    expect(service.schedules()).toEqual([]);
  });

  it('answers hostile requests with a 4xx and goes on serving', async () => {
    const { client, service } = await standIn();
    const long = await refusal(client.send(new CreateScheduleCommand(wake('n'.repeat(3000), HOUR))));
    expect(long).toMatchObject({ name: 'ValidationException', message: 'Name must be 1 to 64 characters long (it has 3000).' });
    expect((await refusal(client.send(new GetScheduleCommand({ Name: 'n'.repeat(3000) })))).$metadata.httpStatusCode).toBe(400);
    // The SDK encodes the slashes: the name reaches the stand-in whole, and is refused.
    const traversal = await refusal(client.send(new CreateScheduleCommand(wake('../../etc/passwd', HOUR))));
    expect(traversal).toMatchObject({ name: 'ValidationException', message: 'Name "../../etc/passwd" may contain only letters, digits, -, _ and .' });

    const body = JSON.stringify(wake('x', HOUR));
    const cases: Array<[string, Promise<RawResponse>, number, string]> = [
      ['unencoded traversal', raw(service.url, 'POST', '/schedules/../../etc/passwd', body), 404, 'UnknownOperationException'],
      ['broken percent-encoding', raw(service.url, 'POST', '/schedules/%E0%A4%A', body), 400, 'ValidationException'],
      ['a body that is not JSON', raw(service.url, 'POST', '/schedules/x', '{"Name": "x", '), 400, 'ValidationException'],
      ['a JSON array', raw(service.url, 'POST', '/schedules/x', '[1, 2]'), 400, 'ValidationException'],
      ['a 1 MB body', raw(service.url, 'POST', '/schedules/x', JSON.stringify({ ...wake('x', HOUR), Description: 'd'.repeat(1024 * 1024) })), 413, 'ValidationException'],
      ['an unknown operation', raw(service.url, 'GET', '/tags/arn'), 404, 'UnknownOperationException'],
    ];
    for (const [what, response, status, type] of cases) {
      const res = await response;
      expect([what, res.status, res.type]).toEqual([what, status, type]);
      expect(typeof (JSON.parse(res.body) as { Message: unknown }).Message).toBe('string');
    }
    // ".." and "..." are legal names to AWS (letters, digits, -, _ and .): map keys here, never paths.
    await client.send(new CreateScheduleCommand(wake('..', HOUR)));
    expect((await raw(service.url, 'GET', '/schedules/..')).status).toBe(200);
    await client.send(new CreateScheduleCommand(wake('...', HOUR)));
    expect((await client.send(new GetScheduleCommand({ Name: '..' }))).Name).toBe('..');
    expect(service.schedules().map((s) => s.name)).toEqual(['..', '...']);
  });
});

describe('the local EventBridge Scheduler stand-in: firing', () => {
  it('does not fire before its time, then fires once with the Input when the clock gets there', async () => {
    const { client, service, clock, calls } = await standIn();
    await client.send(new CreateScheduleCommand(wake('run-1', HOUR, { Target: { Arn: WAKE_RUN, RoleArn: ROLE, Input: '{"runId":"run-1","at":"<aws.scheduler.scheduled-time>","attempt":"<aws.scheduler.attempt-number>"}' } })));
    await client.send(new CreateScheduleCommand(wake('paused', HOUR, { State: 'DISABLED' })));
    clock.advance(HOUR - 1000);
    await service.whenIdle();
    expect(calls).toEqual([]);
    clock.advance(1000);
    await service.whenIdle();
    expect(calls).toEqual([{ runId: 'run-1', at: '2026-06-01T11:00:00Z', attempt: '1' }]);
    clock.advance(24 * HOUR);
    await service.whenIdle();
    expect(calls).toHaveLength(1);
    expect(service.schedules().find((s) => s.name === 'run-1')?.fired).toMatchObject({ outcome: 'delivered', attempts: 1 });
  });

  it('fires on its own timer as real time passes, and holds a schedule past the 24.8-day timer limit', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const { client, service, clock, calls } = await standIn();
    clock.set(new Date('2026-06-01T10:59:59.700Z'));
    await client.send(new CreateScheduleCommand(wake('far', 40 * 24 * HOUR)));
    await client.send(new CreateScheduleCommand(wake('soon', HOUR)));
    await waitFor(() => (calls.length > 0 ? true : undefined), 'the timer to fire', 5_000);
    await new Promise((r) => setTimeout(r, 50));
    await service.whenIdle();
    process.off('warning', onWarning);
    expect(calls).toEqual([{ runId: 'soon' }]);
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });

  it('reads at() as a wall time in its time zone, also around the DST switches', async () => {
    const { client, service, clock, calls } = await standIn();
    clock.set(new Date('2026-01-01T00:00:00Z'));
    const berlin = (name: string, wall: string) => client.send(new CreateScheduleCommand({ ...wake(name, 0), ScheduleExpression: `at(${wall})`, ScheduleExpressionTimezone: 'Europe/Berlin' }));
    await berlin('winter', '2026-01-15T09:00:00');
    await berlin('before-spring', '2026-03-29T01:30:00');
    await berlin('spring-gap', '2026-03-29T02:30:00'); // never happens: the clocks go from 02:00 to 03:00
    await berlin('after-spring', '2026-03-29T03:30:00');
    await berlin('autumn-twice', '2026-10-25T02:30:00'); // happens twice: 02:30 CEST, then 02:30 CET
    await berlin('after-autumn', '2026-10-25T03:30:00');
    expect(Object.fromEntries(service.schedules().map((s) => [s.name, s.dueAt]))).toEqual({
      winter: '2026-01-15T08:00:00.000Z',
      'before-spring': '2026-03-29T00:30:00.000Z',
      'spring-gap': '2026-03-29T01:30:00.000Z',
      'after-spring': '2026-03-29T01:30:00.000Z',
      'autumn-twice': '2026-10-25T00:30:00.000Z',
      'after-autumn': '2026-10-25T02:30:00.000Z',
    });

    clock.set(new Date('2026-03-29T01:29:59Z'));
    await service.whenIdle();
    expect(calls).toEqual([{ runId: 'winter' }, { runId: 'before-spring' }]);
    clock.set(new Date('2026-03-29T01:30:00Z'));
    await service.whenIdle();
    expect(calls.slice(2)).toEqual([{ runId: 'spring-gap' }, { runId: 'after-spring' }]);
    clock.set(new Date('2026-10-25T00:29:59Z'));
    await service.whenIdle();
    expect(calls).toHaveLength(4);
    clock.set(new Date('2026-10-25T00:30:00Z'));
    await service.whenIdle();
    expect(calls.slice(4)).toEqual([{ runId: 'autumn-twice' }]);
  });

  it('removes a schedule after its fire with ActionAfterCompletion DELETE, and keeps it (fired, not again) with NONE', async () => {
    const { client, service, clock, calls } = await standIn();
    await client.send(new CreateScheduleCommand(wake('deleted', HOUR, { ActionAfterCompletion: 'DELETE' })));
    await client.send(new CreateScheduleCommand(wake('kept', HOUR, { ActionAfterCompletion: 'NONE' })));
    clock.advance(HOUR);
    await service.whenIdle();
    expect(calls).toEqual([{ runId: 'deleted' }, { runId: 'kept' }]);
    expect((await refusal(client.send(new GetScheduleCommand({ Name: 'deleted' })))).name).toBe('ResourceNotFoundException');
    expect((await client.send(new GetScheduleCommand({ Name: 'kept' }))).State).toBe('ENABLED');
    clock.advance(HOUR);
    await service.whenIdle();
    expect(calls).toHaveLength(2);

    // An update makes it a new schedule, which fires at its new time.
    await client.send(new UpdateScheduleCommand(wake('kept', 3 * HOUR)));
    clock.advance(HOUR);
    await service.whenIdle();
    expect(calls).toEqual([{ runId: 'deleted' }, { runId: 'kept' }, { runId: 'kept' }]);
  });

  it('retries a failing target MaximumRetryAttempts times, then dead-letters it with the error', async () => {
    const { client, service, clock, calls, deadLetters } = await standIn({ failWith: 'DynamoDB is down' });
    const retrying = { Arn: WAKE_RUN, RoleArn: ROLE, Input: '{"runId":"run-1"}', RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: DLQ } };
    await client.send(new CreateScheduleCommand(wake('run-1', HOUR, { Target: retrying, ActionAfterCompletion: 'DELETE' })));
    clock.advance(HOUR);
    await service.whenIdle();
    expect(calls).toEqual([{ runId: 'run-1' }, { runId: 'run-1' }, { runId: 'run-1' }]);
    expect(deadLetters).toEqual([
      { schedule: { name: 'run-1', groupName: 'default', arn: 'arn:aws:scheduler:eu-central-1:000000000000:schedule/default/run-1', target: expect.objectContaining({ Arn: WAKE_RUN, DeadLetterConfig: { Arn: DLQ } }) }, input: { runId: 'run-1' }, error: 'DynamoDB is down', attempts: 3 },
    ]);
    // Completed (dead-lettered) counts as done: DELETE removes it.
    expect(service.schedules()).toEqual([]);
  });

  it('dead-letters a target nothing plays, drops a failure without DeadLetterConfig, and stops retrying at MaximumEventAgeInSeconds', async () => {
    const { client, service, clock, calls, deadLetters, lines } = await standIn({ failWith: 'boom', maxRetryAttempts: 50 });
    const unknown = 'arn:aws:lambda:eu-central-1:000000000000:function:missing';
    await client.send(new CreateScheduleCommand(wake('nobody', HOUR, { Target: { Arn: unknown, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 1 }, DeadLetterConfig: { Arn: DLQ } } })));
    await client.send(new CreateScheduleCommand(wake('no-dlq', HOUR, { Target: { Arn: WAKE_RUN, RoleArn: ROLE, Input: '{"runId":"no-dlq"}', RetryPolicy: { MaximumRetryAttempts: 0 } } })));
    clock.advance(HOUR);
    await service.whenIdle();
    expect(deadLetters).toEqual([expect.objectContaining({ schedule: expect.objectContaining({ name: 'nobody' }), input: {}, error: `No local handler for the target ${unknown}`, attempts: 2 })]);
    expect(calls).toEqual([{ runId: 'no-dlq' }]);
    expect(lines.some((l) => l.includes('default/no-dlq failed 1 time(s), no DeadLetterConfig: dropped (boom)'))).toBe(true);
    expect(service.schedules().find((s) => s.name === 'no-dlq')?.fired).toEqual({ at: expect.any(String), outcome: 'dropped', attempts: 1, error: 'boom' });

    // Each attempt takes 25 s of the clock: after 75 s the event is older than its 60 s, whatever the retries left.
    let attempts = 0;
    service.addTarget(WAKE_RUN, async () => {
      attempts++;
      clock.advance(25_000);
      throw new Error('slow and failing');
    });
    await client.send(new CreateScheduleCommand(wake('aging', 2 * HOUR, { Target: { Arn: WAKE_RUN, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 60 }, DeadLetterConfig: { Arn: DLQ } } })));
    clock.set(new Date(T0.getTime() + 2 * HOUR));
    await service.whenIdle();
    expect(attempts).toBe(3);
    expect(deadLetters.at(-1)).toMatchObject({ schedule: { name: 'aging' }, error: 'slow and failing', attempts: 3 });
  });

  it('fires a schedule at most once at a time, however quickly the clock moves', async () => {
    const { client, service, clock, calls } = await standIn();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    service.addTarget(WAKE_RUN, async (input) => {
      calls.push(input);
      await gate;
    });
    await client.send(new CreateScheduleCommand(wake('run-1', HOUR)));
    clock.advance(HOUR);
    clock.advance(1);
    await waitFor(() => (calls.length > 0 ? true : undefined), 'the fire to start');
    clock.advance(HOUR);
    clock.set(new Date(T0.getTime() + 5 * HOUR));
    const idle = service.whenIdle();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(1);
    release();
    await idle;
    clock.advance(HOUR);
    await service.whenIdle();
    expect(calls).toEqual([{ runId: 'run-1' }]);
  });

  it('leaves an update or a delete made while the schedule fires to stand, and fires one created past due at once', async () => {
    const { client, service, clock, calls } = await standIn();
    const gates: Array<() => void> = [];
    service.addTarget(WAKE_RUN, async (input) => {
      calls.push(input);
      await new Promise<void>((r) => gates.push(r));
    });
    await client.send(new CreateScheduleCommand(wake('moved', HOUR, { ActionAfterCompletion: 'DELETE' })));
    await client.send(new CreateScheduleCommand(wake('dropped', HOUR, { ActionAfterCompletion: 'NONE' })));
    clock.advance(HOUR);
    await waitFor(() => (gates.length === 2 ? true : undefined), 'both fires to start');
    await client.send(new UpdateScheduleCommand(wake('moved', 3 * HOUR, { ActionAfterCompletion: 'DELETE', Target: { Arn: WAKE_RUN, RoleArn: ROLE, Input: '{"runId":"moved","v":2}' } })));
    await client.send(new DeleteScheduleCommand({ Name: 'dropped' }));
    for (const release of gates.splice(0)) release();
    await service.whenIdle();
    // The old fire of "moved" neither deleted nor marked the new version; "dropped" stays deleted.
    expect(service.schedules().map((s) => [s.name, s.dueAt, s.fired])).toEqual([['moved', '2026-06-01T13:00:00.000Z', undefined]]);

    await client.send(new CreateScheduleCommand(wake('late', -HOUR)));
    await waitFor(() => (gates.length === 1 ? true : undefined), 'the past-due schedule to fire');
    clock.advance(2 * HOUR);
    await waitFor(() => (gates.length === 2 ? true : undefined), 'the moved schedule to fire');
    for (const release of gates.splice(0)) release();
    await service.whenIdle();
    expect(calls).toEqual([{ runId: 'moved' }, { runId: 'dropped' }, { runId: 'late' }, { runId: 'moved', v: 2 }]);
    expect(service.schedules().map((s) => s.name)).toEqual(['late']);
  });
});

describe('the local EventBridge Scheduler stand-in: restarts', () => {
  const stateFile = () => join(mkdtempSync(join(tmpdir(), 'crm-scheduler-')), 'schedules.json');

  it('keeps every schedule across a restart and fires the one that fell due while it was down', async () => {
    const statePath = stateFile();
    const clock = new LocalClock();
    clock.set(T0);
    const first = await standIn({ clock, statePath, groups: ['waits'] });
    await first.client.send(new CreateScheduleCommand(wake('due-while-down', HOUR, { GroupName: 'waits' })));
    await first.client.send(new CreateScheduleCommand(wake('later', 3 * HOUR, { GroupName: 'waits', ActionAfterCompletion: 'DELETE' })));
    await first.client.send(new CreateScheduleGroupCommand({ Name: 'made-later' }));
    await first.service.stop();
    expect(JSON.parse(readFileSync(statePath, 'utf8')).schedules).toHaveLength(2);

    clock.advance(2 * HOUR);
    const second = await standIn({ clock, statePath, groups: ['waits'] });
    await second.service.whenIdle();
    expect(second.calls).toEqual([{ runId: 'due-while-down' }]);
    expect(second.service.schedules().map((s) => [s.name, s.fired?.outcome])).toEqual([
      ['due-while-down', 'delivered'],
      ['later', undefined],
    ]);
    expect((await second.client.send(new GetScheduleCommand({ Name: 'later', GroupName: 'waits' }))).ScheduleExpression).toBe('at(2026-06-01T13:00:00)');
    expect((await second.client.send(new GetScheduleGroupCommand({ Name: 'made-later' }))).Name).toBe('made-later');

    clock.advance(HOUR);
    await second.service.whenIdle();
    expect(second.calls).toEqual([{ runId: 'due-while-down' }, { runId: 'later' }]);
    await second.service.stop();
    // The fired NONE schedule is kept, marked; the DELETE one is gone, on disk too.
    const third = await standIn({ clock, statePath, groups: ['waits'] });
    await third.service.whenIdle();
    expect(third.calls).toEqual([]);
    expect(third.service.schedules().map((s) => s.name)).toEqual(['due-while-down']);
  });

  it('fires again after a crash a schedule that was being fired (at least once)', async () => {
    const statePath = stateFile();
    const clock = new LocalClock();
    clock.set(T0);
    const first = await standIn({ clock, statePath });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    first.service.addTarget(WAKE_RUN, async (input) => {
      first.calls.push(input);
      await gate;
    });
    await first.client.send(new CreateScheduleCommand(wake('run-1', HOUR)));
    clock.advance(HOUR);
    await waitFor(() => (first.calls.length > 0 ? true : undefined), 'the fire to start');
    // What the disk holds while the target runs is what a crash at this moment leaves.
    const crashed = join(mkdtempSync(join(tmpdir(), 'crm-scheduler-')), 'schedules.json');
    copyFileSync(statePath, crashed);
    release();
    await first.service.whenIdle();
    expect(first.service.schedules()[0]?.fired?.outcome).toBe('delivered');

    const second = await standIn({ clock, statePath: crashed });
    await second.service.whenIdle();
    expect(second.calls).toEqual([{ runId: 'run-1' }]);
    expect(second.lines).toContain('[scheduler] default/run-1 was being fired when the scheduler stopped; it fires again (at least once)');
  });
});
