import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EntityTable } from '../db/entity-table.ts';
import { childListKey } from '../db/keys.ts';
import { Activity, type ActivityRecord } from '../model/activity.ts';
import { DynamoStore, type Page, type PageRequest, type ReadStore, type WriteOptions } from './store.ts';
import type { UpdateOptions } from '../db/entity-table.ts';

export interface ActivityListQuery extends PageRequest {
  contactId?: string;
  propertyId?: string;
  type?: string;
}

/** Activities are a journal: created and read; only appointments change (see the API). */
export interface ActivityStore extends ReadStore<Activity> {
  /**
   * Records an activity. `options.id` gives it a caller-chosen id (a second create with that id is
   * a ConflictError), `options.causedBy` the provenance of an automation's write.
   */
  create(tenantId: string, input: ActivityRecord, options?: WriteOptions): Promise<Activity>;
  list(tenantId: string, query?: ActivityListQuery): Promise<Page<Activity>>;
  /** Changes fields of version `version` (a stale one is a 409); the contacts' copies change with it. */
  update(tenantId: string, id: string, patch: Record<string, unknown>, version: number, options?: UpdateOptions<Activity>): Promise<Activity>;
}

export class DynamoActivityStore extends DynamoStore<Activity> implements ActivityStore {
  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(
      new EntityTable<Activity>(client, tableName, {
        kind: 'ACTIVITY',
        label: 'activity',
        schema: Activity,
        indexKeys: (a) => ({
          GSI3PK: a.propertyId ? childListKey(a.tenantId, 'PROPERTY', a.propertyId, 'ACTIVITY') : undefined,
          GSI3SK: a.propertyId ? a.id : undefined,
        }),
        // An activity can concern several contacts: each contact gets a link item carrying a copy,
        // found through GSI2 (an update writes the copies anew); the stream publisher ignores them.
        companions: (a, { PK }) =>
          a.contactIds.map((contactId) => ({
            ...a,
            PK,
            SK: `LINK#CONTACT#${contactId}`,
            entity: 'ACTIVITY_LINK',
            GSI2PK: childListKey(a.tenantId, 'CONTACT', contactId, 'ACTIVITY'),
            GSI2SK: a.id,
          })),
      }),
    );
  }

  create(tenantId: string, input: ActivityRecord, options?: WriteOptions): Promise<Activity> {
    return this.table.create(tenantId, input, options);
  }

  update(tenantId: string, id: string, patch: Record<string, unknown>, version: number, options?: UpdateOptions<Activity>): Promise<Activity> {
    return this.table.update(tenantId, id, patch, version, options);
  }

  list(tenantId: string, query: ActivityListQuery = {}): Promise<Page<Activity>> {
    const { contactId, propertyId, type, ...page } = query;
    if (contactId) return this.listChildren(tenantId, 'GSI2', 'CONTACT', contactId, page, { type, propertyId });
    if (propertyId) return this.listChildren(tenantId, 'GSI3', 'PROPERTY', propertyId, page, { type });
    return this.listAll(tenantId, page, { type });
  }
}
