import { createRunnerFromEnv } from '#shared/engine/runtime';

/** Runs the automations triggered by the bus rule for property events. */
export const handler = createRunnerFromEnv();
