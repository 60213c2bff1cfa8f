import type { WakeScheduleConfig } from '#shared/engine/wake-schedules';
import { FUNCTION_ENV, readEnv, type Env, type FunctionKind, type Variable } from '#shared/wiring/env';
import { AUTOMATIONS_TABLE, CRM_TABLE, EXECUTIONS_TABLE } from '../tables.ts';

export interface LocalEnvironmentInput {
  /** Physical table names by their variable (`createTables`' result). */
  tableNames: Record<string, string>;
  wake: WakeScheduleConfig;
  busName: string;
  identityArnPrefix: string;
  platformInboundDomain?: string | undefined;
}

/**
 * Every function's environment on this machine, as the CDK stack sets it in AWS: one set of
 * variables, each kind's part of it parsed by that kind's schema, so the local stack cannot run a
 * function with an environment its Lambda would refuse.
 */
export function localEnvironment(input: LocalEnvironmentInput): { [K in FunctionKind]: Env<K> } {
  // Keyed by the schemas' own names: a variable no kind declares does not compile.
  const variables: { [V in Variable]?: string } = {
    CRM_TABLE_NAME: input.tableNames[CRM_TABLE.envVar],
    AUTOMATIONS_TABLE_NAME: input.tableNames[AUTOMATIONS_TABLE.envVar],
    EXECUTIONS_TABLE_NAME: input.tableNames[EXECUTIONS_TABLE.envVar],
    EVENT_BUS_NAME: input.busName,
    // The local API answers any origin: the admin page is served by the same server.
    CORS_ORIGINS: '*',
    PLATFORM_INBOUND_DOMAIN: input.platformInboundDomain,
    SES_IDENTITY_ARN_PREFIX: input.identityArnPrefix,
    SCHEDULE_GROUP_NAME: input.wake.groupName,
    SCHEDULER_ROLE_ARN: input.wake.roleArn,
    WAKE_FUNCTION_ARN: input.wake.targetArn,
    WAKE_DLQ_ARN: input.wake.deadLetterArn,
    WAKE_RETRY_ATTEMPTS: String(input.wake.retryAttempts),
    WAKE_MAX_EVENT_AGE_SECONDS: String(input.wake.maxEventAgeSeconds),
    INBOUND_BUCKET: 'crm-inbound-mail',
    // Poison stream records stay in memory locally (`MemoryPoisonSink`); the variable is never used.
    POISON_QUEUE_URL: 'local:memory',
  };
  const kinds = Object.keys(FUNCTION_ENV) as FunctionKind[];
  return Object.fromEntries(kinds.map((kind) => [kind, readEnv(kind, variables)])) as { [K in FunctionKind]: Env<K> };
}
