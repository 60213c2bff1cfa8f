import type { Schemas } from '../../../api/client/client.ts';

/** What GET /automations, /automation-triggers, /automation-presets and /executions return: the API's own types, generated from its OpenAPI document. */

export type AutomationItem = Schemas['Automation'];
export type TriggerInfo = Schemas['AutomationTriggers']['items'][number];
export type PresetInfo = Schemas['AutomationPresets']['items'][number];
export type Execution = Schemas['Execution'];
export type StepRecord = Execution['steps'][number];

/** Trigger labels by event ("DealStageChanged" → "Deal wechselt die Phase"), for triggerInWords. */
export const labelsOf = (triggers: TriggerInfo[]) => Object.fromEntries(triggers.map((t) => [t.event, t.label]));
