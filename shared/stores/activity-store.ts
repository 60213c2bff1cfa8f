import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EntityTable } from '../db/entity-table.ts';
import { childListKey } from '../db/keys.ts';
import { Activity, type ActivityRecord } from '../model/activity.ts';
import { DynamoStore, type Page, type PageRequest, type ReadStore, type WriteOptions } from './store.ts';

export interface ActivityListQuery extends PageRequest {
  contactId?: string;
  propertyId?: string;
  type?: string;
}

/** Activities are a journal: created and read, never changed. */
export interface ActivityStore extends ReadStore<Activity> {
  /**
   * Records an activity. `options.id` gives it a caller-chosen id (a second create with that id is
   * a ConflictError), `options.causedBy` the provenance of an automation's write.
   */
  create(tenantId: string, input: ActivityRecord, options?: WriteOptions): Promise<Activity>;
  list(tenantId: string, query?: ActivityListQuery): Promise<Page<Activity>>;
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
        // An activity can concern several contacts. Since activities never change, each contact gets
        // a link item carrying a copy, found through GSI2; the stream publisher ignores link items.
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

  list(tenantId: string, query: ActivityListQuery = {}): Promise<Page<Activity>> {
    const { contactId, propertyId, type, ...page } = query;
    if (contactId) return this.listChildren(tenantId, 'GSI2', 'CONTACT', contactId, page, { type, propertyId });
    if (propertyId) return this.listChildren(tenantId, 'GSI3', 'PROPERTY', propertyId, page, { type });
    return this.listAll(tenantId, page, { type });
  }
}
