import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { compilePattern, InvalidPatternError, type CompiledPattern } from '#shared/patterns/compile';
import { matchesPattern } from '#shared/patterns/match';
import { appendJsonLines } from './durable-file.ts';
import { EventJournal, type EventJournalOptions } from './event-journal.ts';

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
  /** Set on an event a replay delivered again, as EventBridge sets it. */
  'replay-name'?: string;
}

/** Which archived events a replay delivers again: a time window (`from` included, `to` not) and optionally one event type. */
export interface ReplayRequest {
  from: Date;
  to: Date;
  detailType?: string;
  name?: string;
}

export interface DeliveredEvent {
  event: BusEvent;
  /** The targets whose rule matched. */
  targets: string[];
}

export interface DeadLetter {
  target: string;
  event: BusEvent;
  error: string;
}

interface Target {
  name: string;
  pattern: CompiledPattern;
  /** Unset until the rule's target exists: its events wait (and stay in the journal) until then. */
  deliver?: (event: BusEvent) => Promise<void>;
  /** Deliveries under way, and the events waiting for a slot. */
  inFlight: Set<Promise<void>>;
  queue: BusEvent[];
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
  /**
   * Folder of the journal (`journal.ndjson`) and of the dead letters (`dead-letters.ndjson`). With
   * it, an accepted event stays on disk until every matched target has handled or dead-lettered
   * it, and a start redelivers the ones still pending. Without it, events live only in memory.
   */
  journalDir?: string;
  /** Whether the journal flushes each write to disk (default true), and when it is compacted. */
  journal?: EventJournalOptions;
  /**
   * Called when a delivery is dead-lettered, before the event is taken off the journal: the local
   * stand-in for what consumes the target's on-failure destination in AWS.
   */
  onDeadLetter?: (letter: DeadLetter) => Promise<void>;
  log?: (line: string) => void;
}

const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * EventBridge on this machine: speaks the AWS JSON 1.1 protocol of `PutEvents` and
 * `TestEventPattern`, so the real EventBridgeClient (or the AWS CLI) talks to it, validates
 * entries as AWS does, and hands each event to every target whose rule pattern matches, in order
 * per target, with retries; what still fails lands in `deadLetters` (and `onDeadLetter`).
 *
 * With a `journalDir` the bus loses nothing it acknowledged: accepted entries are journaled (and
 * flushed) before PutEvents answers, an event leaves the journal only when each of its targets has
 * handled or dead-lettered it, and `start()` redelivers whatever was pending when the process
 * ended, a crash included. A redelivery may repeat a delivery that was under way; the runners'
 * claims make that harmless. Events wait while their rule has no target yet or the bus is stopped.
 */
export class LocalEventBus {
  private server?: Server;
  private readonly targets: Target[] = [];
  private readonly delivered: DeliveredEvent[] = [];
  readonly deadLetters: DeadLetter[] = [];
  /** Every event the bus accepted, as the AWS bus's archive keeps them (on disk with a `journalDir`). */
  private readonly archived: BusEvent[] = [];
  private readonly journal?: EventJournal<BusEvent>;
  private delivering = false;
  private journalOpened = false;
  url = '';
  /** Sees the events of each PutEvents once they are accepted (journaled), before delivery: the bench times the pipeline's hops by it. */
  onAccepted?: (events: readonly BusEvent[]) => void;

  constructor(private readonly options: LocalEventBusOptions) {
    if (options.journalDir) this.journal = new EventJournal(options.journalDir, options.journal);
  }

  /** Adds a rule with its target, as a bus rule does in AWS; without `deliver`, its events wait for `setTarget`. */
  addTarget(name: string, pattern: unknown, deliver?: (event: BusEvent) => Promise<void>): void {
    this.targets.push({ name, pattern: compilePattern(pattern), deliver, inFlight: new Set(), queue: [] });
  }

  /** Sets (or replaces) the target of a rule added before; events waiting for it go out now. */
  setTarget(name: string, deliver: (event: BusEvent) => Promise<void>): void {
    const target = this.targets.find((t) => t.name === name);
    if (!target) throw new Error(`No rule ${name}`);
    target.deliver = deliver;
    this.pump(target);
  }

  recent(): DeliveredEvent[] {
    return [...this.delivered];
  }

  /** Events accepted and not yet done by every target (journaled ones, with a `journalDir`). */
  pendingCount(): number {
    return this.journal?.size ?? this.targets.reduce((n, t) => n + t.queue.length + t.inFlight.size, 0);
  }

  /** Resolves once every delivery queued so far has finished (tests use it to wait); waiting events of a stopped bus or of a rule without target do not count. */
  async idle(): Promise<void> {
    const busy = (t: Target) => t.inFlight.size > 0 || (this.delivering && t.deliver !== undefined && t.queue.length > 0);
    while (this.targets.some(busy)) {
      await Promise.all(this.targets.flatMap((t) => [...t.inFlight]));
      await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * Starts listening and delivering; a restart binds the port it had before, so clients keep their
   * endpoint. The first start redelivers the events the journal still holds.
   */
  async start(): Promise<string> {
    if (this.journal) {
      const pending = await this.journal.open();
      if (!this.journalOpened && pending.length > 0) this.redeliver(pending);
      this.journalOpened = true;
    }
    const port = this.url ? Number(new URL(this.url).port) : this.options.port;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => reply(res, 500, { __type: 'InternalException', message: String(error) }));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.delivering = true;
    for (const target of this.targets) this.pump(target);
    return this.url;
  }

  /** Stops listening and starting deliveries, and waits for those under way; what waits stays journaled. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections?.();
    this.delivering = false;
    await this.idle();
    await this.journal?.close();
  }

  private redeliver(pending: Array<{ event: BusEvent; targets: Set<string> }>): void {
    this.options.log?.(`[bus] redelivering ${pending.length} event(s) the journal still holds`);
    for (const { event, targets } of pending) {
      const matched = this.targets.filter((t) => targets.has(t.name));
      for (const name of targets) {
        if (!matched.some((t) => t.name === name)) void this.journal!.done(event.id, name, `No rule ${name} any more`).catch(() => undefined);
      }
      this.record(event, matched, ' (redelivered)');
      for (const target of matched) this.enqueue(target, event);
    }
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

  private async putEvents(input: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      return reply(res, 400, { __type: 'ValidationException', message: '1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must have length between 1 and 10' });
    }
    const size = entries.reduce((n: number, e: Record<string, unknown>) => n + 14 + bytes(e.Source) + bytes(e.DetailType) + bytes(e.Detail), 0);
    if (size > MAX_REQUEST_BYTES) return reply(res, 400, { __type: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' });

    const accepted: Array<{ event: BusEvent; targets: Target[]; index: number }> = [];
    const results: Array<{ EventId: string } | { ErrorCode: string; ErrorMessage: string }> = entries.map((entry: Record<string, unknown>, index: number) => {
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
      accepted.push({ event, targets: this.targets.filter((t) => matchesPattern(t.pattern, event)), index });
      return { EventId: event.id };
    });
    try {
      // On disk before the answer: an acknowledged event survives a crash.
      await this.journal?.accept(accepted.map(({ event, targets }) => ({ event, targets: targets.map((t) => t.name) })));
    } catch (error) {
      this.options.log?.(`[bus] could not journal ${accepted.length} event(s): ${String(error)}`);
      for (const { index } of accepted) results[index] = { ErrorCode: 'InternalFailure', ErrorMessage: 'The event could not be stored; retry it.' };
      accepted.length = 0;
    }
    await this.archive(accepted.map(({ event }) => event));
    this.onAccepted?.(accepted.map(({ event }) => event));
    for (const { event, targets } of accepted) this.route(event, targets);
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

  private async archive(events: BusEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (this.options.journalDir) await appendJsonLines(join(this.options.journalDir, 'archive.ndjson'), events, this.options.log);
    else this.archived.push(...events);
  }

  private async archivedEvents(): Promise<BusEvent[]> {
    if (!this.options.journalDir) return [...this.archived];
    return readJsonLines<BusEvent>(join(this.options.journalDir, 'archive.ndjson'));
  }

  /**
   * Delivers the archived events of a window again to the rules that match them now (as
   * EventBridge's StartReplay does, with `replay-name` set), journaled like new events. The
   * runners' claims make it safe: a run that happened is not run again; what never ran (a runner
   * that failed on every delivery, a rule added since) runs now. Returns how many were replayed.
   */
  async replay(request: ReplayRequest): Promise<number> {
    const name = request.name ?? `replay-${new Date().toISOString()}`;
    const chosen = (await this.archivedEvents()).filter((e) => {
      const at = Date.parse(e.time);
      return at >= request.from.getTime() && at < request.to.getTime() && (!request.detailType || e['detail-type'] === request.detailType) && !e['replay-name'];
    });
    const again = chosen.map((e) => ({ event: { ...e, id: randomUUID(), 'replay-name': name } as BusEvent, targets: [] as Target[] }));
    for (const entry of again) entry.targets = this.targets.filter((t) => matchesPattern(t.pattern, entry.event));
    await this.journal?.accept(again.map(({ event, targets }) => ({ event, targets: targets.map((t) => t.name) })));
    for (const { event, targets } of again) this.route(event, targets);
    this.options.log?.(`[bus] replay ${name}: ${again.length} event(s)`);
    return again.length;
  }

  /**
   * Delivers the dead letters again, each to the rule it failed for (as a redrive of the rules'
   * dead-letter queue does); the letters redriven leave the dead-letter file. Returns how many.
   */
  async redrive(): Promise<number> {
    const file = this.options.journalDir ? join(this.options.journalDir, 'dead-letters.ndjson') : undefined;
    const letters = file ? await readJsonLines<DeadLetter>(file) : [...this.deadLetters];
    this.deadLetters.length = 0;
    if (file) await rm(file, { force: true });
    const again = letters.flatMap((letter) => {
      const target = this.targets.find((t) => t.name === letter.target);
      return target ? [{ event: letter.event, target }] : [];
    });
    await this.journal?.accept(again.map(({ event, target }) => ({ event, targets: [target.name] })));
    for (const { event, target } of again) {
      this.record(event, [target], ' (redriven)');
      this.enqueue(target, event);
    }
    return again.length;
  }

  private route(event: BusEvent, matched: Target[]): void {
    this.record(event, matched);
    for (const target of matched) this.enqueue(target, event);
  }

  private record(event: BusEvent, matched: Target[], note = ''): void {
    this.delivered.push({ event, targets: matched.map((t) => t.name) });
    if (this.delivered.length > (this.options.keep ?? 500)) this.delivered.shift();
    const key = (event.detail.eventKey as string | undefined) ?? event.id;
    this.options.log?.(`[bus] ${event.source} ${event['detail-type']} tenant=${String(event.detail.tenantId)} key=${key} -> ${matched.map((t) => t.name).join(',') || '(no rule)'}${note}`);
  }

  private enqueue(target: Target, event: BusEvent): void {
    target.queue.push(event);
    this.pump(target);
  }

  /** Starts deliveries from the target's queue while there are free slots. */
  private pump(target: Target): void {
    const deliver = target.deliver;
    while (this.delivering && deliver && target.queue.length > 0 && target.inFlight.size < (this.options.concurrency ?? 16)) {
      const event = target.queue.shift()!;
      const delivery = this.deliver(target, deliver, event).finally(() => {
        target.inFlight.delete(delivery);
        this.pump(target);
      });
      target.inFlight.add(delivery);
    }
  }

  /** Delivers with retries; done (in the journal) once handled or dead-lettered. */
  private async deliver(target: Target, deliver: (event: BusEvent) => Promise<void>, event: BusEvent): Promise<void> {
    const attempts = this.options.maxAttempts ?? 3;
    let deadLetter: string | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        await deliver(event);
        break;
      } catch (error) {
        if (attempt >= attempts) {
          deadLetter = String(error);
          await this.deadLetter({ target: target.name, event, error: deadLetter }, attempt);
          break;
        }
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    await this.journal?.done(event.id, target.name, deadLetter).catch((error) => {
      // Still pending on disk: a restart delivers it again, which the claims make harmless.
      this.options.log?.(`[bus] could not mark ${event.id} done for ${target.name}: ${String(error)}`);
    });
  }

  private async deadLetter(letter: DeadLetter, attempts: number): Promise<void> {
    this.deadLetters.push(letter);
    this.options.log?.(`[bus] delivery to ${letter.target} failed ${attempts} times, dead-lettered: ${letter.error}`);
    if (this.options.journalDir) await appendJsonLines(join(this.options.journalDir, 'dead-letters.ndjson'), [{ at: new Date().toISOString(), ...letter }], this.options.log);
    if (!this.options.onDeadLetter) return;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.options.onDeadLetter(letter);
      } catch (error) {
        if (attempt >= 3) {
          this.options.log?.(`[bus] the dead-letter handler failed for ${letter.event.id}: ${String(error)}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
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

/** The values of a JSON-lines file (none when it does not exist; a torn last line is skipped). */
async function readJsonLines<T>(file: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    if (!line.trim()) return [];
    try {
      return [JSON.parse(line) as T];
    } catch {
      return [];
    }
  });
}
