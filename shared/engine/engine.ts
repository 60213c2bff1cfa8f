import { DETAIL_SCHEMAS, isDetailType } from '#events/catalogue';
import { describeFields } from '#events/fields';
import { ENTITIES, TRIGGERS, type DetailType } from '#events/registry';
import type { Execution } from '../automations/execution.ts';
import { TRIGGER_EVENTS, type Automation } from '../automations/model.ts';
import { compilePattern, InvalidPatternError, type CompiledPattern } from '../patterns/compile.ts';
import { flattenEvent, matchesFlat, type FlatEvent } from '../patterns/match.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import type { AutomationStore } from '../stores/automation-store.ts';
import type { ExecutionStore } from '../stores/execution-store.ts';
import type { Mailer } from './mailer.ts';
import type { RunMetrics } from './metrics.ts';
import { runAutomation } from './run.ts';
import { wakeRun } from './wake.ts';
import { wakeInputOf, type WakeInput } from './wake-input.ts';
import type { WakeScheduler } from './wake-schedules.ts';
import { log as defaultLog, type Log } from '../log.ts';


export interface EngineDeps {
  stores: CrmStores;
  automations: AutomationStore;
  executions: ExecutionStore;
  mailer: Mailer;
  /** Arms the schedules that wake waiting runs; without one, a wait that must park fails its run. */
  scheduler?: WakeScheduler;
  now?: () => Date;
  log?: Log;
  /** Counts each recorded run by status and, once it is over, its steps by action type. */
  metrics?: RunMetrics;
}

/** An event as EventBridge hands it to a target. */
export interface IncomingEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

export type RunOutcome = { automationId: string; executionId?: string; status: Execution['status'] | 'duplicate' };

const patternCache = new Map<string, CompiledPattern>();

/** Events that change a record a waiting run may follow: they reconsider the waits anchored on it. */
const REVISITING = new Set<DetailType>(['ActivityUpdated', 'DealStageChanged', 'ContactUpdated', 'PropertyUpdated']);

/**
 * The changes that can move or end a wait at once: a date of the record (a wait may follow it),
 * `archived` and `cancelled` (guards). A change of anything else (a location, a phone number)
 * leaves the waits as they are, without a query; a `while` condition is still checked on waking.
 */
const MOVES_WAITS = new Map(
  [...REVISITING].map((type) => {
    const subject = TRIGGERS[type].subject;
    const dates = describeFields(ENTITIES[subject].schema).filter((f) => f.format).map((f) => f.path);
    return [type, new Set([...dates, 'archived', 'cancelled'])];
  }),
);

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
    const revisited = await revisitWaits(type, detail, candidates);
    if (candidates.length === 0) return revisited;
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
    return [...revisited, ...settled.map((s) => (s as PromiseFulfilledResult<RunOutcome>).value)];
  }

  /**
   * A change to a record that waiting runs follow (an appointment moved or cancelled, a deal moved
   * on, a contact archived) reconsiders each of them at once: one query on a sparse index, empty
   * for almost every event.
   */
  async function revisitWaits(type: DetailType, detail: Record<string, any>, candidates: readonly Automation[]): Promise<RunOutcome[]> {
    if (!REVISITING.has(type)) return [];
    const changed: unknown = detail.changedFields;
    if (Array.isArray(changed) && !changed.some((field) => MOVES_WAITS.get(type)!.has(field))) return [];
    // A stage change names no fields: it is looked at only when an automation of stage changes waits
    // (the runs of other deal triggers see the new stage when they wake).
    if (!Array.isArray(changed) && !candidates.some((a) => a.actions.some((action) => action.type === 'wait'))) return [];
    const entity = TRIGGERS[type].subject;
    const id: unknown = detail[entity]?.id;
    if (typeof id !== 'string') return [];
    const outcomes: RunOutcome[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.executions.listWaiting(detail.tenantId, { anchor: { entity, id }, limit: 100, ...(cursor ? { cursor } : {}) });
      for (const execution of page.items) {
        const outcome = await wakeRun(runDeps, wakeInputOf(execution), 'reconsider');
        if (outcome) outcomes.push(outcome);
      }
      cursor = page.nextCursor;
    } while (cursor);
    return outcomes;
  }

  /** A schedule fired: the waiting run goes on (or ends, if its guards say so). */
  const wake = (input: WakeInput) => wakeRun(runDeps, input, 'scheduled');

  return { handle, wake, runDeps };
}

export type Engine = ReturnType<typeof createEngine>;
