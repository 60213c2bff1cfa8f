import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SCHEMA_VERSION, SOURCE_OF, type DetailType } from '#events/catalogue';
import { changedFields } from '#events/changes';
import { FAMILIES } from '#events/rules';
import { LocalClock } from '#infra/local/clock';
import { freePort } from '#infra/local/dynamodb-local';
import { startLocalScheduler } from '#infra/local/scheduler-service';
import { LOCAL_SCHEDULE_GROUP, localWakeConfig, startLocalStack, type LocalStack } from '#infra/local/stack';
import { AUTOMATIONS_TABLE, CRM_TABLE, EXECUTIONS_TABLE } from '#infra/tables';
import { AutomationFields } from '#shared/automations/model';
import { findPreset } from '#shared/automations/presets';
import { createDocumentClient } from '#shared/aws/clients';
import { createEngine, type RunOutcome } from '#shared/engine/engine';
import { SesMailer } from '#shared/engine/mailer';
import { createWaitControl } from '#shared/engine/wake';
import { EventBridgeWakeScheduler, parseWakeInput } from '#shared/engine/wake-schedules';
import type { Log } from '#shared/log';
import { ActivityInput, type Activity } from '#shared/model/activity';
import { ContactInput, type Contact } from '#shared/model/contact';
import { PropertyInput } from '#shared/model/property';
import { UserInput } from '#shared/model/user';
import { countRequests, round, table, type DynamoRequest } from './support.ts';
import { wakeHandler } from '#shared/wiring/runner';
import { plainWiring } from '#shared/wiring/wiring';
import { runStoresOn } from '../support/dynamo.ts';

/** One measured case: per-run averages (and the max) of the DynamoDB and Scheduler requests it made. */
export interface WaitCount {
  case: string;
  runs: number;
  status: string;
  /** DynamoDB requests per run, all tables. */
  ddb: number;
  ddbMax: number;
  /** Of those, on the CrmTable (the run's records and its action's writes). */
  crm: number;
  /** Queries on the executions table: the sparse GSI6 query of a revisiting event (or GSI5). */
  waitQuery: number;
  GetItem: number;
  Query: number;
  PutItem: number;
  UpdateItem: number;
  TransactWriteItems: number;
  /** Scheduler requests per run. */
  CreateSchedule: number;
  DeleteSchedule: number;
  schedMax: number;
  ms: number;
}

/** The figures as JSON: each case with its requests by table and operation (per-run averages). */
export interface WaitCase extends WaitCount {
  byTableAndOperation: Record<string, number>;
}

const OPERATIONS = ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'TransactWriteItems'] as const;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Counts every request a SchedulerClient sends, by SDK middleware, as `countRequests` does for DynamoDB. */
function countSchedulerRequests(client: SchedulerClient): { requests: string[]; reset(): void } {
  const requests: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push((context.commandName ?? 'Unknown').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'benchSchedulerCounter' },
  );
  return { requests, reset: () => void requests.splice(0) };
}

interface Sample {
  dynamo: DynamoRequest[];
  scheduler: string[];
  status: string;
  ms: number;
}

/**
 * Section 9: DynamoDB and Scheduler requests per wait and resume, counted by SDK middleware on the
 * clients of an engine of the bench's own (as section 1), whose schedules go to a local Scheduler
 * stand-in of its own on a clock of its own (the stack's clock and schedules are left alone). Each
 * case is measured `runs` times, one run at a time:
 *
 * - a run that reaches a wait and parks, from the event to `waiting` (an `until` wait: the viewing
 *   reminder on ActivityCreated; a `for` wait: the Reserviert follow-up on DealStageChanged);
 * - the wake-up that continues it to its end (send_email with .ics; create_task), fired by the
 *   stand-in when the clock reaches the run's moment;
 * - an ActivityUpdated that moves the viewing (the wait moves), one of the location only (the wait
 *   stays), and an ActivityUpdated / ContactUpdated of a record nothing waits on;
 * - an admin cancel and a resume-now (the API's wait control), and the wake-up after a resume-now.
 */
export async function requestsPerWait(stack: LocalStack, runs: number): Promise<WaitCase[]> {
  const raw = new DynamoDBClient({ endpoint: stack.dynamoEndpoint });
  const counter = countRequests(raw);
  const doc = createDocumentClient(raw);
  const names = stack.tableNames;
  const crmTable = names[CRM_TABLE.envVar]!;
  const executionsTable = names[EXECUTIONS_TABLE.envVar]!;
  const tableLabel = new Map([
    [crmTable, 'crm'],
    [names[AUTOMATIONS_TABLE.envVar]!, 'automations'],
    [executionsTable, 'executions'],
  ]);
  const { stores, automations, executions } = runStoresOn(doc, names);

  // The Scheduler: the stack's wake configuration, on a stand-in and a clock of the bench's own.
  const clock = new LocalClock();
  const region = process.env.AWS_REGION ?? 'eu-central-1';
  const wakeConfig = localWakeConfig(region);
  const woken = new Map<string, RunOutcome | undefined>();
  const deadLetters: string[] = [];
  // Retries off: a failed wake-up shows as a missing outcome, not as requests counted twice.
  const localScheduler = await startLocalScheduler({ port: 0, region, clock, groups: [LOCAL_SCHEDULE_GROUP], maxRetryAttempts: 0, onDeadLetter: ({ error }) => void deadLetters.push(error) });
  const schedulerClient = new SchedulerClient({ endpoint: localScheduler.url });
  const schedulerCounter = countSchedulerRequests(schedulerClient);
  const scheduler = new EventBridgeWakeScheduler(wakeConfig, schedulerClient);

  const problems: string[] = [];
  const log: Log = (entry) => {
    if (entry.level === 'ERROR' || entry.level === 'WARN') problems.push(JSON.stringify(entry).slice(0, 500));
  };
  const now = () => clock.now();
  const ses = new SESv2Client({ endpoint: stack.sesUrl });
  const engine = createEngine({ stores, automations, executions, mailer: new SesMailer(ses), scheduler, now, log });
  // The wake-run function, as the stack wires it, keeping each run's outcome.
  const wakeRun = wakeHandler(engine, plainWiring(log, { now }));
  localScheduler.addTarget(wakeConfig.targetArn, async (input) => {
    const outcome = await wakeRun(input);
    const wake = parseWakeInput(input);
    if (wake) woken.set(wake.executionId, outcome ?? undefined);
    return outcome;
  });
  // As the API builds it (the router reads nothing before the route).
  const waits = createWaitControl({ stores, automations, executions, scheduler, now, log });

  try {
    const t = `bench-wait-${Date.now().toString(36)}`;
    const domain = `${t}.bench.example`;
    await stack.senderDomains.register(t, domain);
    stack.verifyDomain(domain);
    await stores.settings.put(t, { name: 'Bench Immobilien', timeZone: 'Europe/Berlin', senderAddress: `info@${domain}`, inboundAddresses: [] });
    const anna = await stores.users.create(t, UserInput.parse({ firstName: 'Anna', lastName: 'Agent', email: 'anna@bench.example' }));
    const property = await stores.properties.create(t, PropertyInput.parse({ unitId: 'W-1', title: 'Altbau', contactPersonId: anna.id }));
    const install = async (key: string) => {
      const preset = findPreset(key)!;
      return automations.create(t, AutomationFields.parse({ ...preset.build(preset.params.parse({}) as Record<string, unknown>), enabled: true, preset: key }));
    };
    // Only these two, so that each event has exactly one candidate: an `until` wait then send_email, a `for` wait then create_task.
    await install('viewing-reminder');
    await install('reserved-follow-up');

    let eventNo = 0;
    const handle = (type: DetailType, body: Record<string, unknown>) =>
      engine.handle({
        source: SOURCE_OF[type],
        'detail-type': type,
        detail: { tenantId: t, schemaVersion: SCHEMA_VERSION, occurredAt: now().toISOString(), eventKey: `bench-wait#${eventNo++}`, ...body },
      });
    const statusOf = (outcomes: RunOutcome[]) => (outcomes.length ? outcomes.map((o) => o.status).join('+') : 'nothing');
    const contact = (i: number, tag: string) =>
      stores.contacts.create(t, ContactInput.parse({ salutation: 'ms', lastName: `Warte-${tag}-${i}`, email: `${tag}-${i}@bench.example`, gdprConsent: true, ownerId: anna.id }));
    const viewing = (person: Contact, startsAt: number) =>
      stores.activities.create(
        t,
        ActivityInput.parse({ type: 'appointment', category: 'Besichtigung', contactIds: [person.id], propertyId: property.id, startsAt: new Date(startsAt).toISOString(), endsAt: new Date(startsAt + HOUR).toISOString(), location: 'Torstraße 1' }),
      );
    const onMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;
    /** The viewing parked by its reminder run (not counted). */
    const parkedViewing = async (person: Contact, startsAt: number) => {
      const activity = await viewing(person, startsAt);
      const [outcome] = await handle('ActivityCreated', { activity });
      if (outcome?.status !== 'waiting') throw new Error(`The reminder run did not park: ${outcome?.status}`);
      return { activity, executionId: outcome.executionId! };
    };

    /** Measures `act` once (one run's worth) and files it under `name`. */
    const samples = new Map<string, Sample[]>();
    async function sample(name: string, act: () => Promise<string>): Promise<void> {
      counter.reset();
      schedulerCounter.reset();
      const started = performance.now();
      const status = await act();
      const ms = performance.now() - started;
      if (!samples.has(name)) samples.set(name, []);
      samples.get(name)!.push({ dynamo: [...counter.requests], scheduler: [...schedulerCounter.requests], status, ms });
    }
    /** Measures `act` once per run, after `prepare` (not counted). */
    async function measure<P>(name: string, prepare: (i: number) => Promise<P>, act: (prepared: P, i: number) => Promise<string>): Promise<P[]> {
      const prepared: P[] = [];
      for (let i = 0; i < runs; i++) {
        const p = await prepare(i);
        prepared.push(p);
        await sample(name, () => act(p, i));
      }
      return prepared;
    }
    const wakeAt = async (executionId: string) => {
      const execution = await stack.executions.get(t, executionId);
      if (!execution?.resumeAt) throw new Error(`Execution ${executionId} does not wait (${execution?.status})`);
      return Date.parse(execution.resumeAt);
    };
    /** Moves the clock to the run's moment and waits for the stand-in to fire it (one schedule due at a time). */
    const fire = async (executionId: string, at: number) => {
      woken.delete(executionId);
      clock.set(new Date(at + 1_000));
      await localScheduler.whenIdle();
      return woken.has(executionId) ? (woken.get(executionId)?.status ?? 'ignored') : 'not fired';
    };

    // (a) until: a viewing in five days, ten minutes apart per run, so their schedules fire one at a time.
    const base = onMinute(now().getTime());
    const reminders = await measure(
      'park: until wait (viewing-reminder on ActivityCreated)',
      async (i) => ({ activity: await viewing(await contact(i, 'reminder'), base + 5 * DAY + i * 10 * MINUTE), executionId: '' }),
      async (p) => {
        const outcomes = await handle('ActivityCreated', { activity: p.activity });
        p.executionId = outcomes[0]?.executionId ?? '';
        return statusOf(outcomes);
      },
    );

    // (a) for: a deal moved to Reserviert, the clock ten minutes on per run.
    const followUps = await measure(
      'park: for wait (reserved-follow-up on DealStageChanged)',
      async (i) => {
        const person = await contact(i, 'reserved');
        const deal = await stores.deals.create(t, { contactId: person.id, propertyId: property.id, stage: 'Besichtigung', pipelineId: 'default', archived: false });
        clock.advance(10 * MINUTE);
        return { deal: await stores.deals.update(t, deal.id, { stage: 'Reserviert' }, deal.version), executionId: '' };
      },
      async (p) => {
        const outcomes = await handle('DealStageChanged', { deal: p.deal, fromStage: 'Besichtigung', toStage: 'Reserviert' });
        p.executionId = outcomes[0]?.executionId ?? '';
        return statusOf(outcomes);
      },
    );

    // (c) the viewing moves an hour later: the wait moves with it (new schedule, old one deleted).
    const activityUpdated = (before: Activity, after: Activity) => handle('ActivityUpdated', { activity: after, previous: before, changedFields: changedFields(before, after) });
    const moved = await measure(
      'reconsider: viewing moved (ActivityUpdated startsAt)',
      async (i) => {
        const before = (await stack.stores.activities.get(t, reminders[i]!.activity.id))!;
        const after = await stack.stores.activities.update(t, before.id, { startsAt: new Date(Date.parse(before.startsAt!) + HOUR).toISOString(), endsAt: new Date(Date.parse(before.endsAt!) + HOUR).toISOString() }, before.version);
        return { before, after };
      },
      async (p) => statusOf(await activityUpdated(p.before, p.after)),
    );

    // (c) only the place changes: the waiting run is reconsidered, and stays as it is.
    await measure(
      'reconsider: location changed, wait unchanged',
      async (i) => {
        const before = moved[i]!.after;
        return { before, after: await stack.stores.activities.update(t, before.id, { location: 'Torstraße 2' }, before.version) };
      },
      async (p) => statusOf(await activityUpdated(p.before, p.after)),
    );

    // (c) records nothing waits on: the one sparse-index query every revisiting event pays.
    await measure(
      'ActivityUpdated, nothing waits',
      async (i) => {
        const before = await viewing(await contact(i, 'idle'), base + 6 * DAY + i * MINUTE);
        return { before, after: await stack.stores.activities.update(t, before.id, { location: 'Torstraße 3' }, before.version) };
      },
      async (p) => statusOf(await activityUpdated(p.before, p.after)),
    );
    await measure(
      'ContactUpdated, nothing waits',
      async (i) => {
        const before = await contact(i, 'plain');
        return { before, after: await stack.stores.contacts.update(t, before.id, { phone: `+49 30 ${1000 + i}` }, before.version) };
      },
      async (p) => statusOf(await handle('ContactUpdated', { contact: p.after, previous: p.before, changedFields: changedFields(p.before, p.after) })),
    );

    // (b) the wake-ups: the reminders (send_email with .ics), then the follow-ups (create_task).
    await measure(
      'wake -> send_email (viewing-reminder)',
      async (i) => ({ executionId: reminders[i]!.executionId, at: await wakeAt(reminders[i]!.executionId) }),
      (p) => fire(p.executionId, p.at),
    );
    await measure(
      'wake -> create_task (reserved-follow-up)',
      async (i) => ({ executionId: followUps[i]!.executionId, at: await wakeAt(followUps[i]!.executionId) }),
      (p) => fire(p.executionId, p.at),
    );

    // (d) an admin cancels a waiting reminder; resumes another now (then it wakes within the minute).
    const later = onMinute(now().getTime());
    await measure(
      'admin cancel (POST /executions/{id}/cancel)',
      async (i) => parkedViewing(await contact(i, 'cancel'), later + 5 * DAY + i * 10 * MINUTE),
      async (p) => (await waits.cancel(t, p.executionId, 'Cancelled by an admin (bench)')).status,
    );
    // Resumed runs fire at the next minute: each is resumed and woken before the next is resumed.
    for (let i = 0; i < runs; i++) {
      const { executionId } = await parkedViewing(await contact(i, 'resume'), later + 6 * DAY + i * 10 * MINUTE);
      await sample('admin resume-now (POST /executions/{id}/resume)', async () => (await waits.resumeNow(t, executionId)).status);
      const at = await wakeAt(executionId);
      await sample('wake after resume-now -> send_email', () => fire(executionId, at));
    }

    if (deadLetters.length) problems.push(...deadLetters.map((e) => `wake-up dead-lettered: ${e}`));
    if (problems.length) console.warn(`  ${problems.length} problem(s) logged by the engine, e.g. ${problems[0]}`);
    return summarize(samples, tableLabel, executionsTable, crmTable);
  } finally {
    await localScheduler.stop();
    schedulerClient.destroy();
    ses.destroy();
    raw.destroy();
  }
}

/** Per-run averages and maxima, in the order of the brief: parks, wake-ups, reconsiders, admin. */
function summarize(samples: Map<string, Sample[]>, tableLabel: Map<string, string>, executionsTable: string, crmTable: string): WaitCase[] {
  const order = [
    'park: until wait (viewing-reminder on ActivityCreated)',
    'park: for wait (reserved-follow-up on DealStageChanged)',
    'wake -> send_email (viewing-reminder)',
    'wake -> create_task (reserved-follow-up)',
    'reconsider: viewing moved (ActivityUpdated startsAt)',
    'reconsider: location changed, wait unchanged',
    'ActivityUpdated, nothing waits',
    'ContactUpdated, nothing waits',
    'admin cancel (POST /executions/{id}/cancel)',
    'admin resume-now (POST /executions/{id}/resume)',
    'wake after resume-now -> send_email',
  ];
  return order.map((name): WaitCase => {
    const list = samples.get(name)!;
    const n = list.length;
    const avg = (count: (s: Sample) => number) => round(list.reduce((sum, s) => sum + count(s), 0) / n);
    const ops = (op: string) => (s: Sample) => s.dynamo.filter((r) => r.operation === op).length;
    const byTableAndOperation: Record<string, number> = {};
    for (const s of list) {
      for (const r of s.dynamo) {
        const key = `${r.operation} ${r.tables.map((name) => tableLabel.get(name) ?? name).join('+')}`;
        byTableAndOperation[key] = (byTableAndOperation[key] ?? 0) + 1 / n;
      }
      for (const op of s.scheduler) byTableAndOperation[`${op} scheduler`] = (byTableAndOperation[`${op} scheduler`] ?? 0) + 1 / n;
    }
    for (const key of Object.keys(byTableAndOperation)) byTableAndOperation[key] = round(byTableAndOperation[key]!);
    const unknown = [...new Set(list.flatMap((s) => s.dynamo.map((r) => r.operation)).filter((op) => !(OPERATIONS as readonly string[]).includes(op)))];
    const statuses = [...new Set(list.map((s) => s.status))];
    return {
      case: unknown.length ? `${name} (also ${unknown.join(', ')})` : name,
      runs: n,
      status: statuses.join(' | '),
      ddb: avg((s) => s.dynamo.length),
      ddbMax: Math.max(...list.map((s) => s.dynamo.length)),
      crm: avg((s) => s.dynamo.filter((r) => r.tables.every((t) => t === crmTable)).length),
      waitQuery: avg((s) => s.dynamo.filter((r) => r.operation === 'Query' && r.tables.includes(executionsTable)).length),
      GetItem: avg(ops('GetItem')),
      Query: avg(ops('Query')),
      PutItem: avg(ops('PutItem')),
      UpdateItem: avg(ops('UpdateItem')),
      TransactWriteItems: avg(ops('TransactWriteItems')),
      CreateSchedule: avg((s) => s.scheduler.filter((op) => op === 'CreateSchedule').length),
      DeleteSchedule: avg((s) => s.scheduler.filter((op) => op === 'DeleteSchedule').length),
      schedMax: Math.max(...list.map((s) => s.scheduler.length)),
      ms: round(list.reduce((sum, s) => sum + s.ms, 0) / n, 1),
      byTableAndOperation,
    };
  });
}

/** The printed table: the JSON's rows without the breakdown by table. */
export function waitTable(cases: WaitCase[]): WaitCount[] {
  return cases.map(({ byTableAndOperation: _, ...row }) => row);
}

/**
 * `npx tsx test/bench/requests-per-wait.ts`: this section alone, on a local stack of its own
 * (BENCH_WAIT_RUNS runs per case, 20 by default); prints the table and the JSON.
 */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const runs = Number(process.env.BENCH_WAIT_RUNS ?? 20);
  // Events from the stream go nowhere: the bench drives its own engine.
  const stack = await startLocalStack({
    dataDir: mkdtempSync(join(tmpdir(), 'crm-bench-wait-')),
    inMemory: true,
    dynamoPort: await freePort(),
    apiPort: 0,
    eventBusPort: 0,
    sesPort: 0,
    schedulerPort: 0,
    smtpPort: 0,
    targets: Object.fromEntries(FAMILIES.map((family) => [family, async () => undefined])),
  });
  try {
    const cases = await requestsPerWait(stack, runs);
    table(`9. DynamoDB and Scheduler requests per wait and resume (per run, averages of ${runs}; ddbMax, schedMax: the most one run made)`, waitTable(cases));
    console.log(`\n${JSON.stringify(cases, null, 2)}`);
  } finally {
    await stack.stop();
  }
  process.exit(0);
}
