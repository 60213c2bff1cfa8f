import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoActivityStore, type ActivityStore } from './activity-store.ts';
import { DynamoContactStore, type ContactStore } from './contact-store.ts';
import { DynamoDealStore, type DealStore } from './deal-store.ts';
import { DynamoInquiryStore, type InquiryStore } from './inquiry-store.ts';
import { DynamoPropertyStore, type PropertyStore } from './property-store.ts';
import { DynamoRejectionStore, type RejectionStore } from './rejection-store.ts';
import { DynamoSettingsStore, type SettingsStore } from './settings-store.ts';
import { DynamoTaskStore, type TaskStore } from './task-store.ts';
import { DynamoUserStore, type UserStore } from './user-store.ts';

/** Every store of the CRM, as the API and the engine use them. */
export interface CrmStores {
  settings: SettingsStore;
  users: UserStore;
  contacts: ContactStore;
  properties: PropertyStore;
  deals: DealStore;
  activities: ActivityStore;
  rejections: RejectionStore;
  tasks: TaskStore;
  inquiries: InquiryStore;
}

export function createCrmStores(client: DynamoDBDocumentClient, tableName: string): CrmStores {
  return {
    settings: new DynamoSettingsStore(client, tableName),
    users: new DynamoUserStore(client, tableName),
    contacts: new DynamoContactStore(client, tableName),
    properties: new DynamoPropertyStore(client, tableName),
    deals: new DynamoDealStore(client, tableName),
    activities: new DynamoActivityStore(client, tableName),
    rejections: new DynamoRejectionStore(client, tableName),
    tasks: new DynamoTaskStore(client, tableName),
    inquiries: new DynamoInquiryStore(client, tableName),
  };
}
