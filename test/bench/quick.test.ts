import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

/**
 * `npm run bench -- --quick` on every `npm test`, so the bench never rots: every section runs and
 * yields every figure, each with its target. Whether the figures meet their targets is for
 * `npm run bench` to say, never for a test (timings depend on the machine).
 */

const ROOT = join(import.meta.dirname, '../..');

/** Runs the quick bench in a child process on the test run's DynamoDB Local; its output and JSON. */
async function quickBench(): Promise<{ output: string; results: Record<string, any> }> {
  const out = join(mkdtempSync(join(tmpdir(), 'crm-bench-quick-')), 'bench.json');
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/run.ts', '--quick'], {
    cwd: ROOT,
    env: { ...process.env, BENCH_OUT: out, BENCH_DYNAMODB_ENDPOINT: inject('dynamoEndpoint') },
  });
  let output = '';
  child.stdout.on('data', (chunk) => void (output += chunk));
  child.stderr.on('data', (chunk) => void (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, output.slice(-3_000)).toBe(0);
  return { output, results: JSON.parse(readFileSync(out, 'utf8')) };
}

const isFigure = (value: unknown) => typeof value === 'number' && Number.isFinite(value);

describe('the quick bench', () => {
  it('runs every section and prints and keeps every figure beside its target', { timeout: 240_000 }, async () => {
    const { output, results } = await quickBench();
    for (const section of ['1. ', '9. ', '2. ', '6a. ', '6b. ', '6c. ', '3. ', '4. ', '5. ', '7. ', '8. ', '10. Targets']) expect(output).toContain(`\n${section}`);

    expect(results.requestsPerRun).toHaveLength(7);
    for (const run of results.requestsPerRun) expect(run).toMatchObject({ engine: expect.any(Number), target: run.sends ? '≤ 4' : '≤ 3', mark: expect.stringMatching(/^(pass|SHORT)$/) });
    expect(results.requestsPerWait.length).toBeGreaterThan(0);
    expect(results.putEvents.map((row: { target: string }) => row.target)).toEqual(['≤ 10', '≤ 10']);

    const { capacity, saturation, steady } = results.endToEnd;
    for (const key of ['putsPerSec', 'queriesPerSec', 'mixedCeilingPerSec', 'pipelineRequestsPerSec', 'runsPerSec', 'ratio']) expect(isFigure(capacity[key]), key).toBe(true);
    expect(capacity.target).toBe('≥ 0.75');
    expect(saturation).toMatchObject({ failedWrites: 0, recorded: saturation.writes });
    expect(steady.map((row: { load: string }) => row.load)).toEqual(['25 %', '50 %', '75 %']);
    for (const row of steady) {
      expect(row.recorded).toBe(row.writes);
      for (const key of ['p50Ms', 'p99Ms', 'maxMs']) expect(isFigure(row[key]), key).toBe(true);
      for (const hop of ['streamRead', 'published', 'delivered', 'recorded']) expect(row.hops[hop]).toMatch(/^-?[\d.]+ \/ -?[\d.]+$/);
    }
    expect(steady[1].target).toBe('< 500 ms');

    expect(results.birthdayScale).toMatchObject({ birthdays: expect.any(Number), readsPerBirthday: expect.any(Number), target: '≤ 1.05' });
    expect(results.bundles.length).toBeGreaterThan(5);
    for (const bundle of results.bundles) {
      expect(bundle).toMatchObject({ kbTarget: bundle.fn === 'inbound-mail' ? '< 1536 KB' : '< 400 KB', ownCpuMsTarget: '< 100 ms' });
      for (const key of ['kb', 'initMs', 'sdkMs', 'ownMs', 'ownCpuMs']) expect(isFigure(bundle[key]), key).toBe(true);
    }
    expect(results.matcher.worstPattern).toMatchObject({ saveMs: expect.any(Number), target: '< 50 ms' });
    expect(results.inquiryParsing.find((row: { message: string }) => row.message === '1 MB hostile message')).toMatchObject({ p99Ms: expect.any(Number), target: '< 1000 ms' });
    expect(results.cost.at(-1)).toMatchObject({ preset: 'average', totalPerMillionRunsUsd: expect.any(Number) });

    // The summary holds every checked figure, each with its value, target and outcome.
    expect(results.targets.length).toBe(7 + 2 + 1 + 1 + 1 + 2 * results.bundles.length + 1 + 1);
    for (const target of results.targets) expect(target).toMatchObject({ figure: expect.any(String), value: expect.any(Number), target: expect.any(String), pass: expect.any(Boolean) });
  });
});
