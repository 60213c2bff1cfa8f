import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusEvent } from '#infra/local/event-bus';
import { freePort } from '#infra/local/dynamodb-local';
import { startLocalStack, type LocalStack } from '#infra/local/stack';
import { FAMILIES, type Family } from '#events/rules';
import { bundles } from './bundles.ts';
import { costModel } from './cost.ts';
import { completions, endToEnd, recordCompletion } from './end-to-end.ts';
import { birthdayScale, putEventsPerBirthdays, putEventsPerStreamRecords } from './events-and-birthdays.ts';
import { inquiryParsing } from './inquiries.ts';
import { matcherCost, worstPatternCost } from './matcher.ts';
import { requestsPerRun } from './requests-per-run.ts';
import { requestsPerWait, waitTable } from './requests-per-wait.ts';
import { table } from './support.ts';

/**
 * `npm run bench`: counts where counting is possible, times only what must be timed, on a local
 * stack of its own (in-memory DynamoDB Local, free ports). Prints tables and writes
 * bench-results/bench.json. Sizes: BENCH_CONTACTS (100000), BENCH_WRITES (2000), BENCH_WAIT_RUNS (200).
 * Section 9 alone: `npx tsx test/bench/requests-per-wait.ts` (BENCH_WAIT_RUNS, 20 there).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const WRITES = Number(process.env.BENCH_WRITES ?? 2_000);
const WAIT_RUNS = Number(process.env.BENCH_WAIT_RUNS ?? 200);
const POLL_MS = Number(process.env.STREAM_POLL_MS ?? 100);

// The runners run only during the end-to-end section; before, the bench drives the engine itself.
let runnersOn = false;
let stack: LocalStack;
const targets = Object.fromEntries(
  FAMILIES.map((family) => [
    family,
    async (event: BusEvent) => {
      if (!runnersOn) return;
      await stack.engine.handle(event);
      recordCompletion(event);
    },
  ]),
) as Record<Family, (event: BusEvent) => Promise<void>>;

stack = await startLocalStack({
  dataDir: mkdtempSync(join(tmpdir(), 'crm-bench-')),
  inMemory: true,
  dynamoPort: await freePort(),
  apiPort: 0,
  eventBusPort: 0,
  sesPort: 0,
  schedulerPort: 0,
  smtpPort: 0,
  streamPollMs: POLL_MS,
  targets,
});

const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version };
const step = (name: string) => console.log(`… ${name}`);
try {
  step('1. DynamoDB requests per automation run');
  const runs = await requestsPerRun(stack);
  results.requestsPerRun = runs;
  table('1. DynamoDB requests per automation run (target: engine overhead ≤ 4)', runs);

  step(`9. Requests per wait and resume (${WAIT_RUNS} runs per case)`);
  const waits = await requestsPerWait(stack, WAIT_RUNS);
  results.requestsPerWait = waits;
  table(`9. DynamoDB and Scheduler requests per wait and resume (per run, averages of ${WAIT_RUNS}; ddbMax, schedMax: the most one run made)`, waitTable(waits));

  step('2. PutEvents calls');
  const stream = await putEventsPerStreamRecords(stack);
  const birthdays = await putEventsPerBirthdays(stack);
  results.putEvents = { stream, birthdays };
  table('2. PutEvents calls', [
    { input: `${stream.records} stream records`, calls: stream.calls, target: 10 },
    { input: `${birthdays.events} birthday events`, calls: birthdays.calls, target: 100 },
  ]);

  // Before the 100,000 contacts of section 3 make the table (and DynamoDB Local) slower.
  step(`6. End to end: ${WRITES} API writes at concurrency 16`);
  runnersOn = true;
  completions.clear();
  const e2e = await endToEnd(stack, WRITES, 16, POLL_MS);
  runnersOn = false;
  results.endToEnd = e2e;
  table('6. End to end: API write response -> execution recorded', [e2e]);

  step(`3. Birthday run over ${CONTACTS} contacts (writing them takes a while)`);
  const scale = await birthdayScale(stack, CONTACTS);
  results.birthdayScale = scale;
  table('3. Birthday run (target: items read per birthday ≤ 1.05; a scan ≈ 365)', [scale]);

  step('4. Bundles and init time');
  const sizes = await bundles();
  results.bundles = sizes;
  table('4. Lambda bundles (targets: < 400 KB and init < 150 ms; inbound-mail < 1.5 MB)', sizes);

  step('5. Matcher');
  const matcher = matcherCost();
  const worst = worstPatternCost();
  results.matcher = { ...matcher, worstPattern: worst };
  table('5. Matcher: 1,000 patterns against one event', [matcher]);
  table('5. Matcher: the worst pattern the limits allow (target: saveMs < 50)', [worst]);

  step('7. Inquiry parsing');
  const parsing = await inquiryParsing();
  results.inquiryParsing = parsing;
  table('7. Inquiry parsing (MIME + extraction)', parsing);

  const cost = costModel(runs);
  results.cost = cost;
  table('8. Cost per 1 million automation runs (USD, public on-demand prices in test/bench/cost.ts)', cost);
} finally {
  await stack.stop();
}

mkdirSync('bench-results', { recursive: true });
writeFileSync(join('bench-results', 'bench.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nFigures written to bench-results/bench.json');
process.exit(0);
