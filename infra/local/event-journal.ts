import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from './durable-file.ts';

/** One line of the journal: an accepted event with the targets its rules matched, or one target done with it. */
export type JournalLine<E> = { put: E; targets: string[] } | { done: string; target: string; deadLetter?: string };

export interface PendingEvent<E> {
  event: E;
  /** The targets that have not handled (or dead-lettered) the event yet. */
  targets: Set<string>;
}

export interface EventJournalOptions {
  /** Flush every write to disk (fdatasync) before it counts as written. @default true */
  sync?: boolean;
  /** Rewrite the journal with only the pending events once it is this big (and 4 times what was pending). @default 4 MiB */
  compactBytes?: number;
}

export const JOURNAL_FILE = 'journal.ndjson';

/**
 * The local bus's write-ahead journal: an append-only file of JSON lines in `dir`. An accepted
 * PutEvents entry is appended (`{"put": event, "targets": [...]}`) and flushed before PutEvents
 * answers; each target that has handled it, or dead-lettered it, appends `{"done": id, "target":
 * name}`. An event is pending while one of its targets is not done. Opening the journal replays
 * it (a torn last line from a crash is ignored) and rewrites it with only the pending events
 * (temporary file, flush, rename); while running it is rewritten that way whenever it grows past
 * `compactBytes`. Writes are group-committed: lines that arrive during a flush go out in the next.
 */
export class EventJournal<E extends { id: string }> {
  readonly file: string;
  private readonly pendingEvents = new Map<string, PendingEvent<E>>();
  private handle?: FileHandle;
  private bytes = 0;
  private compactedBytes = 0;
  private queue: string[] = [];
  private waiters: Array<(error?: Error) => void> = [];
  private writer?: Promise<void>;
  private loaded = false;

  constructor(
    readonly dir: string,
    private readonly options: EventJournalOptions = {},
  ) {
    this.file = join(dir, JOURNAL_FILE);
  }

  /** Opens the journal; the first time, replays and compacts it. Returns the pending events in their order. */
  async open(): Promise<PendingEvent<E>[]> {
    if (!this.loaded) {
      mkdirSync(this.dir, { recursive: true });
      for (const [id, pending] of replay<E>(existsSync(this.file) ? readFileSync(this.file, 'utf8') : '')) this.pendingEvents.set(id, pending);
      this.loaded = true;
      await this.rewrite();
    }
    this.handle ??= await open(this.file, 'a');
    return this.pending();
  }

  pending(): PendingEvent<E>[] {
    return [...this.pendingEvents.values()].map((p) => ({ event: p.event, targets: new Set(p.targets) }));
  }

  get size(): number {
    return this.pendingEvents.size;
  }

  /** Records accepted events; resolves once they are on disk. */
  accept(entries: Array<{ event: E; targets: string[] }>): Promise<void> {
    const lines: string[] = [];
    for (const { event, targets } of entries) {
      if (targets.length === 0) continue;
      this.pendingEvents.set(event.id, { event, targets: new Set(targets) });
      lines.push(`${JSON.stringify({ put: event, targets } satisfies JournalLine<E>)}\n`);
    }
    return this.write(lines);
  }

  /** Records that `target` is done with the event (handled, or dead-lettered with the error). */
  done(eventId: string, target: string, deadLetter?: string): Promise<void> {
    const pending = this.pendingEvents.get(eventId);
    if (pending) {
      pending.targets.delete(target);
      if (pending.targets.size === 0) this.pendingEvents.delete(eventId);
    }
    return this.write([`${JSON.stringify({ done: eventId, target, ...(deadLetter ? { deadLetter } : {}) } satisfies JournalLine<E>)}\n`]);
  }

  /** Waits for the writes under way, then closes the file (`open` reopens it). */
  async close(): Promise<void> {
    while (this.writer) await this.writer;
    await this.handle?.close();
    this.handle = undefined;
  }

  private write(lines: string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push(...lines);
      this.waiters.push((error) => (error ? reject(error) : resolve()));
      this.writer ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    // Never finish synchronously: `writer` is set by the caller before this clears it below.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const text = this.queue.splice(0).join('');
      const waiters = this.waiters.splice(0);
      try {
        if (!this.handle) throw new Error('The event journal is closed');
        await this.handle.write(text);
        if (this.options.sync ?? true) await this.handle.datasync();
        this.bytes += Buffer.byteLength(text);
        for (const done of waiters) done();
      } catch (error) {
        for (const done of waiters) done(error as Error);
      }
      if (this.handle && this.bytes > Math.max(this.options.compactBytes ?? 4 * 1024 * 1024, 4 * this.compactedBytes)) {
        await this.rewrite().catch(() => undefined);
      }
    }
    this.writer = undefined;
  }

  /** Replaces the journal with the pending events only: temporary file, flush, rename. */
  private async rewrite(): Promise<void> {
    const text = [...this.pendingEvents.values()].map((p) => `${JSON.stringify({ put: p.event, targets: [...p.targets] } satisfies JournalLine<E>)}\n`).join('');
    const reopen = Boolean(this.handle);
    await this.handle?.close();
    this.handle = undefined;
    try {
      await writeFileAtomically(this.file, text);
    } finally {
      // Failed or not, appends go on: into the new journal, or the old one, which is still whole.
      if (reopen) this.handle = await open(this.file, 'a');
    }
    this.bytes = this.compactedBytes = Buffer.byteLength(text);
  }
}

/** The pending events of a journal's text, in the order they were accepted. */
export function replay<E extends { id: string }>(text: string): Map<string, PendingEvent<E>> {
  const pending = new Map<string, PendingEvent<E>>();
  const finished = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let entry: JournalLine<E>;
    try {
      entry = JSON.parse(line) as JournalLine<E>;
    } catch {
      continue; // a line torn by a crash: its PutEvents was never answered
    }
    if ('put' in entry && entry.put && typeof entry.put.id === 'string' && Array.isArray(entry.targets)) {
      if (!pending.has(entry.put.id) && !finished.has(entry.put.id)) pending.set(entry.put.id, { event: entry.put, targets: new Set(entry.targets) });
    } else if ('done' in entry && typeof entry.done === 'string') {
      const event = pending.get(entry.done);
      event?.targets.delete(entry.target);
      if (event && event.targets.size === 0) {
        pending.delete(entry.done);
        finished.add(entry.done);
      }
    }
  }
  return pending;
}
