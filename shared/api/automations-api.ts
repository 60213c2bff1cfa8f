import * as z from 'zod';
import { dryRun, DryRunInput } from '../automations/dry-run.ts';
import { EXECUTION_STATUSES } from '../automations/execution.ts';
import { AutomationFields, AutomationPut, type Automation, type AutomationDefinition } from '../automations/model.ts';
import { definitionFromPreset } from '../automations/preset-install.ts';
import { findPreset, PRESETS } from '../automations/presets.ts';
import { checkReadOnlyFields } from '../automations/put-body.ts';
import { userReferences, validateDefinition } from '../automations/validate.ts';
import { automationWarnings } from '../automations/warnings.ts';
import type { Mailer } from '../engine/mailer.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { Id } from '../model/common.ts';
import type { RouteImpl } from '../http/types.ts';
import type { AutomationStore } from '../stores/automation-store.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import type { ExecutionStore } from '../stores/execution-store.ts';
import { PageQuery, assertReferences, body, created, ok, query } from './helpers.ts';

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

const isPresetInstall = (raw: unknown): raw is Record<string, unknown> => typeof raw === 'object' && raw !== null && 'preset' in raw && !('trigger' in raw);

export function automationRoutes({ stores, automations, executions }: AutomationServices): Record<string, RouteImpl> {
  /** The settings version each request validated against, to confirm it after writing. */
  const validatedAt = new WeakMap<AutomationDefinition, number>();

  /** Validates a definition completely: schema, pattern, pick-list values, templates, actions, and the users it names. */
  async function checked(tenantId: string, definition: AutomationDefinition): Promise<AutomationDefinition> {
    const { pickLists, version } = await stores.settings.get(tenantId);
    validateDefinition(definition, pickLists);
    await assertReferences(
      tenantId,
      userReferences(definition).map((r) => ({ field: r.field, id: r.id, store: stores.users, label: 'user' })),
    );
    validatedAt.set(definition, version);
    return definition;
  }

  /**
   * After an enabled automation is written: when the lists changed while the request ran (a
   * concurrent PUT /settings, which could not yet see this automation as enabled), it is checked
   * against the new lists, and disabled again with the reason if it no longer fits them.
   */
  async function confirmed(tenantId: string, definition: AutomationDefinition, automation: Automation): Promise<Automation> {
    if (!automation.enabled) return automation;
    const latest = await stores.settings.get(tenantId);
    if (latest.version === validatedAt.get(definition)) return automation;
    try {
      validateDefinition(automation, latest.pickLists);
      return automation;
    } catch (error) {
      await automations.setEnabled(tenantId, automation.id, false);
      throw error;
    }
  }

  /** The automation as the API shows it: with the warnings that hold for it now. */
  async function shown(tenantId: string, automation: Automation): Promise<Automation & { warnings: ReturnType<typeof automationWarnings> }>;
  async function shown(tenantId: string, automation: Automation[]): Promise<Array<Automation & { warnings: ReturnType<typeof automationWarnings> }>>;
  async function shown(tenantId: string, automation: Automation | Automation[]) {
    const settings = await stores.settings.get(tenantId);
    const context = 'senderAddress' in settings && settings.senderAddress ? { senderAddress: settings.senderAddress } : {};
    const add = (a: Automation) => ({ ...a, warnings: automationWarnings(a, context) });
    return Array.isArray(automation) ? automation.map(add) : add(automation);
  }

  return {
    'POST /automations': async ({ principal: { tenantId }, body: raw }) => {
      const definition = isPresetInstall(raw) ? definitionFromPreset(raw) : body(AutomationFields, raw);
      const valid = await checked(tenantId, definition);
      const automation = await confirmed(tenantId, valid, await automations.create(tenantId, valid));
      return { ...created(automation, 'automations'), body: await shown(tenantId, automation) };
    },
    'GET /automations': async ({ principal: { tenantId }, query: q }) => {
      const page = await automations.list(tenantId, query(PageQuery, q));
      return ok({ ...page, items: await shown(tenantId, page.items) });
    },
    'GET /automations/{id}': async ({ principal: { tenantId }, params }) => ok(await shown(tenantId, await automations.require(tenantId, params.id!))),
    'PUT /automations/{id}': async ({ principal: { tenantId }, params, body: raw }) => {
      const parsed = body(AutomationPut, raw);
      const stored = await automations.require(tenantId, params.id!);
      if (parsed.version !== stored.version) {
        throw new ConflictError('version_conflict', `The automation was changed meanwhile (current version ${stored.version}); reload and retry`, [
          { path: 'version', code: 'stale_version', message: 'Stale version', params: { current: stored.version } },
        ]);
      }
      checkReadOnlyFields(raw as Record<string, unknown>, stored);
      if (parsed.preset !== undefined && parsed.preset !== stored.preset && !findPreset(parsed.preset)) {
        throw new ValidationError('Unknown preset', [{ path: 'preset', code: 'unknown_preset', message: `Use one of ${PRESETS.map((p) => p.key).join(', ')}, or leave it out`, params: { allowed: PRESETS.map((p) => p.key) } }]);
      }
      const { version, name, description, trigger, actions, enabled, preset } = parsed;
      const definition = { name, trigger, actions, enabled, ...(description !== undefined ? { description } : {}), ...(preset !== undefined ? { preset } : {}) };
      const valid = await checked(tenantId, definition);
      return ok(await shown(tenantId, await confirmed(tenantId, valid, await automations.replace(tenantId, params.id!, valid, version))));
    },
    'DELETE /automations/{id}': async ({ principal: { tenantId }, params }) => {
      await automations.delete(tenantId, params.id!);
      return { status: 204 };
    },
    // Enabling checks the definition again: the tenant's lists may have changed since it was saved.
    'POST /automations/{id}/enable': async ({ principal: { tenantId }, params }) => {
      const valid = await checked(tenantId, await automations.require(tenantId, params.id!));
      return ok(await shown(tenantId, await confirmed(tenantId, valid, await automations.setEnabled(tenantId, params.id!, true))));
    },
    'POST /automations/{id}/disable': async ({ principal: { tenantId }, params }) => ok(await shown(tenantId, await automations.setEnabled(tenantId, params.id!, false))),
    'POST /automations/{id}/test': async ({ principal: { tenantId }, params, body: raw }) => {
      const input = body(DryRunInput, raw ?? {});
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
