/** What GET /automations, /automation-triggers, /automation-presets and /executions return, as far as the list and the run page read them. */

export interface Warning {
  code: string;
  message: string;
  params?: Record<string, unknown>;
}

export interface AutomationItem {
  id: string;
  name: string;
  description?: string;
  version: number;
  enabled: boolean;
  preset?: string;
  trigger: { event: string; where?: Record<string, any> };
  actions: Array<Record<string, any>>;
  warnings?: Warning[];
  lastRunAt?: string;
  lastRunStatus?: string;
  lastExecutionId?: string;
  lastError?: string;
  runCount?: number;
  failureCount?: number;
  partialCount?: number;
  skippedCount?: number;
  uncertainCount?: number;
}

export interface TriggerInfo {
  event: string;
  label: string;
  description?: string;
}

export interface PresetInfo {
  key: string;
  name: string;
  description?: string;
}

export interface StepRecord {
  index: number;
  type: string;
  status: string;
  result?: Record<string, any>;
  error?: string;
  warnings?: Warning[];
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface Execution {
  id: string;
  automationId: string;
  automationName: string;
  automationVersion: number;
  eventKey: string;
  eventType: string;
  event: Record<string, any>;
  status: string;
  reason?: string;
  error?: string;
  retryable?: boolean;
  attempts: number;
  depth: number;
  contactId?: string;
  steps: StepRecord[];
  resumeAt?: string;
  wait?: { step: number; now?: boolean };
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
}

/** Trigger labels by event ("DealStageChanged" → "Deal wechselt die Phase"), for triggerInWords. */
export const labelsOf = (triggers: TriggerInfo[]) => Object.fromEntries(triggers.map((t) => [t.event, t.label]));
