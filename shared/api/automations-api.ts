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
import type { WaitControl } from '../engine/wake.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { Id } from '../model/common.ts';
import type { RouteImpl } from '../http/types.ts';
import type { AutomationStore } from '../stores/automation-store.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import type { ExecutionStore } from '../stores/execution-store.ts';
import { PageQuery, assertReferences, body, created, ok, query } from './helpers.ts';

export const ExecutionListQuery = PageQuery.extend({ status: z.enum(EXECUTION_STATUSES).optional(), automationId: Id.optional() });
export const AutomationExecutionQuery = PageQuery.extend({ status: z.enum(EXECUTION_STATUSES).optional() });

/** Mailer for dry runs: preparing an action never sends, and this makes sure of it. */
const NO_MAIL: Mailer = {
  send: () => Promise.reject(new Error('A dry run never sends mail')),
};

export interface AutomationServices {
  stores: CrmStores;
  automations: AutomationStore;
  executions: ExecutionStore;
  /** Waiting runs: cancelled or resumed by an admin, cancelled with their automation. */
  waits: WaitControl;
}

const isPresetInstall = (raw: unknown): raw is Record<string, unknown> => typeof raw === 'object' && raw !== null && 'preset' in raw && !('trigger' in raw);

export function automationRoutes({ stores, automations, executions, waits }: AutomationServices): Record<string, RouteImpl> {
  type Settings = Awaited<ReturnType<CrmStores['settings']['get']>>;

  /**
   * Validates a definition completely: schema, pattern, pick-list values, templates, actions, and
   * the users it names. Returns the settings it validated against.
   */
  async function checked(tenantId: string, definition: AutomationDefinition): Promise<Settings> {
    const settings = await stores.settings.get(tenantId);
    validateDefinition(definition, settings.pickLists);
    await assertReferences(
      tenantId,
      userReferences(definition).map((r) => ({ field: r.field, id: r.id, store: stores.users, label: 'user' })),
    );
    return settings;
  }

  /**
   * After an enabled automation is written: when the lists changed while the request ran (a
   * concurrent PUT /settings, which could not yet see this automation as enabled), it is checked
   * against the new lists, and disabled again with the reason if it no longer fits them. Returns
   * the settings as they are now.
   */
  async function confirmed(tenantId: string, automation: Automation, validated: Settings): Promise<Settings> {
    if (!automation.enabled) return validated;
    const latest = await stores.settings.get(tenantId);
    if (latest.version === validated.version) return latest;
    try {
      validateDefinition(automation, latest.pickLists);
      return latest;
    } catch (error) {
      await automations.setEnabled(tenantId, automation.id, false);
      throw error;
    }
  }

  /** The automation as the API shows it: with the warnings that hold for it under `settings`. */
  function shown(automation: Automation, settings: Settings): Automation & { warnings: ReturnType<typeof automationWarnings> };
  function shown(automation: Automation[], settings: Settings): Array<Automation & { warnings: ReturnType<typeof automationWarnings> }>;
  function shown(automation: Automation | Automation[], settings: Settings) {
    const context = 'senderAddress' in settings && settings.senderAddress ? { senderAddress: settings.senderAddress } : {};
    const add = (a: Automation) => ({ ...a, warnings: automationWarnings(a, context) });
    return Array.isArray(automation) ? automation.map(add) : add(automation);
  }

  /** Writes an automation validated against `validated`, confirms it, and shows it. */
  async function written(tenantId: string, write: Promise<Automation>, validated: Settings) {
    const automation = await write;
    return shown(automation, await confirmed(tenantId, automation, validated));
  }

  return {
    'POST /automations': async ({ principal: { tenantId }, body: raw }) => {
      const definition = isPresetInstall(raw) ? definitionFromPreset(raw) : body(AutomationFields, raw);
      const settings = await checked(tenantId, definition);
      const automation = await written(tenantId, automations.create(tenantId, definition), settings);
      return { ...created(automation, 'automations'), body: automation };
    },
    'GET /automations': async ({ principal: { tenantId }, query: q }) => {
      const [page, settings] = await Promise.all([automations.list(tenantId, query(PageQuery, q)), stores.settings.get(tenantId)]);
      return ok({ ...page, items: shown(page.items, settings) });
    },
    'GET /automations/{id}': async ({ principal: { tenantId }, params }) => {
      const [automation, settings] = await Promise.all([automations.require(tenantId, params.id!), stores.settings.get(tenantId)]);
      return ok(shown(automation, settings));
    },
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
      const settings = await checked(tenantId, definition);
      const result = await written(tenantId, automations.replace(tenantId, params.id!, definition, version, stored), settings);
      // The runs waiting meanwhile: ended when it was disabled or its trigger or steps changed, moved when its waits changed.
      if (stored.enabled) await waits.afterEdit(stored, result);
      return ok(result);
    },
    'DELETE /automations/{id}': async ({ principal: { tenantId }, params }) => {
      const automation = await automations.require(tenantId, params.id!);
      await automations.delete(tenantId, automation.id);
      await waits.cancelAllOf(automation, 'The automation was deleted');
      return { status: 204 };
    },
    // Enabling checks the definition again: the tenant's lists may have changed since it was saved.
    'POST /automations/{id}/enable': async ({ principal: { tenantId }, params }) => {
      const settings = await checked(tenantId, await automations.require(tenantId, params.id!));
      return ok(await written(tenantId, automations.setEnabled(tenantId, params.id!, true), settings));
    },
    'POST /automations/{id}/disable': async ({ principal: { tenantId }, params }) => {
      const [automation, settings] = await Promise.all([automations.setEnabled(tenantId, params.id!, false), stores.settings.get(tenantId)]);
      // The waits it has (up to a hundred now; any others end as skipped when they wake).
      await waits.cancelAllOf(automation, 'The automation was disabled');
      return ok(shown(automation, settings));
    },
    'POST /automations/{id}/test': async ({ principal: { tenantId }, params, body: raw }) => {
      const input = body(DryRunInput, raw ?? {});
      const automation = await automations.require(tenantId, params.id!);
      return ok(await dryRun(automation, input, { stores, mailer: NO_MAIL, now: () => new Date() }));
    },
    'GET /automations/{id}/executions': async ({ principal: { tenantId }, params, query: q }) => {
      await automations.require(tenantId, params.id!);
      return ok(await executions.list(tenantId, { ...query(AutomationExecutionQuery, q), automationId: params.id! }));
    },
    'GET /executions': async ({ principal: { tenantId }, query: q }) => ok(await executions.list(tenantId, query(ExecutionListQuery, q))),
    'GET /executions/{id}': async ({ principal: { tenantId }, params }) => {
      const execution = await executions.get(tenantId, params.id!);
      if (!execution) throw new NotFoundError(`No execution with id ${params.id}`);
      return ok(execution);
    },
    'POST /executions/{id}/cancel': async ({ principal: { tenantId, userId }, params }) => ok(await waits.cancel(tenantId, params.id!, `Cancelled by an admin (${userId})`)),
    'POST /executions/{id}/resume': async ({ principal: { tenantId }, params }) => ok(await waits.resumeNow(tenantId, params.id!)),
  };
}
