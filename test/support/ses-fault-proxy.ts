import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll } from 'vitest';
import { SesMailer } from '#shared/engine/mailer';
import { agencyWorld } from './automation-world.ts';
import { tenant } from './dynamo.ts';
import { startTestApi, type TestApi } from './local-api.ts';

type AgencyWorld = Awaited<ReturnType<typeof agencyWorld>>;

/**
 * Stands between the mailer and the local SES endpoint and answers the next requests with an SES
 * v2 error instead of forwarding them, as SES does when it throttles or rejects a message: JSON,
 * the error's name in `x-amzn-ErrorType` (the SDK's error name).
 */
export class SesFaultProxy {
  target = '';
  private server?: Server;
  private faults: Array<{ code: string; message: string; status: number }> = [];
  forwarded = 0;
  refused = 0;

  /** The next `times` requests fail with `code`. */
  fail(times: number, code = 'Throttling', message = 'Maximum sending rate exceeded.', status = 400): void {
    for (let i = 0; i < times; i++) this.faults.push({ code, message, status });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const fault = this.faults.shift();
        if (fault) {
          this.refused++;
          res.writeHead(fault.status, { 'content-type': 'application/json', 'x-amzn-ErrorType': fault.code, 'x-amzn-RequestId': `fault-${this.refused}` });
          res.end(JSON.stringify({ message: fault.message }));
          return;
        }
        this.forwarded++;
        const upstream = request(`${this.target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (reply) => {
          res.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(res);
        });
        upstream.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        upstream.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((ok) => this.server!.listen(0, '127.0.0.1', ok));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }
}

/**
 * The file's local stack with its mailer sending through a fault proxy (SDK retries off, so each
 * fault reaches the engine and the bus's redelivery does the retrying), and an agency world for
 * one tenant; started before the file's tests, stopped after them.
 */
export function useFaultProxyWorld(ready: (session: { api: TestApi; world: AgencyWorld; proxy: SesFaultProxy; tenantId: string }) => void): void {
  const proxy = new SesFaultProxy();
  const tenantId = tenant();
  let api: TestApi | undefined;
  beforeAll(async () => {
    const proxyUrl = await proxy.start();
    api = await startTestApi({ wrapMailer: () => new SesMailer(new SESv2Client({ endpoint: proxyUrl, maxAttempts: 1 })) });
    proxy.target = api.stack.sesUrl;
    ready({ api, world: await agencyWorld(api, tenantId), proxy, tenantId });
  });
  afterAll(async () => {
    await api?.stack.stop();
    await proxy.stop();
  });
}
