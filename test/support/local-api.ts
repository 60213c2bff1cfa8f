import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '#infra/local/stack';
import type { Role } from '#shared/http/types';

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

/** The local stack on the run's DynamoDB Local, its API on a free port, and a small HTTP client. */
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

  async function call(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let payload: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${stack.apiUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  const token = (tenantId: string, role: Role = 'agent') => stack.auth.sign({ tenantId, role });
  return { stack, call, token };
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
