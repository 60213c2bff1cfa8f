import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BusEvent } from '#infra/local/event-bus';
import { freePort, startDynamoDbLocal } from '#infra/local/dynamodb-local';
import { startLocalStack, type LocalStack } from '#infra/local/stack';
import { CRM_TABLE } from '#infra/tables';
import { FAMILIES, type Family } from '#events/rules';
import { bundles } from './bundles.ts';
import { dynamoCeiling, mixedCeiling } from './ceiling.ts';
import { costModel } from './cost.ts';
import { countingProxy } from './dynamo-proxy.ts';
import { Pipeline } from './end-to-end.ts';
import { birthdayScale, putEventsPerBirthdays, putEventsPerStreamRecords } from './events-and-birthdays.ts';
import { HopClock } from './hops.ts';
import { inquiryParsing } from './inquiries.ts';
import { matcherCost, worstPatternCost } from './matcher.ts';
import { requestsPerRun } from './requests-per-run.ts';
import { requestsPerWait, waitTable } from './requests-per-wait.ts';
import { check, mark, round, table, type Checked } from './support.ts';

/**
 * `npm run bench`: counts where counting is possible, times only what must be timed, on a local
 * stack of its own (in-memory DynamoDB Local behind a counting proxy, free ports). Prints every
 * figure beside its target and writes bench-results/bench.json. `--quick` (`npm run bench:quick`)
 * runs every section at small sizes in under a minute and writes bench-results/bench-quick.json;
 * `npm test` runs it (test/bench/quick.test.ts) so the bench never rots. Full sizes: BENCH_CONTACTS
 * (100000), BENCH_WRITES (2000), BENCH_WAIT_RUNS (200), BENCH_STEADY_SECONDS (20). BENCH_OUT names
 * the JSON file, BENCH_DYNAMODB_ENDPOINT a running DynamoDB Local to use instead of starting one.
 * Section 9 alone: `npx tsx test/bench/requests-per-wait.ts`.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.AWS_REGION ??= 'eu-central-1';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
const quick = process.argv.includes('--quick');
const SIZES = quick
  ? { contacts: 1_000, writes: 150, waitRuns: 2, steadySeconds: 2, ceilingOps: 400, birthdayEvents: 100, parseRuns: 5, bigParseRuns: 2, bundleSamples: 1, matcherRounds: 20 }
  : {
      contacts: Number(process.env.BENCH_CONTACTS ?? 100_000),
      writes: Number(process.env.BENCH_WRITES ?? 2_000),
      waitRuns: Number(process.env.BENCH_WAIT_RUNS ?? 200),
      steadySeconds: Number(process.env.BENCH_STEADY_SECONDS ?? 20),
      ceilingOps: 4_000,
      birthdayEvents: 1_000,
      parseRuns: 200,
      bigParseRuns: 20,
      bundleSamples: 5,
      matcherRounds: 200,
    };
const CONCURRENCY = 16;
const LOADS = [0.25, 0.5, 0.75];
const POLL_MS = Number(process.env.STREAM_POLL_MS ?? 100);
const OUT = process.env.BENCH_OUT ?? join('bench-results', quick ? 'bench-quick.json' : 'bench.json');

const dynamo = process.env.BENCH_DYNAMODB_ENDPOINT ? undefined : await startDynamoDbLocal({ port: await freePort() });
const proxy = await countingProxy(process.env.BENCH_DYNAMODB_ENDPOINT ?? dynamo!.endpoint);
const clock = new HopClock();

// The runners run only during the end-to-end section; before, the bench drives the engine itself.
let runnersOn = false;
let stack: LocalStack;
const runner = clock.runner((event) => stack.engine.handle(event));
const targets = Object.fromEntries(FAMILIES.map((family) => [family, async (event: BusEvent) => (runnersOn ? runner(event) : undefined)])) as Record<Family, (event: BusEvent) => Promise<void>>;

stack = await startLocalStack({
  dataDir: mkdtempSync(join(tmpdir(), 'crm-bench-')),
  inMemory: true,
  dynamoEndpoint: proxy.url,
  tablePrefix: `bench-${Date.now().toString(36)}-`,
  apiPort: 0,
  eventBusPort: 0,
  sesPort: 0,
  schedulerPort: 0,
  smtpPort: 0,
  streamPollMs: POLL_MS,
  targets,
});

const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version, quick, sizes: SIZES };
const checks: Checked[] = [];
/** Records the check for the summary and returns the columns a section's table shows beside the figure. */
const checked = (figure: string, value: number, op: '<' | '≤' | '≥', limit: number, unit = '') => {
  const c = check(figure, value, op, limit, unit);
  checks.push(c);
  return { target: c.target, mark: mark(c) };
};
const began = performance.now();
const step = (name: string) => console.log(`… ${name} (at ${Math.round((performance.now() - began) / 1000)} s)`);
try {
  step('1. DynamoDB requests per automation run');
  const runs = (await requestsPerRun(stack)).map((run) => ({ ...run, ...checked(`engine requests: ${run.preset}`, run.engine, '≤', run.sends ? 4 : 3) }));
  results.requestsPerRun = runs;
  table('1. DynamoDB requests per automation run (target: engine overhead ≤ 3; ≤ 4 for a run that sends)', runs);

  step(`9. Requests per wait and resume (${SIZES.waitRuns} runs per case)`);
  const waits = await requestsPerWait(stack, SIZES.waitRuns);
  results.requestsPerWait = waits;
  table(`9. DynamoDB and Scheduler requests per wait and resume (per run, averages of ${SIZES.waitRuns}; ddbMax, schedMax: the most one run made)`, waitTable(waits));

  step('2. PutEvents calls');
  const stream = await putEventsPerStreamRecords(stack);
  const birthdays = await putEventsPerBirthdays(stack, SIZES.birthdayEvents);
  const putEvents = [
    { input: `${stream.records} stream records`, calls: stream.calls, ...checked(`PutEvents calls per ${stream.records} stream records`, stream.calls, '≤', stream.records / 10) },
    { input: `${birthdays.events} birthday events`, calls: birthdays.calls, ...checked(`PutEvents calls per ${birthdays.events} birthday events`, birthdays.calls, '≤', birthdays.events / 10) },
  ];
  results.putEvents = putEvents;
  table('2. PutEvents calls (batches of 10)', putEvents);

  // Before the contacts of section 3 make the table (and DynamoDB Local) slower.
  step(`6. End to end: the ceiling, ${SIZES.writes} writes at concurrency ${CONCURRENCY}, then steady rates`);
  const ceiling = await dynamoCeiling(proxy.url, stack.tableNames[CRM_TABLE.envVar]!, SIZES.ceilingOps, CONCURRENCY);
  const unwatch = clock.watch(stack);
  runnersOn = true;
  const pipeline = await Pipeline.start(stack, clock);
  const saturation = await pipeline.saturation(SIZES.writes, CONCURRENCY, proxy);
  const steady = [];
  for (const load of LOADS) {
    const rate = Math.max(1, saturation.runsPerSec * load);
    step(`6. Steady ${rate.toFixed(1)} writes/s (${load * 100} % of saturation) for ${SIZES.steadySeconds} s`);
    const row = await pipeline.steady(rate, SIZES.steadySeconds);
    const target = load === 0.5 ? checked('p99 API answer → run recorded at 50 % load (ms)', row.p99Ms, '<', 500, ' ms') : { target: '', mark: '' };
    steady.push({ load: `${load * 100} %`, ...row, ...target });
  }
  runnersOn = false;
  unwatch();
  const mix = mixedCeiling(ceiling, saturation.writeShare);
  const ratio = round(saturation.dynamoRequestsPerSec / mix, 2);
  const capacity = {
    ...ceiling,
    mixedCeilingPerSec: round(mix, 0),
    pipelineRequestsPerSec: saturation.dynamoRequestsPerSec,
    requestsPerRun: saturation.dynamoRequestsPerRun,
    runsPerSec: saturation.runsPerSec,
    runsPerSecAtCeiling: round(mix / saturation.dynamoRequestsPerRun, 1),
    ratio,
    ...checked('pipeline DynamoDB requests/s ÷ ceiling', ratio, '≥', 0.75),
  };
  results.endToEnd = { capacity, saturation, steady, streamPollMs: POLL_MS };
  table(`6a. Ceiling: raw DynamoDB Local at concurrency ${CONCURRENCY} (puts, queries, and their mix in the pipeline's proportion) against the pipeline's requests at saturation`, [capacity]);
  table('6b. Saturation (closed loop: writes as fast as 16 clients are answered)', [saturation]);
  table(
    `6c. Steady rates (open loop) as % of saturation: ms from the API's answer to the recorded run, and per hop "p50 / p99" (stream read, published, delivered, run recorded; poll ${POLL_MS} ms)`,
    steady.map(({ hops, ...row }) => ({ ...row, read: hops.streamRead, published: hops.published, delivered: hops.delivered, run: hops.recorded })),
  );

  step(`3. Birthday run over ${SIZES.contacts} contacts (writing them takes a while)`);
  const scale = await birthdayScale(stack, SIZES.contacts);
  const birthdayRow = { ...scale, ...checked('birthday index items read per birthday', scale.readsPerBirthday, '≤', 1.05) };
  results.birthdayScale = birthdayRow;
  table('3. Birthday run (a scan would read ≈ 365 items per birthday)', [birthdayRow]);

  step('4. Bundles and init time');
  const sizes = (await bundles(SIZES.bundleSamples)).map((b) => {
    const limit = b.fn === 'inbound-mail' ? 1536 : 400;
    const size = check(`bundle ${b.fn} (KB)`, b.kb, '<', limit, ' KB');
    // Checked on CPU time: wall time on a shared 2-core machine measures the other processes too.
    const init = check(`own init ${b.fn} (CPU ms)`, b.ownCpuMs, '<', 100, ' ms');
    checks.push(size, init);
    return { ...b, kbTarget: size.target, ownCpuMsTarget: init.target, mark: size.pass && init.pass ? 'pass' : 'SHORT' };
  });
  results.bundles = sizes;
  table('4. Lambda bundles: size, and init in a fresh process (initMs: all; sdkMs: the AWS SDK the runtime provides, loaded first; ownMs: the bundle itself; ownCpuMs: its CPU time)', sizes);

  step('5. Matcher');
  const matcher = matcherCost(1000, SIZES.matcherRounds);
  const worst = worstPatternCost();
  const worstRow = { ...worst, ...checked('worst allowed pattern saved (ms)', worst.saveMs, '<', 50, ' ms') };
  results.matcher = { ...matcher, worstPattern: worstRow };
  table('5. Matcher: 1,000 patterns against one event', [matcher]);
  table('5. Matcher: the worst pattern the limits allow', [worstRow]);

  step('7. Inquiry parsing');
  const parsing = (await inquiryParsing(SIZES.parseRuns, SIZES.bigParseRuns)).map((row) =>
    row.message === '1 MB hostile message' ? { ...row, ...checked('hostile 1 MB inbound message parsed, p99 (ms)', row.p99Ms, '<', 1000, ' ms') } : row,
  );
  results.inquiryParsing = parsing;
  table('7. Inquiry parsing (MIME + extraction)', parsing);

  const cost = costModel(runs);
  results.cost = cost;
  table('8. Cost per 1 million automation runs (USD, public on-demand prices in test/bench/cost.ts)', cost);

  results.targets = checks;
  table(`10. Targets: ${checks.filter((c) => c.pass).length} of ${checks.length} met`, checks.map((c) => ({ figure: c.figure, value: c.value, target: c.target, mark: mark(c) })));
} finally {
  await stack.stop();
  await proxy.stop();
  await dynamo?.stop();
}

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nFigures written to ${OUT}`);
process.exit(0);
