import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The DynamoDB requests counted so far: in all, and how many of them wrote. */
export interface RequestCount {
  requests: number;
  writes: number;
}

const WRITES = /\.(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)$/;

/**
 * A pass-through in front of DynamoDB Local that counts every request by its `X-Amz-Target`,
 * whoever sends it (the API, the stream poller's GetRecords, the runners), so the bench counts what
 * the whole pipeline asks of DynamoDB without touching any of its clients. The ceiling is measured
 * through it too, so both pay the same extra hop.
 */
export async function countingProxy(upstream: string) {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const count: RequestCount = { requests: 0, writes: 0 };
  const server = createServer((req, res) => {
    count.requests++;
    if (WRITES.test(String(req.headers['x-amz-target'] ?? ''))) count.writes++;
    const forward = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(forward);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** The counts so far (a copy). */
    count: (): RequestCount => ({ ...count }),
    stop: () => {
      agent.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type CountingProxy = Awaited<ReturnType<typeof countingProxy>>;
