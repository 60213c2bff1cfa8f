import { createHash } from 'node:crypto';
import { DETAIL_SCHEMAS, isDetailType } from '#events/catalogue';
import { isFinal, type Execution, type StepRecord, type StepWarning } from '../automations/execution.ts';
import { TRIGGER_EVENTS, type Action, type Automation } from '../automations/model.ts';
import { emptyVariables } from '../automations/templates.ts';
import { compilePattern, type CompiledPattern } from '../patterns/compile.ts';
import { flattenEvent, matchesFlat, type FlatEvent } from '../patterns/match.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import type { AutomationStore } from '../stores/automation-store.ts';
import type { ExecutionStore } from '../stores/execution-store.ts';
import { prepareAction } from './actions/index.ts';
import { sentEmailRecorded } from './actions/send-email.ts';
import type { ActionDeps } from './actions/types.ts';
import { buildContext, type RunContext } from './context.ts';
import { describe, isPermanent, SkipError } from './errors.ts';
import type { Mailer } from './mailer.ts';

/** Chains of automations (an action's write triggering the next automation) stop at this depth. */
export const MAX_CHAIN_DEPTH = 3;

export interface EngineDeps {
  stores: CrmStores;
  automations: AutomationStore;
  executions: ExecutionStore;
  mailer: Mailer;
  now?: () => Date;
  log?: (entry: Record<string, unknown>) => void;
}

/** An event as EventBridge hands it to a target. */
export interface IncomingEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

export type RunOutcome = { automationId: string; executionId?: string; status: Execution['status'] | 'duplicate' };

/** One run per (automation, event): the execution id is derived from both, and so is the claim. */
export function executionIdOf(tenantId: string, automationId: string, eventKey: string): string {
  return `x${createHash('sha256').update(`${tenantId}|${automationId}|${eventKey}`).digest('base64url').slice(0, 32)}`;
}
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
 * type (one query on the sparse index), matches each pattern, and runs each match once per event:
 * the run is claimed with a conditional write on (automation, eventKey), each step is recorded as
 * started before its side effect, and the execution is recorded with the automation's last-run
 * fields. Skips and permanent failures end a run with a reason; transient errors are thrown after
 * every run is recorded, so AWS retries and the retry resumes where each run stopped.
 */
export function createEngine(deps: EngineDeps) {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? ((entry) => console.log(JSON.stringify(entry)));
  const actionDeps: ActionDeps = { stores: deps.stores, mailer: deps.mailer, now };

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
    const matching = candidates.filter((automation) => matches(automation, flat));

    const settled = await Promise.allSettled(matching.map((automation) => run(automation, type, detail)));
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failures.length > 0) throw failures[0]!.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<RunOutcome>).value);
  }

  async function run(automation: Automation, type: string, detail: Record<string, any>): Promise<RunOutcome> {
    const started = now().toISOString();
    const depth: number = detail.causedBy?.depth ?? 0;
    let execution: Execution = {
      id: executionIdOf(detail.tenantId, automation.id, detail.eventKey),
      tenantId: detail.tenantId,
      version: 1,
      createdAt: started,
      updatedAt: started,
      automationId: automation.id,
      automationName: automation.name,
      automationVersion: automation.version,
      eventKey: detail.eventKey,
      eventType: type,
      event: detail,
      status: 'running',
      attempts: 1,
      depth,
      steps: automation.actions.map((action, index): StepRecord => ({ index, type: action.type, status: 'pending', attempts: 0 })),
      startedAt: started,
    };

    const claim = await deps.executions.begin(execution);
    if (!claim.claimed) {
      const previous = await deps.executions.get(detail.tenantId, claim.executionId);
      if (!previous || isFinal(previous)) return { automationId: automation.id, executionId: claim.executionId, status: 'duplicate' };
      execution = { ...previous, status: 'running', attempts: previous.attempts + 1, retryable: undefined };
    }

    let ctx: RunContext | undefined;
    let contactId = execution.contactId;
    const finish = async (patch: Partial<Execution>): Promise<RunOutcome> => {
      const finishedAt = now().toISOString();
      contactId ??= contactActedOn(execution);
      execution = await deps.executions.finish({ ...execution, ...patch, ...(contactId ? { contactId } : {}), finishedAt, durationMs: Date.parse(finishedAt) - Date.parse(execution.startedAt) });
      const level = execution.status === 'succeeded' || execution.status === 'skipped' ? 'INFO' : 'WARN';
      log({ level, message: 'Automation run', automationId: automation.id, executionId: execution.id, status: execution.status, reason: execution.reason, error: execution.error });
      return { automationId: automation.id, executionId: execution.id, status: execution.status };
    };
    const setStep = (index: number, patch: Partial<StepRecord>) => {
      execution = { ...execution, steps: execution.steps.map((s) => (s.index === index ? { ...s, ...patch } : s)) };
    };

    if (detail.causedBy?.automationId === automation.id) return finish({ status: 'skipped', reason: 'The automation caused this event itself; an automation never triggers itself' });
    if (depth >= MAX_CHAIN_DEPTH) return finish({ status: 'skipped', reason: `Chain of automations stopped at depth ${depth} (limit ${MAX_CHAIN_DEPTH})` });

    /** Whether an earlier step changed something: a later skip or failure then makes the run `partial`. */
    let changed = execution.steps.some((s) => s.status === 'uncertain' || (s.status === 'succeeded' && madeAChange(s)));
    const stopped = (status: 'skipped' | 'failed', text: string) =>
      finish(changed ? { status: 'partial', ...(status === 'failed' ? { error: text } : { reason: text }), retryable: false } : { status, ...(status === 'failed' ? { error: text, retryable: false } : { reason: text }) });

    for (const step of execution.steps) {
      if (step.status === 'succeeded' || step.status === 'skipped' || step.status === 'uncertain') continue;
      const action = automation.actions[step.index];
      if (!action) continue;
      if (step.status === 'started' && action.type === 'send_email') {
        // An earlier attempt stopped after marking the send as started and before recording its
        // result. The e-mail activity is written right after a send, so its presence proves the
        // send; without it the mail may or may not have gone out, and it is never sent again.
        const sent = await sentEmailRecorded(deps.stores, execution.tenantId, execution.id, step.index);
        setStep(step.index, sent
          ? { status: 'succeeded', finishedAt: now().toISOString(), result: { note: 'An earlier attempt was interrupted after the send; the recorded e-mail activity confirms it' } }
          : { status: 'uncertain', finishedAt: now().toISOString(), error: 'An earlier attempt was interrupted during the send; whether the e-mail went out is unknown, and it is not sent again' });
        changed = true;
        continue;
      }
      try {
        ctx ??= await buildContext(deps.stores, type, detail, { automationId: automation.id, automationName: automation.name, executionId: execution.id });
        contactId ??= ctx.contact?.id;
        const prepared = await prepareAction(action, ctx, { executionId: execution.id, index: step.index }, actionDeps);
        const warnings = emptyVariableWarnings(action, ctx);
        setStep(step.index, { status: 'started', attempts: step.attempts + 1, startedAt: now().toISOString(), error: undefined, ...(warnings.length ? { warnings } : {}) });
        execution = await deps.executions.checkpoint(execution);
        const result = await prepared.execute();
        setStep(step.index, { status: 'succeeded', result, finishedAt: now().toISOString() });
        if (madeAChange({ result })) changed = true;
        if (prepared.writes) ctx = undefined;
      } catch (error) {
        const reason = describe(error);
        if (error instanceof SkipError) {
          setStep(step.index, { status: 'skipped', error: reason, finishedAt: now().toISOString() });
          return stopped('skipped', reason);
        }
        setStep(step.index, { status: 'failed', error: reason, finishedAt: now().toISOString() });
        if (isPermanent(error)) return stopped('failed', reason);
        await finish({ status: 'failed', error: reason, retryable: true });
        throw error;
      }
    }
    const uncertain = execution.steps.some((s) => s.status === 'uncertain');
    return finish(
      uncertain
        ? { status: 'uncertain', error: undefined, reason: 'A send was interrupted; whether that e-mail went out is unknown' }
        : { status: 'succeeded', error: undefined, reason: undefined },
    );
  }

  return { handle };
}

/** A finished step changed something unless it says it changed nothing (`changed: []`). */
function madeAChange(step: Pick<StepRecord, 'result'>): boolean {
  const listed = step.result?.changed;
  return !(Array.isArray(listed) && listed.length === 0);
}

/** The template variables of an action that are empty for this run: the step records them as warnings. */
function emptyVariableWarnings(action: Action, ctx: RunContext): StepWarning[] {
  const sources = action.type === 'send_email' ? [action.subject, action.body] : action.type === 'create_task' ? [action.title, action.body] : [];
  const empty = [...new Set(sources.flatMap((source) => (source ? emptyVariables(source, ctx.templateData) : [])))];
  return empty.map((variable) => ({ code: 'empty_variable', message: `{{${variable}}} was empty for this run`, params: { variable } }));
}

/** The contact a step created or found (create_contact), when the event named none. */
function contactActedOn(execution: Execution): string | undefined {
  for (const step of execution.steps) {
    const id = step.result?.contactId;
    if (typeof id === 'string') return id;
  }
  return undefined;
}

export type Engine = ReturnType<typeof createEngine>;
