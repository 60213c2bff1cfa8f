import * as z from 'zod';
import { dryRun } from '../automations/dry-run.ts';
import { EXECUTION_STATUSES } from '../automations/execution.ts';
import { AutomationFields, AutomationPut, type AutomationDefinition } from '../automations/model.ts';
import { findPreset, PRESETS } from '../automations/presets.ts';
import { userReferences, validateDefinition } from '../automations/validate.ts';
import type { Mailer } from '../engine/mailer.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { Id, Line } from '../model/common.ts';
import type { RouteImpl } from '../http/types.ts';
import type { AutomationStore } from '../stores/automation-store.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import type { ExecutionStore } from '../stores/execution-store.ts';
import { parseOrThrow } from '../validation.ts';
import { PageQuery, assertReferences, body, created, ok, query } from './helpers.ts';

const PresetInstall = z.strictObject({
  preset: z.string().max(60),
  params: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(false),
  name: Line(200).optional(),
});
const TestBody = z
  .strictObject({ event: z.record(z.string(), z.unknown()).optional(), entityId: Id.optional() })
  .refine((b) => (b.event === undefined) !== (b.entityId === undefined), { message: 'Give either event or entityId', path: ['event'] });
const ExecutionQuery = PageQuery.extend({ status: z.enum(EXECUTION_STATUSES).optional(), automationId: Id.optional() });
const AutomationExecutionQuery = PageQuery.extend({ status: z.enum(EXECUTION_STATUSES).optional() });

/** Mailer for dry runs: preparing an action never sends, and this makes sure of it. */
const NO_MAIL: Mailer = {
  send: () => Promise.reject(new Error('A dry run never sends mail')),
};

export interface AutomationServices {
  stores: CrmStores;
  automations: AutomationStore;
  executions: ExecutionStore;
}

export function automationRoutes({ stores, automations, executions }: AutomationServices): Record<string, RouteImpl> {
  /** Validates a definition completely: schema, pattern, templates, actions, and the users it names. */
  async function checked(tenantId: string, definition: AutomationDefinition): Promise<AutomationDefinition> {
    validateDefinition(definition);
    await assertReferences(
      tenantId,
      userReferences(definition).map((r) => ({ field: r.field, id: r.id, store: stores.users, label: 'user' })),
    );
    return definition;
  }

  function fromPreset(raw: unknown): AutomationDefinition {
    const install = body(PresetInstall, raw);
    const preset = findPreset(install.preset);
    if (!preset) throw new ValidationError('Unknown preset', [{ path: 'preset', message: `Use one of ${PRESETS.map((p) => p.key).join(', ')}` }]);
    const params = parseOrThrow(preset.params, install.params, 'The preset parameters');
    const definition = parseOrThrow(AutomationFields, { ...preset.build(params as Record<string, unknown>), enabled: install.enabled, preset: preset.key, ...(install.name ? { name: install.name } : {}) }, 'The automation');
    return definition;
  }

  return {
    'GET /automation-presets': async () =>
      ok({
        items: PRESETS.map((p) => ({
          key: p.key,
          name: p.name,
          description: p.description,
          params: z.toJSONSchema(p.params, { io: 'input' }),
          definition: p.build(p.params.parse({}) as Record<string, unknown>),
        })),
      }),
    'POST /automations': async ({ principal: { tenantId }, body: raw }) => {
      const isPreset = typeof raw === 'object' && raw !== null && 'preset' in raw && !('trigger' in raw);
      const definition = isPreset ? fromPreset(raw) : body(AutomationFields, raw);
      return created(await automations.create(tenantId, await checked(tenantId, definition)), 'automations');
    },
    'GET /automations': async ({ principal: { tenantId }, query: q }) => ok(await automations.list(tenantId, query(PageQuery, q))),
    'GET /automations/{id}': async ({ principal: { tenantId }, params }) => ok(await automations.require(tenantId, params.id!)),
    'PUT /automations/{id}': async ({ principal: { tenantId }, params, body: raw }) => {
      const { version, ...definition } = body(AutomationPut, raw);
      return ok(await automations.replace(tenantId, params.id!, await checked(tenantId, definition), version));
    },
    'DELETE /automations/{id}': async ({ principal: { tenantId }, params }) => {
      await automations.delete(tenantId, params.id!);
      return { status: 204 };
    },
    'POST /automations/{id}/enable': async ({ principal: { tenantId }, params }) => ok(await automations.setEnabled(tenantId, params.id!, true)),
    'POST /automations/{id}/disable': async ({ principal: { tenantId }, params }) => ok(await automations.setEnabled(tenantId, params.id!, false)),
    'POST /automations/{id}/test': async ({ principal: { tenantId }, params, body: raw }) => {
      const input = body(TestBody, raw);
      const automation = await automations.require(tenantId, params.id!);
      return ok(await dryRun(automation, input, { stores, mailer: NO_MAIL, now: () => new Date() }));
    },
    'GET /automations/{id}/executions': async ({ principal: { tenantId }, params, query: q }) => {
      await automations.require(tenantId, params.id!);
      return ok(await executions.list(tenantId, { ...query(AutomationExecutionQuery, q), automationId: params.id! }));
    },
    'GET /executions': async ({ principal: { tenantId }, query: q }) => ok(await executions.list(tenantId, query(ExecutionQuery, q))),
    'GET /executions/{id}': async ({ principal: { tenantId }, params }) => {
      const execution = await executions.get(tenantId, params.id!);
      if (!execution) throw new NotFoundError(`No execution with id ${params.id}`);
      return ok(execution);
    },
  };
}
