import * as z from 'zod';
import type { BirthdayRunResult } from '../birthdays/birthday-run.ts';
import { Automation, Trigger } from '../automations/model.ts';
import type { AutomationWarning } from '../automations/warnings.ts';
import { TenantSettings } from '../model/tenant.ts';
import type { SenderDomain } from '../senders/sender-domains.ts';
import { PICK_LIST_NAMES, PickLists } from '../settings/pick-lists.ts';
import type { DefaultSettings } from '../stores/settings-store.ts';
import { SendWindowSchema } from '../time/wait-time.ts';

/**
 * Response bodies that have no schema of their own in the model (the model's entity schemas serve
 * the rest): what the API answers, as zod schemas, so the OpenAPI document describes them from the
 * same source as everything else. Where the code has a TypeScript type instead, `describes` below
 * makes the compiler hold the two together; the e2e tests check every answer against the document.
 */

/**
 * Compile-time check that a schema's output and a type are the same in both directions: a field
 * the code adds or drops without the schema following is a type error here.
 */
type Describes<S extends z.ZodType, T> = [z.output<S>] extends [T] ? ([T] extends [z.output<S>] ? true : false) : false;
const describes = <S extends z.ZodType, T>(_check: Describes<S, T>) => undefined;

/** A page of a list: newest first; `nextCursor` is absent on the last page. */
export const pageOf = <S extends z.ZodType>(item: S) => z.object({ items: z.array(item), nextCursor: z.string().optional() });

/** One failing field of an error (see `FieldError`). */
export const FieldProblem = z.object({
  path: z.string().describe('Dotted path of the failing field, e.g. `address.postalCode`; `(body)` for the body as a whole'),
  code: z.string().describe(
    'Stable snake_case code: unknown_field, required, invalid_type, too_small, too_big, invalid_format, invalid_value, not_in_pick_list, not_found, already_in_use, unknown_path, operand_type, template_syntax, unknown_variable, read_only, put_under_params, stale_version, ...',
  ),
  message: z.string().describe('English, for people; a UI shows its own text from `code` and `params`'),
  params: z.record(z.string(), z.unknown()).optional().describe('The values the message names: allowed values, a suggestion, a line and column'),
});

/** The API's error envelope, with the codes a status can carry. */
export const errorBody = (codes: readonly [string, ...string[]]) =>
  z.object({ error: z.object({ code: z.enum(codes), message: z.string(), fields: z.array(FieldProblem) }) });

/** What API Gateway itself answers (401 without a valid token, 404 for no route, 413 over 10 MB). */
export const GatewayMessage = z.object({ message: z.string() });

/** An automation as the API shows it: with the warnings that hold for it now. */
export const AutomationWarningSchema = z.object({ code: z.string(), message: z.string(), params: z.record(z.string(), z.unknown()).optional() });
describes<typeof AutomationWarningSchema, AutomationWarning>(true);
export const AutomationView = Automation.extend({ warnings: z.array(AutomationWarningSchema) });

/** `GET /settings` for a tenant that never saved any: the defaults, at version 0. */
export const DefaultSettingsSchema = z.object({
  tenantId: z.string(),
  timeZone: z.string(),
  sendWindow: SendWindowSchema,
  inboundAddresses: z.array(z.string()),
  pickLists: PickLists,
  version: z.literal(0),
});
describes<typeof DefaultSettingsSchema, DefaultSettings>(true);
export const SettingsView = z.union([TenantSettings, DefaultSettingsSchema]);

export const SenderDomainView = z.object({
  domain: z.string(),
  tenantId: z.string(),
  status: z.enum(['pending', 'verified', 'failed']),
  dkimRecords: z.array(z.object({ name: z.string(), type: z.literal('CNAME'), value: z.string() })).describe('The DKIM CNAME records to publish; empty until the identity exists'),
  createdAt: z.string(),
  updatedAt: z.string(),
  verifiedAt: z.string().optional(),
});
describes<typeof SenderDomainView, SenderDomain>(true);

export const BirthdayRunView = z.object({
  date: z.string(),
  tenantId: z.string().optional(),
  birthdays: z.number().int(),
  published: z.number().int(),
  itemsRead: z.number().int(),
  pages: z.number().int(),
});
describes<typeof BirthdayRunView, BirthdayRunResult>(true);

const Primitive = z.union([z.string(), z.number(), z.boolean(), z.null()]);
/** A condition of a pattern the event does not meet (see `explainMismatch`). */
export const MismatchSchema = z.object({
  path: z.string(),
  message: z.string(),
  condition: z.array(z.unknown()).optional(),
  saw: z.array(Primitive).nullable().optional(),
  get anyOf() {
    return z.array(z.array(MismatchSchema)).optional();
  },
});

/** `POST /automations/{id}/test`: whether the trigger matches, and what each action would do. */
export const DryRunView = z.object({
  matched: z.boolean(),
  failedConditions: z.array(MismatchSchema).optional(),
  trigger: Trigger,
  event: z.record(z.string(), z.unknown()).describe('The event detail the dry run evaluated'),
  actions: z.array(
    z.object({
      index: z.number().int(),
      type: z.string(),
      outcome: z.enum(['would run', 'would skip', 'would fail']),
      preview: z.record(z.string(), z.unknown()).optional(),
      reason: z.string().optional(),
    }),
  ),
});

const FieldSpecSchema = z.object({
  path: z.string(),
  type: z.enum(['string', 'number', 'boolean', 'object', 'string[]', 'number[]', 'object[]']),
  values: z.array(z.string()).optional(),
  format: z.enum(['datetime', 'date']).optional(),
  example: z.unknown().optional(),
  description: z.string().optional(),
});
/** A field whose values come from a pick-list, with the tenant's values of it (per key for keyed lists). */
const ConditionFieldView = FieldSpecSchema.extend({
  pickList: z
    .object({
      list: z.enum(PICK_LIST_NAMES),
      keyPath: z.string().optional(),
      allowed: z.array(z.string()),
      allowedByKey: z.record(z.string(), z.array(z.string())).optional(),
    })
    .optional(),
});

/** `GET /automation-triggers`: per trigger, what conditions, templates and waits may use, with the tenant's values. */
export const TriggerReferenceView = z.object({
  items: z.array(
    z.object({
      event: z.string(),
      label: z.string(),
      description: z.string(),
      source: z.string(),
      subject: z.string(),
      entities: z.array(z.object({ name: z.string(), label: z.string() })),
      conditionFields: z.array(ConditionFieldView),
      templateVariables: z.record(z.string(), z.array(FieldSpecSchema)),
      waitDates: z.array(z.string()),
      recordFields: z.array(ConditionFieldView),
    }),
  ),
  helpers: z.array(z.object({ name: z.string(), args: z.string(), description: z.string(), example: z.string(), output: z.string() })),
});

/** `GET /automation-presets`: each preset with its parameters (JSON Schema) and the definition it installs by default. */
export const PresetListView = z.object({
  items: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      description: z.string(),
      params: z.record(z.string(), z.unknown()).describe('The preset parameters as JSON Schema, with their defaults'),
      definition: z.record(z.string(), z.unknown()).describe('The automation the preset installs with its default parameters'),
    }),
  ),
});
