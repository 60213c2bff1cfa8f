import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EntityTable } from '../db/entity-table.ts';
import { childListKey } from '../db/keys.ts';
import { Property, type PropertyInput } from '../model/property.ts';
import { archivedFilter, DynamoStore, pageOfOne, type ArchivedFilter, type Page, type PageRequest, type UpdateOptions, type WriteOptions, type WriteStore } from './store.ts';

export interface PropertyListQuery extends PageRequest {
  contactPersonId?: string;
  unitId?: string;
  archived?: ArchivedFilter;
}

export interface PropertyStore extends WriteStore<Property, PropertyInput> {
  /** The property with the agent's own object number, e.g. `MI-2026-014` (case-insensitive). */
  findByUnitId(tenantId: string, unitId: string): Promise<Property | undefined>;
  /** The property listed on `portal` under `listingId`. */
  findByPortalId(tenantId: string, portal: string, listingId: string): Promise<Property | undefined>;
  list(tenantId: string, query?: PropertyListQuery): Promise<Page<Property>>;
}

const unitValue = (unitId: string) => unitId.trim().toUpperCase();

export class DynamoPropertyStore extends DynamoStore<Property> implements PropertyStore {
  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(
      new EntityTable<Property>(client, tableName, {
        kind: 'PROPERTY',
        label: 'property',
        schema: Property,
        uniques: (p) => [
          { name: 'unit', value: unitValue(p.unitId), field: 'unitId' },
          ...Object.entries(p.portalIds).map(([portal, listingId]) => ({
            name: `portal-${portal}`,
            value: listingId,
            field: `portalIds.${portal}`,
          })),
        ],
        indexKeys: (p) => ({
          GSI2PK: p.contactPersonId ? childListKey(p.tenantId, 'USER', p.contactPersonId, 'PROPERTY') : undefined,
          GSI2SK: p.contactPersonId ? p.id : undefined,
        }),
      }),
    );
  }

  create(tenantId: string, input: PropertyInput, options?: WriteOptions): Promise<Property> {
    return this.table.create(tenantId, input, options);
  }

  update(tenantId: string, id: string, patch: Record<string, unknown>, version: number, options?: UpdateOptions<Property>): Promise<Property> {
    return this.table.update(tenantId, id, patch, version, options);
  }

  findByUnitId(tenantId: string, unitId: string): Promise<Property | undefined> {
    return this.table.findByUnique(tenantId, 'unit', unitValue(unitId));
  }

  findByPortalId(tenantId: string, portal: string, listingId: string): Promise<Property | undefined> {
    return this.table.findByUnique(tenantId, `portal-${portal}`, listingId.trim());
  }

  async list(tenantId: string, query: PropertyListQuery = {}): Promise<Page<Property>> {
    const { contactPersonId, unitId, archived, ...page } = query;
    if (unitId) return pageOfOne(this.findByUnitId(tenantId, unitId));
    const filters = { archived: archivedFilter(archived) };
    if (contactPersonId) return this.listChildren(tenantId, 'GSI2', 'USER', contactPersonId, page, filters);
    return this.listAll(tenantId, page, filters);
  }
}
