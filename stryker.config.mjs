// @ts-check
/**
 * Mutation testing of the core (`npm run mutation`; `npm run mutation -- --incremental` reruns only
 * what changed since the last run; `--mutate <file>` one area). Mutants are run against the tests of
 * vitest.mutation.config.ts and type-checked against tsconfig.mutation.json (the mutated code and
 * what it imports: with the CDK and the tests in the program, every check takes minutes).
 * Mutants that no test can tell from the original are listed, with the reason, in
 * mutation-equivalents.md and marked in the source with `// Stryker disable next-line <mutator>: <reason>`.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  // A static mutant (a module-level constant: a limit, a regular expression, a message) is active from
  // the module's first import, so it would run every test, 1-2 minutes, for each of some hundreds.
  // They are left out of the run and reported as ignored; the limits they hold have tests of their own.
  ignoreStatic: true,
  mutate: [
    'shared/engine/**/*.ts',
    'shared/automations/templates*.ts',
    'shared/automations/template-helpers.ts',
    'shared/patterns/**/*.ts',
    'shared/inbound/**/*.ts',
    'shared/events/stream-mapping.ts',
  ],
  // The sandbox needs the sources, the tests run and their support; not the build output or the stack's data.
  ignorePatterns: ['cdk.out', '.data', 'bench-results', 'test-results', 'reports', 'shared/admin-page/dist', 'test/e2e', 'test/browser', 'test/bench', 'test/infra'],
  // Two cores are shared with everything else on a developer machine; raise it on a bigger one.
  concurrency: 1,
  timeoutMS: 20_000,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['html', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
