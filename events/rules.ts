import { FAMILIES as FAMILY_SPECS, type Family } from './registry.ts';

/**
 * The bus rules, derived from the registry's families: one per family, each routing that family's
 * source to its runner. Plain event patterns, read by the CDK stack (one EventBridge rule each) and
 * by the local bus (the same matcher as the engine).
 */
export const RULES = Object.fromEntries(
  Object.entries(FAMILY_SPECS).map(([family, f]) => [family, { source: [f.source], ...('ruleDetail' in f ? { detail: f.ruleDetail } : {}) }]),
) as Record<Family, { source: string[]; detail?: Record<string, unknown> }>;

export type { Family } from './registry.ts';
export const FAMILIES = Object.keys(FAMILY_SPECS) as Family[];
/** The runner function's name of each family. */
export const runnerOf = (family: Family) => FAMILY_SPECS[family].runner;

/** The physical name of the bus, in AWS and locally. */
export const DEFAULT_BUS_NAME = 'crm';
