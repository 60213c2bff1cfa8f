import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compilePattern, InvalidPatternError, type CompiledPattern } from '#shared/patterns/compile';
import { matchesPattern } from '#shared/patterns/match';

/** An event as EventBridge delivers it to a target. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface DeliveredEvent {
  event: BusEvent;
  /** The targets whose rule matched. */
  targets: string[];
}

interface Target {
  name: string;
  pattern: CompiledPattern;
  deliver: (event: BusEvent) => Promise<void>;
  /** Deliveries under way, and those waiting for a slot. */
  inFlight: Set<Promise<void>>;
  waiting: Array<() => void>;
}

export interface LocalEventBusOptions {
  port: number;
  region?: string;
  account?: string;
  /** How many delivered events `recent()` keeps. @default 500 */
  keep?: number;
  /** Delivery attempts per target and event, like a rule target's retry policy. @default 3 */
  maxAttempts?: number;
  /** Deliveries under way at once per target: EventBridge invokes targets concurrently, in no set order. @default 16 */
  concurrency?: number;
  log?: (line: string) => void;
}

const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * EventBridge on this machine: speaks the AWS JSON 1.1 protocol of `PutEvents` and
 * `TestEventPattern`, so the real EventBridgeClient (or the AWS CLI) talks to it, validates
 * entries as AWS does, and hands each event to every target whose rule pattern matches, in order
 * per target, with retries; what still fails lands in `deadLetters`.
 */
export class LocalEventBus {
  private server?: Server;
  private readonly targets: Target[] = [];
  private readonly delivered: DeliveredEvent[] = [];
  readonly deadLetters: Array<{ target: string; event: BusEvent; error: string }> = [];
  url = '';

  constructor(private readonly options: LocalEventBusOptions) {}

  /** Adds a rule with its target, as a bus rule does in AWS. */
  addTarget(name: string, pattern: unknown, deliver: (event: BusEvent) => Promise<void>): void {
    this.targets.push({ name, pattern: compilePattern(pattern), deliver, inFlight: new Set(), waiting: [] });
  }

  /** Replaces the target of a rule added before. */
  setTarget(name: string, deliver: (event: BusEvent) => Promise<void>): void {
    const target = this.targets.find((t) => t.name === name);
    if (!target) throw new Error(`No rule ${name}`);
    target.deliver = deliver;
  }

  recent(): DeliveredEvent[] {
    return [...this.delivered];
  }

  /** Resolves once every delivery queued so far has finished (tests use it to wait). */
  async idle(): Promise<void> {
    while (this.targets.some((t) => t.inFlight.size > 0 || t.waiting.length > 0)) {
      await Promise.all(this.targets.flatMap((t) => [...t.inFlight]));
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Starts listening; a restart binds the port it had before, so clients keep their endpoint. */
  async start(): Promise<string> {
    const port = this.url ? Number(new URL(this.url).port) : this.options.port;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => reply(res, 500, { __type: 'InternalException', message: String(error) }));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections?.();
    await this.idle();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return reply(res, 400, { __type: 'SerializationException', message: 'Request body is not valid JSON' });
    }
    if (target === 'AWSEvents.PutEvents') return this.putEvents(input, res);
    if (target === 'AWSEvents.TestEventPattern') return this.testEventPattern(input, res);
    return reply(res, 400, { __type: 'UnknownOperationException', message: `Operation ${target} is not supported locally` });
  }

  private putEvents(input: Record<string, unknown>, res: ServerResponse): void {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      return reply(res, 400, { __type: 'ValidationException', message: '1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must have length between 1 and 10' });
    }
    const size = entries.reduce((n: number, e: Record<string, unknown>) => n + 14 + bytes(e.Source) + bytes(e.DetailType) + bytes(e.Detail), 0);
    if (size > MAX_REQUEST_BYTES) return reply(res, 400, { __type: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' });

    const results = entries.map((entry: Record<string, unknown>) => {
      const problem = entryProblem(entry);
      if (problem) return problem;
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType as string,
        source: entry.Source as string,
        account: this.options.account ?? '000000000000',
        time: eventTime(entry.Time),
        region: this.options.region ?? 'eu-central-1',
        resources: (entry.Resources as string[] | undefined) ?? [],
        detail: JSON.parse(entry.Detail as string) as Record<string, unknown>,
      };
      this.route(event);
      return { EventId: event.id };
    });
    reply(res, 200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
  }

  private testEventPattern(input: Record<string, unknown>, res: ServerResponse): void {
    let event: unknown;
    try {
      event = JSON.parse(String(input.Event));
    } catch {
      return reply(res, 400, { __type: 'ValidationException', message: 'Parameter Event is not valid.' });
    }
    const required = ['id', 'account', 'source', 'time', 'region', 'detail-type'];
    if (typeof event !== 'object' || event === null || required.some((k) => !(k in event))) {
      return reply(res, 400, { __type: 'ValidationException', message: `Parameter Event is not valid: it needs ${required.join(', ')}.` });
    }
    try {
      return reply(res, 200, { Result: matchesPattern(compilePattern(String(input.EventPattern ?? '')), event) });
    } catch (error) {
      if (error instanceof InvalidPatternError) return reply(res, 400, { __type: 'InvalidEventPatternException', message: error.message });
      throw error;
    }
  }

  private route(event: BusEvent): void {
    const matched = this.targets.filter((t) => matchesPattern(t.pattern, event));
    this.delivered.push({ event, targets: matched.map((t) => t.name) });
    if (this.delivered.length > (this.options.keep ?? 500)) this.delivered.shift();
    const key = (event.detail.eventKey as string | undefined) ?? event.id;
    this.options.log?.(`[bus] ${event.source} ${event['detail-type']} tenant=${String(event.detail.tenantId)} key=${key} -> ${matched.map((t) => t.name).join(',') || '(no rule)'}`);
    for (const target of matched) this.enqueue(target, event);
  }

  private enqueue(target: Target, event: BusEvent): void {
    const start = () => {
      const delivery = this.deliver(target, event).finally(() => {
        target.inFlight.delete(delivery);
        target.waiting.shift()?.();
      });
      target.inFlight.add(delivery);
    };
    if (target.inFlight.size < (this.options.concurrency ?? 16)) start();
    else target.waiting.push(start);
  }

  private async deliver(target: Target, event: BusEvent): Promise<void> {
    const attempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await target.deliver(event);
      } catch (error) {
        if (attempt >= attempts) {
          this.deadLetters.push({ target: target.name, event, error: String(error) });
          this.options.log?.(`[bus] delivery to ${target.name} failed ${attempt} times, dead-lettered: ${String(error)}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }
}

function entryProblem(entry: Record<string, unknown>): { ErrorCode: string; ErrorMessage: string } | undefined {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    if (typeof entry[field] !== 'string' || entry[field] === '') {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.` };
    }
  }
  try {
    const detail = JSON.parse(entry.Detail as string);
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) throw new Error('not an object');
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  return undefined;
}

/** The SDK sends `Time` as epoch seconds; events carry it as an ISO string without milliseconds. */
function eventTime(time: unknown): string {
  const date = typeof time === 'number' ? new Date(time * 1000) : typeof time === 'string' ? new Date(time) : new Date();
  return (Number.isNaN(date.getTime()) ? new Date() : date).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function bytes(value: unknown): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(status >= 400 ? { 'x-amzn-errortype': (body as { __type: string }).__type } : {}) });
  res.end(JSON.stringify(body));
}
