import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The tests StrykerJS runs against each mutant (`npm run mutation`): unit, integration (on the one
 * DynamoDB Local of the global setup) and the EventBridge pattern conformance suite. The end-to-end
 * and browser tests start whole stacks and take seconds each, too slow to run once per mutant; the
 * mutated code they reach is covered by the tests here.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/conformance/**/*.test.ts'],
  },
});
