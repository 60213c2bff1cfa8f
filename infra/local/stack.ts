import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { DEFAULT_BUS_NAME, FAMILIES, RULES, type Family } from '#events/rules';
import { createDocumentClient } from '#shared/aws/clients';
import type { BirthdayRunInput, BirthdayRunResult } from '#shared/birthdays/birthday-run';
import { BIRTHDAY_SCHEDULE } from '#shared/birthdays/schedule';
import { createTables } from '#shared/db/create-tables';
import type { Engine } from '#shared/engine/engine';
import type { Mailer } from '#shared/engine/mailer';
import type { RunFailures } from '#shared/engine/run-failures';
import { parseWakeInput, type WakeScheduleConfig } from '#shared/engine/wake-schedules';
import { MemoryPoisonSink } from '#shared/events/poison-sink';
import type { SenderDomains } from '#shared/senders/sender-domains';
import type { DynamoAutomationStore } from '#shared/stores/automation-store';
import type { CrmStores } from '#shared/stores/crm-stores';
import type { DynamoExecutionStore } from '#shared/stores/execution-store';
import { approximateMs, parseDuration } from '#shared/time/wait-time';
import { apiHandler, composeApiServices } from '#shared/wiring/api';
import { composeBirthdayCheck } from '#shared/wiring/birthday-check';
import { runStores } from '#shared/wiring/clients';
import { composeInboundMail } from '#shared/wiring/inbound-mail';
import { composeRunFailureCloser } from '#shared/wiring/run-failures';
import { composeEngine, runnerHandler, wakeHandler } from '#shared/wiring/runner';
import { composeSesEvents } from '#shared/wiring/ses-events';
import { composeStreamPublisher } from '#shared/wiring/stream-publisher';
import { plainWiring } from '#shared/wiring/wiring';
import { TABLES } from '../tables.ts';
import { buildAdminSite } from './admin-site.ts';
import { LocalClock } from './clock.ts';
import { DevAuth } from './dev-auth.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { localEnvironment } from './environment.ts';
import { LocalEventBus, type BusEvent } from './event-bus.ts';
import { startLocalApi, type LocalRoute } from './http-server.ts';
import { openApiSite } from './openapi-site.ts';
import { LocalS3 } from './s3-server.ts';
import { startSchedule } from './scheduler.ts';
import { startLocalScheduler, type LocalScheduler } from './scheduler-service.ts';
import { persistSesInbox } from './ses-inbox.ts';
import { startLocalSes } from './ses-v2.ts';
import { startSmtpInbound } from './smtp-inbound.ts';
import { StreamPoller } from './stream-poller.ts';

export interface LocalStackOptions {
  /** Folder for data that survives a restart (DynamoDB files, dev keys). */
  dataDir: string;
  apiPort: number;
  /** Start DynamoDB Local on this port, unless `dynamoEndpoint` names a running one. */
  dynamoPort?: number;
  dynamoEndpoint?: string;
  /** Keep DynamoDB in memory (tests) instead of under `dataDir`. */
  inMemory?: boolean;
  /** The region of the clients and of the ARNs the stand-ins make. @default eu-central-1 */
  region?: string;
  /** Prefix of the physical table names, so test files do not share tables. */
  tablePrefix?: string;
  /** Port of the local EventBridge endpoint (0: any free port). @default 4010 */
  eventBusPort?: number;
  /** Port of the local SES endpoint and its inbox (0: any free port). @default 8005 */
  sesPort?: number;
  /** The platform's inbound domain (tenants' own addresses `<tenantId>@…`). @default inbound.crm.example */
  platformInboundDomain?: string;
  /** Wraps the mailer (tests inject SES faults through it). */
  wrapMailer?: (mailer: Mailer) => Mailer;
  /** Port of the local SMTP server for inbound mail (0: any free port). @default 2525 */
  smtpPort?: number;
  /** Port of the local EventBridge Scheduler (0: any free port). @default 4020 */
  schedulerPort?: number;
  /** The clock the runs and the schedules go by; tests move it instead of sleeping. */
  clock?: LocalClock;
  /** Wait between empty stream polls. @default 100 */
  streamPollMs?: number;
  /** The bus rules' targets, by event family (the runners); a family without one only records. */
  targets?: Partial<Record<Family, (event: BusEvent) => Promise<void>>>;
  localRoutes?: Record<string, LocalRoute>;
  log?: (line: string) => void;
}

export interface LocalStack {
  apiUrl: string;
  dynamoEndpoint: string;
  tableNames: Record<string, string>;
  auth: DevAuth;
  bus: LocalEventBus;
  poller: StreamPoller;
  poison: MemoryPoisonSink;
  smtpPort: number;
  s3: LocalS3;
  /** The local SES endpoint; its inbox is at this URL and the sent mail at `${sesUrl}/store`. */
  sesUrl: string;
  /** Resolves once the SES events (bounces, complaints) of the sends so far have been handled. */
  sesEventsDelivered(): Promise<void>;
  /** The tenants' sender domains, as the API registers them (identities in the local SES stand-in). */
  senderDomains: SenderDomains;
  /** Verifies (or fails) a domain's identity in the local SES stand-in, as DNS would in AWS. */
  verifyDomain(domain: string, status?: 'verified' | 'failed'): void;
  /** Runs the birthday check now (all tenants, or one), as the schedule or the admin route would. */
  runBirthdays(input: BirthdayRunInput): Promise<BirthdayRunResult>;
  /** When the local schedule fires next. */
  nextBirthdayRun(): Date;
  /** The clock of the runs and the wait schedules (`POST /_local/clock` moves it too). */
  clock: LocalClock;
  /** The local EventBridge Scheduler with the schedules of waiting runs. */
  scheduler: LocalScheduler;
  /** The engine behind the local runners (the bench calls it directly). */
  engine: Engine;
  /** The stores the local API and runners use. */
  stores: CrmStores;
  automations: DynamoAutomationStore;
  executions: DynamoExecutionStore;
  stop(): Promise<void>;
}

export const LOCAL_REGION = 'eu-central-1';
/** The local schedule group of waiting runs (in AWS: the stack's group). */
export const LOCAL_SCHEDULE_GROUP = 'crm-local-waits';

/** The wake schedules' settings on this machine: ARNs of the form AWS checks, a local account. */
export function localWakeConfig(region = LOCAL_REGION): WakeScheduleConfig {
  return {
    groupName: LOCAL_SCHEDULE_GROUP,
    roleArn: `arn:aws:iam::000000000000:role/${LOCAL_SCHEDULE_GROUP}-scheduler`,
    targetArn: `arn:aws:lambda:${region}:000000000000:function:${LOCAL_SCHEDULE_GROUP}-wake-run`,
    deadLetterArn: `arn:aws:sqs:${region}:000000000000:${LOCAL_SCHEDULE_GROUP}-wake-dead-letters`,
    retryAttempts: 3,
    maxEventAgeSeconds: 21_600,
  };
}

/** A component's structured log lines, one per line, leaving out the routine ones. */
const componentLog = (log: (line: string) => void, name: string) => (entry: Record<string, unknown>) => {
  if (entry.level !== 'INFO') log(`[${name}] ${JSON.stringify(entry)}`);
};

/**
 * Starts the system on this machine, the same handlers as in AWS against real stand-ins: DynamoDB
 * Local with the tables from the CDK definitions, a stream poller feeding the stream publisher, a
 * local EventBridge routing to the runners, aws-ses-v2-local for outgoing mail, SMTP and a local S3
 * for inbound mail, the birthday schedule, and the API behind a local API Gateway. Configuration
 * flows only through the AWS SDK's endpoint settings, as it would for any other environment.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  let dynamo: DynamoDbLocal | undefined;
  let dynamoEndpoint = options.dynamoEndpoint;
  if (!dynamoEndpoint) {
    dynamo = await startDynamoDbLocal({
      port: options.dynamoPort ?? 8000,
      ...(process.env.DEBUG_DYNAMODB_LOCAL ? { log: (line: string) => console.error(`[dynamodb-local] ${line}`) } : {}),
      ...(options.inMemory ? {} : { dbPath: join(options.dataDir, 'dynamodb') }),
    });
    dynamoEndpoint = dynamo.endpoint;
  }
  // Every client is built here with the stand-in's endpoint, the region and local credentials:
  // the functions' configuration comes from `localEnvironment`, none from this process's environment,
  // which the stack never writes (only `DEBUG_DYNAMODB_LOCAL` above, a switch of its own, is read).
  const region = options.region ?? LOCAL_REGION;
  const aws = { region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const raw = new DynamoDBClient({ ...aws, endpoint: dynamoEndpoint });
  const tableNames = await createTables(raw, TABLES, options.tablePrefix ?? '');
  const doc = createDocumentClient(raw);

  const log = options.log ?? (() => undefined);
  // The clock of runs and waits; `enabledAt` of the automations goes by it too.
  const clock = options.clock ?? new LocalClock();
  const wiringOf = (name: string) => plainWiring(componentLog(log, name), { now: () => clock.now() });

  // What survives a crash lives under the data folder: the bus's journal, the stream checkpoints,
  // the SES inbox (with DynamoDB's files). With DynamoDB in memory there is nothing to resume.
  const durable = !options.inMemory;
  // Runs the runner gave up on are closed, as the run-failures function does with FailedRuns in AWS.
  let runFailures: RunFailures | undefined;

  // The bus, with one rule per event family, as the CDK stack has them; it journals every event
  // until its runner is done with it, and redelivers what a crash left pending.
  const bus = new LocalEventBus({
    port: options.eventBusPort ?? 4010,
    region,
    log,
    ...(durable ? { journalDir: join(options.dataDir, 'event-bus') } : {}),
    onDeadLetter: async ({ event, error }) => void (await runFailures?.close({ event, reason: `The runner failed on every delivery attempt: ${error}` })),
  });
  // Targets are set once the runners exist (below); until then events wait.
  for (const family of FAMILIES) bus.addTarget(family, RULES[family]);
  const busUrl = await bus.start();
  const eventBridge = new EventBridgeClient({ ...aws, endpoint: busUrl });

  // SES: the SES v2 stand-in (identities, tenants, the tenant check of every send) in front of
  // aws-ses-v2-local and its web inbox. Its bounce and complaint events (for SES's mailbox-simulator
  // addresses) go to the ses-events handler, as SES's EventBridge destination and the rule do in AWS.
  let sesEvents: ((event: unknown) => Promise<unknown>) | undefined;
  const localSes = await startLocalSes({
    port: options.sesPort ?? 8005,
    region,
    ...(durable ? { statePath: join(options.dataDir, 'ses', 'identities.json') } : {}),
    log,
    onEvent: (event) => sesEvents!(event),
  });
  const sesUrl = localSes.url;
  const sesInbox = durable ? persistSesInbox(join(options.dataDir, 'ses', 'inbox.ndjson'), log) : undefined;
  const ses = new SESv2Client({ ...aws, endpoint: sesUrl });
  // The mailer's own client makes one attempt per send, as in the Lambda: an SDK retry after a
  // timeout could send twice (`SesMailer`).
  const sesSend = new SESv2Client({ ...aws, endpoint: sesUrl, maxAttempts: 1 });

  // Waits: a local EventBridge Scheduler on the stack's clock, its schedules kept under the data
  // folder; they invoke the wake-run handler, and what fails for good goes to run-failures.
  const wakeConfig = localWakeConfig(region);
  const localScheduler = await startLocalScheduler({
    port: options.schedulerPort ?? 4020,
    region,
    clock,
    groups: [LOCAL_SCHEDULE_GROUP],
    ...(durable ? { statePath: join(options.dataDir, 'scheduler', 'schedules.json') } : {}),
    onDeadLetter: async ({ input, error }) => {
      const wake = parseWakeInput(input);
      if (wake) await runFailures?.closeWake({ wake, reason: `The schedule could not wake the run: ${error}` });
    },
    log,
  });
  const schedulerClient = new SchedulerClient({ ...aws, endpoint: localScheduler.url });

  // Inbound mail: SMTP plays SES's receipt rule, a local S3 holds the raw messages.
  const s3 = new LocalS3(join(options.dataDir, 's3'));
  const s3Client = new S3Client({ ...aws, forcePathStyle: true, endpoint: await s3.start() });

  // The functions' environments, as the CDK stack sets them, checked by the same schemas.
  const env = localEnvironment({
    tableNames,
    wake: wakeConfig,
    busName: DEFAULT_BUS_NAME,
    identityArnPrefix: localSes.identityArnPrefix,
    platformInboundDomain: options.platformInboundDomain,
  });
  const clients = { dynamo: doc, eventBridge, ses, scheduler: schedulerClient, s3: s3Client };

  // The stream publisher, fed by a poller that plays Lambda's DynamoDB event source.
  const poison = new MemoryPoisonSink();
  const streams = new DynamoDBStreamsClient({ ...aws, endpoint: dynamoEndpoint });
  const crmTable = env.api.CRM_TABLE_NAME;
  const poller = new StreamPoller({
    ddb: raw,
    streams,
    tableName: crmTable,
    handler: composeStreamPublisher(env['stream-publisher'], wiringOf('stream-publisher'), { clients, poison }),
    pollIntervalMs: options.streamPollMs,
    log,
    ...(durable ? { checkpointFile: join(options.dataDir, 'stream', `${crmTable}.checkpoint.json`), failedFile: join(options.dataDir, 'stream', 'failed-batches.ndjson') } : {}),
  });
  await poller.start();

  runFailures = composeRunFailureCloser(env['run-failures'], wiringOf('run-failures'), { clients });
  sesEvents = composeSesEvents(env['ses-events'], wiringOf('ses-events'), { clients });

  // The runners (one engine for every bus rule, as every runner Lambda is the same code) and wake-run.
  const runnerWiring = wiringOf('runner');
  // One set of stores for the runners and the API, as the tests look at (and stub) them.
  const shared = runStores(env.runner, doc, () => clock.now());
  const { engine, stores, automations, executions } = composeEngine(env.runner, runnerWiring, {
    clients: { ...clients, ses: sesSend },
    stores: shared,
    ...(options.wrapMailer ? { wrapMailer: options.wrapMailer } : {}),
  });
  // The same engine wakes the waiting runs (its mailer wrapped alike), as wake-run is the runners' code.
  localScheduler.addTarget(wakeConfig.targetArn, wakeHandler(engine, runnerWiring));
  const runner = runnerHandler(engine, runnerWiring);
  for (const family of FAMILIES) bus.setTarget(family, options.targets?.[family] ?? ((event) => runner(event).then(() => undefined)));

  // The daily schedule, from the same constant as the CDK schedule.
  const birthdayHandler = composeBirthdayCheck(env['birthday-check'], wiringOf('birthday-check'), { clients });
  const schedule = startSchedule(BIRTHDAY_SCHEDULE.cron, BIRTHDAY_SCHEDULE.timeZone, (at) => birthdayHandler({ scheduledTime: at.toISOString() }), log);
  const auth = await DevAuth.load(join(options.dataDir, 'dev-keys.json'));
  const localRoutes: Record<string, LocalRoute> = {
    'POST /_local/birthday-runs': async (_req, url) => {
      const date = url.searchParams.get('date') ?? undefined;
      return { status: 200, body: await birthdayHandler(date ? { date } : {}) };
    },
    // The clock of runs and waits: GET it, or POST {"advance": "PT2H"} / {"advanceMs": 7200000} / {"set": "<ISO>"}.
    'GET /_local/clock': async () => ({ status: 200, body: { now: clock.now().toISOString(), offsetMs: clock.offsetMs } }),
    'POST /_local/clock': async (req) => {
      const input = (await readJson(req)) as { advance?: string; advanceMs?: number; set?: string };
      const duration = typeof input.advance === 'string' ? parseDuration(input.advance) : undefined;
      const by = duration && duration.sign > 0 ? approximateMs(duration) : typeof input.advanceMs === 'number' && input.advanceMs >= 0 ? input.advanceMs : undefined;
      const to = by !== undefined ? clock.now().getTime() + by : typeof input.set === 'string' ? Date.parse(input.set) : Number.NaN;
      // Within the years a schedule can name (four digits), so the clock never becomes an invalid date.
      if (!(to >= Date.UTC(1970, 0, 1) && to < Date.UTC(9999, 0, 1))) {
        return { status: 400, body: { error: { code: 'invalid_clock', message: 'Send {"advance": "PT2H"}, {"advanceMs": 7200000} or {"set": "2026-12-01T09:00:00Z"}, to a moment between 1970 and 9999' } } };
      }
      clock.set(new Date(to));
      await localScheduler.whenIdle();
      return { status: 200, body: { now: clock.now().toISOString(), offsetMs: clock.offsetMs } };
    },
    // The admin page's dev sign-in: a token for a tenant's admin or agent (the local stack only; no password).
    'POST /_local/dev-token': async (req) => {
      const input = (await readJson(req)) as { tenantId?: unknown; role?: unknown };
      const tenantId = typeof input.tenantId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(input.tenantId) ? input.tenantId : undefined;
      const role = input.role === 'agent' ? 'agent' : 'admin';
      if (!tenantId) return { status: 400, body: { error: { code: 'validation_failed', message: 'A tenant id of 1 to 64 letters, digits, - or _', fields: [{ path: 'tenantId', code: 'invalid', message: 'A tenant id of 1 to 64 letters, digits, - or _' }] } } };
      return { status: 200, body: { token: await auth.sign({ tenantId, role }) } };
    },
    // Replays from the bus's archive (`npm run replay`): {"from", "to", "detailType"?}; and the dead letters redriven.
    'POST /_local/replays': async (req) => {
      const input = (await readJson(req)) as { from?: unknown; to?: unknown; detailType?: unknown };
      const from = typeof input.from === 'string' ? new Date(input.from) : undefined;
      const to = typeof input.to === 'string' ? new Date(input.to) : new Date();
      if (!from || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) {
        return { status: 400, body: { error: { code: 'validation_failed', message: 'Send {"from": "<ISO time>", "to": "<ISO time, later>", "detailType"?: "ContactCreated"}' } } };
      }
      const replayed = await bus.replay({ from, to, ...(typeof input.detailType === 'string' ? { detailType: input.detailType } : {}) });
      return { status: 200, body: { replayed } };
    },
    'POST /_local/redrive': async () => ({ status: 200, body: { redriven: await bus.redrive() } }),
    'GET /_local/events': async (_req, url) => {
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 100) || 100, 500);
      return { status: 200, body: { items: bus.recent().reverse().slice(0, limit) } };
    },
    ...options.localRoutes,
  };
  // The admin page, built from its sources once per process (the sources do not change while it runs), served at /admin.
  const site = await localAdminSite();
  const apiWiring = wiringOf('api');
  const apiServices = composeApiServices(env.api, apiWiring, { clients, stores: shared });
  // The API's OpenAPI document at /openapi.json and its page at /docs.
  const docs = openApiSite();
  const api = await startLocalApi({ sites: { '/admin': site.outDir, ...docs.sites }, handler: apiHandler(env.api, apiServices, apiWiring), auth, port: options.apiPort, localRoutes: { ...localRoutes, ...docs.localRoutes } });

  const inboundBucket = env['inbound-mail'].INBOUND_BUCKET;
  const inbound = composeInboundMail(env['inbound-mail'], wiringOf('inbound-mail'), { clients });
  const smtp = await startSmtpInbound({
    port: options.smtpPort ?? 2525,
    s3,
    bucket: inboundBucket,
    isInboundAddress: async (address) => (await stores.settings.findTenantByInboundAddress(address)) !== undefined,
    handler: inbound,
    log,
  });

  return {
    apiUrl: api.url,
    dynamoEndpoint,
    tableNames,
    auth,
    bus,
    poller,
    poison,
    smtpPort: smtp.port,
    s3,
    sesUrl,
    sesEventsDelivered: () => localSes.eventsDelivered(),
    senderDomains: apiServices.senderDomains,
    verifyDomain: (domain, status = 'verified') => localSes.verify(domain, status === 'verified' ? 'SUCCESS' : 'FAILED'),
    runBirthdays: apiServices.runBirthdays,
    nextBirthdayRun: schedule.next,
    clock,
    scheduler: localScheduler,
    engine,
    stores,
    automations,
    executions,
    async stop() {
      // Inputs first, then the pipeline (runs under way finish, waiting events stay journaled),
      // then what the runs use.
      schedule.stop();
      await api.close();
      await smtp.close();
      await poller.stop();
      await localScheduler.stop();
      schedulerClient.destroy();
      await bus.stop();
      sesInbox?.stop();
      await localSes.stop();
      ses.destroy();
      sesSend.destroy();
      await s3.stop();
      s3Client.destroy();
      eventBridge.destroy();
      streams.destroy();
      raw.destroy();
      await dynamo?.stop();
    },
  };
}

/** A small JSON body of a local route ({} when there is none or it is not JSON). */
async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 4_096) return {};
  }
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

let adminSite: Promise<{ outDir: string }> | undefined;

/**
 * The admin page as the local stack serves it, with its dev `config.json`: built once per process
 * (every stack of a test file, every `npm start`, gets the same files), again only after a failure.
 */
function localAdminSite(): Promise<{ outDir: string }> {
  adminSite ??= buildAdminSite(mkdtempSync(join(tmpdir(), 'crm-admin-site-'))).then((site) => {
    writeFileSync(join(site.outDir, 'config.json'), JSON.stringify({ mode: 'dev', apiUrl: '' }));
    return site;
  });
  adminSite.catch(() => (adminSite = undefined));
  return adminSite;
}
