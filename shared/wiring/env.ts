import * as z from 'zod';
import { DEFAULT_PLATFORM_INBOUND_DOMAIN } from '../senders/domain-name.ts';
import { DEFAULT_RETENTION_DAYS } from '../stores/retention.ts';

/**
 * Each function's environment, declared once. The CDK construct of a function takes the input type
 * of its kind's schema (a renamed variable does not compile, a missing one fails `cdk synth`), the
 * Lambda entry parses `process.env` with the same schema at start-up (a variable missing in a
 * deployed function stops its cold start with the variable's name, not a request later), and the
 * local stack builds the same typed objects instead of writing `process.env`.
 */
const name = z.string().trim().min(1);
const count = (fallback: number) => z.string().regex(/^\d+$/, 'A whole number').default(String(fallback)).transform(Number);

const TABLES = {
  CRM_TABLE_NAME: name,
  AUTOMATIONS_TABLE_NAME: name,
  EXECUTIONS_TABLE_NAME: name,
};

/** What a function needs to arm the one-time schedules that wake waiting runs. */
const WAKE_SCHEDULES = {
  SCHEDULE_GROUP_NAME: name,
  SCHEDULER_ROLE_ARN: name,
  WAKE_FUNCTION_ARN: name,
  WAKE_DLQ_ARN: name,
  WAKE_RETRY_ATTEMPTS: count(10),
  WAKE_MAX_EVENT_AGE_SECONDS: count(21_600),
};

/** How long a finished run's execution is kept (DynamoDB TTL). */
const RETENTION = { EXECUTION_RETENTION_DAYS: count(DEFAULT_RETENTION_DAYS) };

const RUN = z.object({
  ...TABLES,
  ...RETENTION,
  ...WAKE_SCHEDULES,
  /** The SES configuration set whose event destination reports bounces and complaints. */
  SES_CONFIGURATION_SET: name.optional(),
});

export const FUNCTION_ENV = {
  api: z.object({
    ...TABLES,
    ...RETENTION,
    ...WAKE_SCHEDULES,
    EVENT_BUS_NAME: name,
    /** The origins the browser may call the API from, comma-separated (the admin page's among them). */
    CORS_ORIGINS: name,
    /** The platform's inbound domain: tenants' own addresses are `<tenantId>@` it. */
    PLATFORM_INBOUND_DOMAIN: name.toLowerCase().default(DEFAULT_PLATFORM_INBOUND_DOMAIN),
    /** `arn:aws:ses:<region>:<account>:identity/`: a sender domain's identity ARN is this and the domain. */
    SES_IDENTITY_ARN_PREFIX: name,
    /** New SES tenants are associated with the configuration set, so their bounces are seen. */
    SES_CONFIGURATION_SET_ARN: name.optional(),
  }),
  runner: RUN,
  'wake-run': RUN,
  'birthday-check': z.object({ CRM_TABLE_NAME: name, EVENT_BUS_NAME: name }),
  'inbound-mail': z.object({ CRM_TABLE_NAME: name, INBOUND_BUCKET: name, INBOUND_PREFIX: name.default('inbound/') }),
  'stream-publisher': z.object({ EVENT_BUS_NAME: name, POISON_QUEUE_URL: name }),
  'run-failures': z.object({ ...TABLES, ...RETENTION }),
  'ses-events': z.object({ CRM_TABLE_NAME: name }),
} as const;

export type FunctionKind = keyof typeof FUNCTION_ENV;
/** The variables that carry a table's physical name (`infra/tables.ts` names each table's). */
export type TableVariable = keyof typeof TABLES;
/** Any function's variable. */
export type Variable = { [K in FunctionKind]: keyof EnvInput<K> }[FunctionKind];
/** The variables as the CDK sets them (strings; optional ones may be left out). */
export type EnvInput<K extends FunctionKind> = z.input<(typeof FUNCTION_ENV)[K]>;
/** The variables as a composition receives them: parsed, defaults filled in. */
export type Env<K extends FunctionKind> = z.output<(typeof FUNCTION_ENV)[K]>;

/** Every function of the stack (its folder under `functions/`) and the kind of wiring it has. */
export const FUNCTIONS = {
  api: 'api',
  'activity-runner': 'runner',
  'contact-runner': 'runner',
  'deal-runner': 'runner',
  'inquiry-runner': 'runner',
  'property-runner': 'runner',
  'rejection-runner': 'runner',
  'wake-run': 'wake-run',
  'birthday-check': 'birthday-check',
  'inbound-mail': 'inbound-mail',
  'stream-publisher': 'stream-publisher',
  'run-failures': 'run-failures',
  'ses-events': 'ses-events',
} as const satisfies Record<string, FunctionKind>;

export type FunctionName = keyof typeof FUNCTIONS;
export type KindOf<N extends FunctionName> = (typeof FUNCTIONS)[N];

/** The variables a kind cannot do without (no default, not optional): the CDK construct checks them at synth. */
export function requiredVariables(kind: FunctionKind): string[] {
  const shape = FUNCTION_ENV[kind].shape as Record<string, z.ZodType>;
  return Object.keys(shape).filter((key) => !shape[key]!.safeParse(undefined).success);
}

/** Parses a kind's environment; the error names every missing or malformed variable at once. */
export function readEnv<K extends FunctionKind>(kind: K, source: Record<string, string | undefined> = process.env): Env<K> {
  const parsed = FUNCTION_ENV[kind].safeParse(source);
  if (parsed.success) return parsed.data as Env<K>;
  const problems = parsed.error.issues.map((issue) => {
    const variable = issue.path.join('.');
    return `${variable} ${source[variable] === undefined ? 'is not set' : `is invalid (${issue.message})`}`;
  });
  throw new Error(`The ${kind} function's environment is incomplete: ${problems.join('; ')}`);
}
