/**
 * How long a call may take before a test calls it a stall. This is no speed target (`npm run bench`
 * measures speed against the targets): it is far above what the code needs even on a busy CI
 * machine, and far below what the quadratic and backtracking code it guards against took (seconds
 * to minutes on the same inputs).
 */
export const STALL_MS = 3_000;
