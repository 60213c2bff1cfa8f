import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { settingsKey, uniqueKey, withoutTableAttributes } from '../db/keys.ts';
import { Transaction } from '../db/transaction.ts';
import { ConflictError } from '../errors.ts';
import { DEFAULT_TIME_ZONE, defaultSendWindow, TenantSettings, type TenantSettingsPut } from '../model/tenant.ts';
import type { SendWindow } from '../time/wait-time.ts';
import { assertPickListsSize, DEFAULT_PICK_LISTS, mergePickLists, withDefaultLists, type PickLists } from '../settings/pick-lists.ts';
import { parseOrThrow } from '../validation.ts';

export interface SettingsStore {
  /** The tenant's settings; a tenant that never saved any gets the defaults at version 0. */
  get(tenantId: string): Promise<TenantSettings | DefaultSettings>;
  /**
   * Replaces the settings. `version` must match the stored one (absent for the first save). The
   * pick-lists the input names replace the stored ones (see `mergePickLists`); the others stay.
   */
  put(tenantId: string, input: TenantSettingsPut, options?: SettingsPutOptions): Promise<TenantSettings>;
  /** The tenant an inbound address belongs to. */
  findTenantByInboundAddress(address: string): Promise<string | undefined>;
}

/** The settings of a tenant that never saved any. */
export interface DefaultSettings {
  tenantId: string;
  timeZone: string;
  sendWindow: SendWindow;
  inboundAddresses: string[];
  pickLists: PickLists;
  version: 0;
}

export interface SettingsPutOptions {
  /**
   * Runs after the version check with the lists about to be stored and the lists they replace,
   * before anything is written; throwing refuses the save (the API refuses removing values that
   * enabled automations use).
   */
  checkPickLists?: (next: PickLists, previous: PickLists) => Promise<void>;
}

const INBOUND = 'inbound';

export class DynamoSettingsStore implements SettingsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(tenantId: string): Promise<TenantSettings | DefaultSettings> {
    return (await this.load(tenantId)) ?? { tenantId, timeZone: DEFAULT_TIME_ZONE, sendWindow: defaultSendWindow(), inboundAddresses: [], pickLists: DEFAULT_PICK_LISTS, version: 0 };
  }

  async put(tenantId: string, input: TenantSettingsPut, options: SettingsPutOptions = {}): Promise<TenantSettings> {
    const current = await this.load(tenantId);
    const expected = input.version ?? 0;
    if ((current?.version ?? 0) !== expected) {
      throw new ConflictError('version_conflict', `The settings were changed meanwhile (current version ${current?.version ?? 0}); reload and retry`, [
        { path: 'version', code: 'stale_version', message: 'Stale version' },
      ]);
    }
    const previous = current?.pickLists ?? DEFAULT_PICK_LISTS;
    const pickLists = mergePickLists(previous, input.pickLists);
    assertPickListsSize(pickLists);
    await options.checkPickLists?.(pickLists, previous);
    const now = new Date().toISOString();
    const { version: _ignored, pickLists: _patch, ...fields } = input;
    const next = parseOrThrow(TenantSettings, {
      ...fields,
      pickLists,
      inboundAddresses: [...new Set(fields.inboundAddresses)],
      tenantId,
      version: expected + 1,
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
    }, 'The settings');

    const tx = new Transaction(this.tableName).put(
      { ...next, ...settingsKey(tenantId), entity: 'SETTINGS' },
      current
        ? { expression: 'version = :v', values: { ':v': expected }, onFail: () => new ConflictError('version_conflict', 'The settings were changed meanwhile; reload and retry') }
        : { expression: 'attribute_not_exists(PK)', onFail: () => new ConflictError('version_conflict', 'The settings were created meanwhile; reload and retry') },
    );
    const before = new Set(current?.inboundAddresses ?? []);
    next.inboundAddresses.forEach((address, i) => {
      if (before.delete(address)) return;
      tx.put(
        { ...uniqueKey(null, INBOUND, address), entity: 'UNIQUE', targetId: tenantId, tenantId },
        {
          expression: 'attribute_not_exists(PK)',
          onFail: () =>
            new ConflictError('duplicate', 'An inbound address belongs to another tenant', [
              { path: `inboundAddresses.${i}`, code: 'already_in_use', message: `Already in use: ${address}`, params: { value: address } },
            ]),
        },
      );
    });
    for (const address of before) {
      tx.delete(uniqueKey(null, INBOUND, address), { expression: 'targetId = :t', values: { ':t': tenantId } });
    }
    await tx.commit(this.client);
    return next;
  }

  async findTenantByInboundAddress(address: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: uniqueKey(null, INBOUND, address.trim().toLowerCase()) }),
    );
    return Item?.targetId as string | undefined;
  }

  private async load(tenantId: string): Promise<TenantSettings | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: settingsKey(tenantId), ConsistentRead: true }));
    if (!Item) return undefined;
    const settings = withoutTableAttributes(Item) as TenantSettings;
    return { ...settings, pickLists: withDefaultLists(settings.pickLists) };
  }
}
