import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { join } from 'node:path';
import { createHttpHandler } from '#shared/api/http-handler';
import { createDocumentClient } from '#shared/aws/clients';
import { createTables } from '#shared/db/create-tables';
import { createCrmStores } from '#shared/stores/crm-stores';
import { CRM_TABLE, TABLES } from '../tables.ts';
import { DevAuth } from './dev-auth.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { startLocalApi, type LocalRoute } from './http-server.ts';

export interface LocalStackOptions {
  /** Folder for data that survives a restart (DynamoDB files, dev keys). */
  dataDir: string;
  apiPort: number;
  /** Start DynamoDB Local on this port, unless `dynamoEndpoint` names a running one. */
  dynamoPort?: number;
  dynamoEndpoint?: string;
  /** Keep DynamoDB in memory (tests) instead of under `dataDir`. */
  inMemory?: boolean;
  /** Prefix of the physical table names, so test files do not share tables. */
  tablePrefix?: string;
  localRoutes?: Record<string, LocalRoute>;
  log?: (line: string) => void;
}

export interface LocalStack {
  apiUrl: string;
  dynamoEndpoint: string;
  tableNames: Record<string, string>;
  auth: DevAuth;
  stop(): Promise<void>;
}

export const LOCAL_REGION = 'eu-central-1';

/**
 * Starts the system on this machine: DynamoDB Local, the tables from the CDK definitions, and the
 * API handler behind a local API Gateway. Configuration flows only through the AWS SDK's endpoint
 * settings, as it would for any other environment.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  let dynamo: DynamoDbLocal | undefined;
  let dynamoEndpoint = options.dynamoEndpoint;
  if (!dynamoEndpoint) {
    dynamo = await startDynamoDbLocal({
      port: options.dynamoPort ?? 8000,
      ...(options.inMemory ? {} : { dbPath: join(options.dataDir, 'dynamodb') }),
    });
    dynamoEndpoint = dynamo.endpoint;
  }
  process.env.AWS_REGION ??= LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoEndpoint;

  const raw = new DynamoDBClient({ endpoint: dynamoEndpoint });
  const tableNames = await createTables(raw, TABLES, options.tablePrefix ?? '');
  Object.assign(process.env, tableNames);

  const stores = createCrmStores(createDocumentClient(raw), tableNames[CRM_TABLE.envVar]!);
  const auth = await DevAuth.load(join(options.dataDir, 'dev-keys.json'));
  const api = await startLocalApi({ handler: createHttpHandler(stores), auth, port: options.apiPort, localRoutes: options.localRoutes });

  return {
    apiUrl: api.url,
    dynamoEndpoint,
    tableNames,
    auth,
    async stop() {
      await api.close();
      raw.destroy();
      await dynamo?.stop();
    },
  };
}
