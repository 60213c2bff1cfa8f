import { DETAIL_SCHEMAS, isDetailType } from '#events/catalogue';
import type { Execution } from '../automations/execution.ts';
import { TRIGGER_EVENTS, type Automation } from '../automations/model.ts';
import { compilePattern, InvalidPatternError, type CompiledPattern } from '../patterns/compile.ts';
import { flattenEvent, matchesFlat, type FlatEvent } from '../patterns/match.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import type { AutomationStore } from '../stores/automation-store.ts';
import type { ExecutionStore } from '../stores/execution-store.ts';
import type { Mailer } from './mailer.ts';
import { runAutomation } from './run.ts';
import { log as defaultLog, type Log } from '../log.ts';


export interface EngineDeps {
  stores: CrmStores;
  automations: AutomationStore;
  executions: ExecutionStore;
  mailer: Mailer;
  now?: () => Date;
  log?: Log;
}

/** An event as EventBridge hands it to a target. */
export interface IncomingEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

export type RunOutcome = { automationId: string; executionId?: string; status: Execution['status'] | 'duplicate' };

const patternCache = new Map<string, CompiledPattern>();

/** The automation's pattern, compiled once per version. */
function patternOf(automation: Automation): CompiledPattern | undefined {
  if (!automation.trigger.where) return undefined;
  const key = `${automation.tenantId}#${automation.id}#${automation.version}`;
  let pattern = patternCache.get(key);
  if (!pattern) {
    pattern = compilePattern(automation.trigger.where);
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(key, pattern);
  }
  return pattern;
}

export function matches(automation: Automation, flat: FlatEvent): boolean {
  const pattern = patternOf(automation);
  return !pattern || matchesFlat(pattern, flat);
}

/**
 * The automation engine behind every runner: loads the tenant's enabled automations for the event
 * type (one query on the sparse index), matches each pattern, and runs each match once per event
 * (see `runAutomation`). A stored pattern that no longer compiles (saved under older rules) fails
 * its own automation's run with the reason, never the others'. Transient errors are thrown after
 * every run is recorded, so AWS retries and the retry resumes where each run stopped.
 */
export function createEngine(deps: EngineDeps) {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? defaultLog;
  const runDeps = { ...deps, now, log, actionDeps: { stores: deps.stores, mailer: deps.mailer, now } };

  async function handle(event: IncomingEvent): Promise<RunOutcome[]> {
    const type = event['detail-type'];
    if (!(TRIGGER_EVENTS as readonly string[]).includes(type) || !isDetailType(type)) return [];
    const parsed = DETAIL_SCHEMAS[type].safeParse(event.detail);
    if (!parsed.success) {
      log({ level: 'ERROR', message: 'Event detail does not match the catalogue; dropped', type, issues: parsed.error.issues.slice(0, 5) });
      return [];
    }
    const detail = parsed.data as Record<string, any>;
    const candidates = await deps.automations.listEnabled(detail.tenantId, type);
    if (candidates.length === 0) return [];
    const flat = flattenEvent(detail);
    const runs: Array<Promise<RunOutcome>> = [];
    for (const automation of candidates) {
      try {
        if (matches(automation, flat)) runs.push(runAutomation(runDeps, automation, type, detail));
      } catch (error) {
        const reason = error instanceof InvalidPatternError ? error.reason : (error as Error).message;
        runs.push(runAutomation(runDeps, automation, type, detail, `The trigger's condition can no longer be used (${reason}); edit and save the automation again`));
      }
    }
    const settled = await Promise.allSettled(runs);
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failures.length > 0) throw failures[0]!.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<RunOutcome>).value);
  }

  return { handle };
}

export type Engine = ReturnType<typeof createEngine>;
