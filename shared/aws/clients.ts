import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * AWS client factories. Endpoints come only from the SDK's own settings (`AWS_ENDPOINT_URL_DYNAMODB`
 * and friends), so the same code talks to AWS or to the local stand-ins. Handlers call these at
 * module scope, so a warm Lambda reuses its connections.
 */
export function createDocumentClient(client = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

/** Reads a required environment variable, failing at start-up rather than on the first request. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

/**
 * Local S3 stand-ins serve path-style URLs only (`http://host/bucket/key`); AWS takes either.
 * `S3_FORCE_PATH_STYLE=true` switches the client to them.
 */
export function s3ClientConfig(): { forcePathStyle: boolean } {
  return { forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' };
}
