import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EntityTable } from '../db/entity-table.ts';
import { normaliseEmail } from '../db/keys.ts';
import { User, type UserInput } from '../model/user.ts';
import { archivedFilter, DynamoStore, type ArchivedFilter, type Page, type PageRequest, type UpdateOptions, type WriteOptions, type WriteStore } from './store.ts';

export interface UserListQuery extends PageRequest {
  archived?: ArchivedFilter;
}

export interface UserStore extends WriteStore<User, UserInput> {
  list(tenantId: string, query?: UserListQuery): Promise<Page<User>>;
}

export class DynamoUserStore extends DynamoStore<User> implements UserStore {
  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(
      new EntityTable<User>(client, tableName, {
        kind: 'USER',
        label: 'user',
        schema: User,
        uniques: (u) => [{ name: 'user-email', value: normaliseEmail(u.email), field: 'email' }],
      }),
    );
  }

  create(tenantId: string, input: UserInput, options?: WriteOptions): Promise<User> {
    return this.table.create(tenantId, input, options);
  }

  update(tenantId: string, id: string, patch: Record<string, unknown>, version: number, options?: UpdateOptions<User>): Promise<User> {
    return this.table.update(tenantId, id, patch, version, options);
  }

  list(tenantId: string, { archived, ...page }: UserListQuery = {}): Promise<Page<User>> {
    return this.listAll(tenantId, page, { archived: archivedFilter(archived) });
  }
}
