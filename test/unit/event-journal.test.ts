import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalEventBus, type BusEvent, type DeadLetter } from '#infra/local/event-bus';
import { JOURNAL_FILE, replay } from '#infra/local/event-journal';
import { waitFor } from '../support/wait.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'crm-journal-'));
const lines = (journalDir: string) => readFileSync(join(journalDir, JOURNAL_FILE), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const client = (url: string) => new EventBridgeClient({ endpoint: url, region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const put = (url: string, keys: string[]) =>
  client(url).send(new PutEventsCommand({ Entries: keys.map((eventKey) => ({ Source: 'crm.contacts', DetailType: 'ContactCreated', Detail: JSON.stringify({ tenantId: 't', eventKey }) })) }));
const keyOf = (event: BusEvent) => event.detail.eventKey as string;

const buses: LocalEventBus[] = [];
function bus(options: Partial<ConstructorParameters<typeof LocalEventBus>[0]> = {}) {
  const created = new LocalEventBus({ port: 0, ...options });
  buses.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.stop()));
});

describe('the bus journal', () => {
  it('replays to the events some target is not done with, ignoring a torn last line', () => {
    const event = (id: string) => ({ id, detail: {} });
    const text = [
      { put: event('a'), targets: ['contacts'] },
      { put: event('b'), targets: ['contacts', 'deals'] },
      { put: event('c'), targets: ['contacts'] },
      { done: 'a', target: 'contacts' },
      { done: 'b', target: 'deals', deadLetter: 'Boom' },
      { put: event('a'), targets: ['contacts'] }, // written again by a compaction: still done
    ].map((l) => JSON.stringify(l)).join('\n');
    const pending = replay(`${text}\n{"put": {"id": "d", "deta`);
    expect([...pending.entries()].map(([id, p]) => [id, [...p.targets]])).toEqual([
      ['b', ['contacts']],
      ['c', ['contacts']],
    ]);
  });

  it('has an acknowledged event on disk before PutEvents answers, and takes it off once the target handled it', async () => {
    const journalDir = dir();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const delivered: string[] = [];
    const b = bus({ journalDir });
    b.addTarget('contacts', { source: ['crm.contacts'] }, async (event) => {
      await gate;
      delivered.push(keyOf(event));
    });
    const url = await b.start();
    const answer = await put(url, ['k1', 'k2']);
    expect(answer.FailedEntryCount).toBe(0);
    expect(lines(journalDir).map((l) => [l.put?.id, l.put?.detail.eventKey, l.targets])).toEqual(answer.Entries!.map((e, i) => [e.EventId, `k${i + 1}`, ['contacts']]));
    expect(b.pendingCount()).toBe(2);
    release();
    await b.idle();
    expect(delivered.sort()).toEqual(['k1', 'k2']);
    expect(b.pendingCount()).toBe(0);
    expect(replay(readFileSync(join(journalDir, JOURNAL_FILE), 'utf8')).size).toBe(0);
  });

  it('redelivers after a crash (SIGKILL) what the killed bus had accepted and not finished', async () => {
    const journalDir = dir();
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../support/bus-process.ts'), journalDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const { url } = await new Promise<{ url: string }>((resolve, reject) => {
      child.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString())));
      child.once('exit', (code) => reject(new Error(`the bus process exited (${code})`)));
    });
    const answers = await Promise.all([put(url, ['c1', 'c2', 'c3']), put(url, ['c4'])]);
    const ids = answers.flatMap((a) => a.Entries!.map((e) => e.EventId));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const delivered: BusEvent[] = [];
    const next = bus({ journalDir });
    next.addTarget('contacts', { source: ['crm.contacts'] }, async (event) => void delivered.push(event));
    await next.start();
    await waitFor(() => (delivered.length >= 4 ? true : undefined), 'the redelivered events');
    await next.idle();
    expect(delivered.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(delivered.map(keyOf).sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(next.recent().map((d) => d.targets)).toEqual([['contacts'], ['contacts'], ['contacts'], ['contacts']]);
    expect(next.pendingCount()).toBe(0);
  }, 30_000);

  it('keeps events for a rule without target until the target is set, and across a stop', async () => {
    const journalDir = dir();
    const delivered: string[] = [];
    const first = bus({ journalDir });
    first.addTarget('contacts', { source: ['crm.contacts'] });
    const url = await first.start();
    await put(url, ['w1', 'w2']);
    await first.idle();
    expect(first.pendingCount()).toBe(2);
    await first.stop();

    const second = bus({ journalDir });
    second.addTarget('contacts', { source: ['crm.contacts'] });
    await second.start();
    await second.idle();
    expect(delivered).toEqual([]);
    second.setTarget('contacts', async (event) => void delivered.push(keyOf(event)));
    await second.idle();
    expect(delivered.sort()).toEqual(['w1', 'w2']);
  });

  it('leaves waiting events journaled when stopped, and delivers them when started again', async () => {
    const journalDir = dir();
    const delivered: string[] = [];
    const b = bus({ journalDir, concurrency: 1 });
    b.addTarget('contacts', { source: ['crm.contacts'] }, async (event) => {
      await new Promise((r) => setTimeout(r, 30));
      delivered.push(keyOf(event));
    });
    const url = await b.start();
    await put(url, ['s1', 's2', 's3', 's4', 's5']);
    await b.stop();
    expect(delivered.length).toBeLessThan(5);
    expect(b.pendingCount()).toBe(5 - delivered.length);
    await b.start();
    await b.idle();
    expect(delivered).toEqual(['s1', 's2', 's3', 's4', 's5']);
    expect(b.pendingCount()).toBe(0);
  });

  it('hands a dead letter to onDeadLetter, keeps it in dead-letters.ndjson, and takes the event off the journal', async () => {
    const journalDir = dir();
    const letters: DeadLetter[] = [];
    const b = bus({ journalDir, maxAttempts: 2, onDeadLetter: async (letter) => void letters.push(letter) });
    let attempts = 0;
    b.addTarget('contacts', { source: ['crm.contacts'] }, async () => {
      attempts++;
      throw new Error('Throttling');
    });
    const url = await b.start();
    await put(url, ['d1']);
    await waitFor(() => (letters.length > 0 ? true : undefined), 'the dead letter');
    await b.idle();
    expect(attempts).toBe(2);
    expect(letters).toEqual([{ target: 'contacts', event: expect.objectContaining({ detail: { tenantId: 't', eventKey: 'd1' } }), error: 'Error: Throttling' }]);
    expect(b.deadLetters).toHaveLength(1);
    expect(b.pendingCount()).toBe(0);
    const kept = readFileSync(join(journalDir, 'dead-letters.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(kept).toEqual([expect.objectContaining({ target: 'contacts', error: 'Error: Throttling', event: expect.objectContaining({ id: letters[0]!.event.id }) })]);
  });

  it('rewrites a grown journal with only the pending events', async () => {
    const journalDir = dir();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = bus({ journalDir, journal: { compactBytes: 4_000 } });
    b.addTarget('contacts', { source: ['crm.contacts'] }, async (event) => {
      if (keyOf(event) === 'held') await gate;
    });
    const url = await b.start();
    try {
      await put(url, ['held']);
      for (let i = 0; i < 20; i++) await put(url, Array.from({ length: 10 }, (_, j) => `m${i}-${j}`));
      // The done lines are written just after the deliveries: wait for the file, not the memory.
      const onDisk = () => [...replay<BusEvent>(readFileSync(join(journalDir, JOURNAL_FILE), 'utf8')).values()].map((p) => keyOf(p.event));
      await waitFor(() => (onDisk().length === 1 ? true : undefined), 'all but the held event done on disk');
      expect(onDisk()).toEqual(['held']);
      // 201 events of about 250 bytes, put and done: far more than 4 KB had the journal not been rewritten.
      expect(statSync(join(journalDir, JOURNAL_FILE)).size).toBeLessThan(8_000);
    } finally {
      release();
    }
  });

  it('refuses the entries it could not journal, so the publisher retries them', async () => {
    const journalDir = dir();
    const b = bus({ journalDir });
    b.addTarget('contacts', { source: ['crm.contacts'] }, async () => undefined);
    const url = await b.start();
    // A journal that cannot be written (a full disk, say): closed behind the bus's back.
    await (b as unknown as { journal: { close(): Promise<void> } }).journal.close();
    const answer = await put(url, ['r1']);
    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries).toEqual([{ ErrorCode: 'InternalFailure', ErrorMessage: 'The event could not be stored; retry it.' }]);
    expect(b.recent()).toEqual([]);
  });
});
