import type { LocalStack } from '#infra/local/stack';
import type { CountingProxy } from './dynamo-proxy.ts';
import type { HopClock } from './hops.ts';
import { round } from './support.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Section 6: API writes that each trigger one automation (a new contact marked as a customer: the
 * API's write, the stream, the bus, the contact runner, the engine's run and its write), timed at
 * every hop by `clock`.
 */
export class Pipeline {
  private constructor(
    private readonly stack: LocalStack,
    private readonly clock: HopClock,
    private readonly post: (body: unknown) => Promise<Response>,
  ) {}

  /** A tenant of its own with the one automation. */
  static async start(stack: LocalStack, clock: HopClock): Promise<Pipeline> {
    const tenantId = `bench-e2e-${Date.now().toString(36)}`;
    const admin = await stack.auth.sign({ tenantId, role: 'admin' });
    const post = (path: string, body: unknown) =>
      fetch(`${stack.apiUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await post('/automations', {
      name: 'Bench: neue Kontakte markieren',
      enabled: true,
      trigger: { event: 'ContactCreated', where: { contact: { source: ['bench'] } } },
      actions: [{ type: 'update_contact', set: { status: 'Kunde' } }],
    });
    if (created.status !== 201) throw new Error(`automation not created: ${await created.text()}`);
    return new Pipeline(stack, clock, (body) => post('/contacts', body));
  }

  private written = 0;

  /** One write; its id once the API answered (marked `responded`), or undefined when it failed. */
  private async write(): Promise<string | undefined> {
    const reply = await this.post({ lastName: `Bench ${this.written++}`, source: 'bench' });
    const at = performance.now();
    if (reply.status !== 201) return undefined;
    const { id } = (await reply.json()) as { id: string };
    this.clock.mark(id, 'responded', at);
    return id;
  }

  /** Waits until every write's run is recorded (or 3 minutes pass). */
  private async drained(ids: readonly string[]): Promise<void> {
    const deadline = Date.now() + 180_000;
    while (ids.some((id) => !this.clock.has(id, 'recorded')) && Date.now() < deadline) await sleep(20);
  }

  /**
   * Saturation (closed loop): `writes` writes by `concurrency` clients as fast as they are answered;
   * runs per second from the first write to the last recorded run, and the DynamoDB requests the
   * whole pipeline made meanwhile (counted by the proxy). Its latencies are those of a queue that
   * grows while writes outrun runs, not the pipeline's: the open loop measures those.
   */
  async saturation(writes: number, concurrency: number, proxy: CountingProxy) {
    const before = proxy.count();
    const started = performance.now();
    const ids: string[] = [];
    let failures = 0;
    let sent = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (sent++ < writes) {
          const id = await this.write();
          if (id) ids.push(id);
          else failures++;
        }
      }),
    );
    const writeSeconds = (performance.now() - started) / 1000;
    await this.drained(ids);
    const seconds = (performance.now() - started) / 1000;
    const after = proxy.count();
    // The runs' own writes raise ContactUpdated events, which the runner takes too, before the next section.
    await this.stack.bus.idle();
    const requests = after.requests - before.requests;
    const { recorded } = this.clock.latencies(ids);
    return {
      writes,
      concurrency,
      failedWrites: failures,
      recorded,
      writesPerSec: round(writes / writeSeconds, 1),
      runsPerSec: round(recorded / seconds, 1),
      dynamoRequests: requests,
      dynamoRequestsPerRun: round(requests / Math.max(1, recorded), 2),
      dynamoRequestsPerSec: round(requests / seconds, 0),
      writeShare: round((after.writes - before.writes) / Math.max(1, requests), 3),
    };
  }

  /**
   * Latency at a steady rate (open loop): a write every 1/`rate` s for `seconds`, each sent on
   * time whether or not the ones before were answered, as independent users would; then the
   * latency from each answer to its recorded run, and per hop.
   */
  async steady(rate: number, seconds: number) {
    const writes = Math.max(1, Math.round(rate * seconds));
    const ids: string[] = [];
    const sent: Array<Promise<void>> = [];
    let failures = 0;
    const started = performance.now();
    for (let i = 0; i < writes; i++) {
      const due = started + (i * 1000) / rate - performance.now();
      if (due > 0) await sleep(due);
      sent.push(this.write().then((id) => void (id ? ids.push(id) : failures++)));
    }
    await Promise.all(sent);
    await this.drained(ids);
    await this.stack.bus.idle();
    return { ratePerSec: round(rate, 1), writes, failedWrites: failures, ...this.clock.latencies(ids) };
  }
}
