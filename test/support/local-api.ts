import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '#infra/local/stack';
import type { ApiClient } from '#shared/api/client/client';
import type { Role } from '#shared/http/types';
import { checkedClient, rawCall, type RawOptions, type Reply } from './api-client.ts';

export { ok, type Reply } from './api-client.ts';

/** The local stack on the run's DynamoDB Local, its API on a free port, and its typed client. */
export async function startTestApi(options: Partial<LocalStackOptions> = {}) {
  const stack: LocalStack = await startLocalStack({
    dataDir: mkdtempSync(join(tmpdir(), 'crm-test-')),
    apiPort: 0,
    eventBusPort: 0,
    smtpPort: 0,
    sesPort: 0,
    schedulerPort: 0,
    streamPollMs: 20,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `e${randomBytes(4).toString('hex')}-`,
    ...(process.env.STACK_LOG ? { log: (line: string) => appendFileSync(process.env.STACK_LOG!, `${process.pid} ${line}\n`) } : {}),
    ...options,
  });

  /** The typed client as `token`'s holder; every answer is checked against the OpenAPI document. */
  const client = (token?: string): ApiClient => checkedClient(stack.apiUrl, token);
  /** The client's escape hatch (`rawCall`) as `token`'s holder. */
  const call = (method: string, path: string, opts: RawOptions & { token?: string } = {}): Promise<Reply> => rawCall(client(opts.token), method, path, opts);

  const token = (tenantId: string, role: Role = 'agent') => stack.auth.sign({ tenantId, role });
  return { stack, client, call, token };
}

export type TestApi = Awaited<ReturnType<typeof startTestApi>>;

export interface TestSession {
  api: TestApi;
  admin: string;
  agent: string;
}

/**
 * A local stack for the test file: started before its tests with an admin's and an agent's token
 * for `tenantId`, stopped after them. `ready` hands the session to the file's variables.
 */
export function useTestApi(tenantId: string, ready: (session: TestSession) => void, options: Partial<LocalStackOptions> = {}): void {
  let api: TestApi | undefined;
  beforeAll(async () => {
    api = await startTestApi(options);
    ready({ api, admin: await api.token(tenantId, 'admin'), agent: await api.token(tenantId, 'agent') });
  });
  afterAll(() => api?.stack.stop());
}
