/**
 * What the editor reads from the API: the trigger reference (`GET /automation-triggers`), the
 * presets (`GET /automation-presets`), the tenant's pick-lists (`GET /pick-lists`) and users.
 */

export interface PickListRef {
  list: string;
  keyPath?: string;
  allowed: string[];
  allowedByKey?: Record<string, string[]>;
}

export interface FieldRef {
  path: string;
  type: string;
  format?: string;
  values?: unknown[];
  pickList?: PickListRef;
  example?: unknown;
  description?: string;
}

export interface TriggerRef {
  event: string;
  label: string;
  description: string;
  subject: string;
  entities: Array<{ name: string; label: string }>;
  conditionFields: FieldRef[];
  templateVariables: Record<string, FieldRef[]>;
  waitDates: string[];
  recordFields: FieldRef[];
}

export interface HelperRef {
  name: string;
  args: string;
  description: string;
  example: string;
  output: string;
}

export interface Reference {
  items: TriggerRef[];
  helpers: HelperRef[];
}

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
}

export interface PresetRef {
  key: string;
  name: string;
  description: string;
  params: JsonSchema;
  definition?: Record<string, unknown>;
}

export interface PickLists {
  dealStages: Record<string, string[]>;
  activityCategories: Record<string, string[]>;
  rejectionReasons: string[];
  contactStatuses: string[];
  propertyStatuses: string[];
}

export interface UserRef {
  id: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  archived?: boolean;
}

/** An automation as GET returns it. */
export interface StoredAutomation {
  id: string;
  version: number;
  name: string;
  description?: string;
  trigger: { event: string; where?: Record<string, unknown> };
  actions: Array<Record<string, any>>;
  enabled: boolean;
  preset?: string;
  warnings?: Array<{ code: string; message: string; params?: Record<string, unknown> }>;
  [key: string]: unknown;
}

/** Every value of a list, in order, once (the stages of all pipelines, the categories of all types). */
export const unique = (values: Iterable<string>): string[] => [...new Set(values)];

export const allStages = (lists: PickLists | undefined): string[] => unique(Object.values(lists?.dealStages ?? {}).flat());

export const userName = (u: UserRef) => [u.firstName, u.lastName].filter(Boolean).join(' ') || u.email || u.id;
