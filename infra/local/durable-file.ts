import { mkdirSync } from 'node:fs';
import { appendFile, mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

let tempCounter = 0;

/**
 * Replaces `file` with `text` so that a crash at any moment leaves either the old or the new
 * content, never a mix: written to a temporary file beside it, flushed to disk, then renamed over
 * it (a rename within a folder is atomic).
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}-${++tempCounter}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

/**
 * A small JSON state kept in one file, rewritten atomically. Updates that arrive while a write is
 * under way are gathered into the next one; `save()` resolves once a write that includes every
 * change made before the call is on disk.
 */
export class AtomicJsonFile<T> {
  private chain: Promise<void> = Promise.resolve();
  private queued?: Promise<void>;

  constructor(
    readonly file: string,
    private readonly snapshot: () => T,
  ) {
    mkdirSync(dirname(file), { recursive: true });
  }

  save(): Promise<void> {
    if (this.queued) return this.queued;
    const write = this.chain.then(() => {
      // From here on, changes wait for the next write: this one takes the state as it is now.
      this.queued = undefined;
      return writeFileAtomically(this.file, `${JSON.stringify(this.snapshot(), null, 1)}\n`);
    });
    this.queued = write;
    this.chain = write.catch(() => undefined);
    return write;
  }
}

/** Appends JSON lines to a file (a record of what was set aside); never throws. */
export async function appendJsonLines(file: string, values: unknown[], log?: (line: string) => void): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await appendFile(file, values.map((v) => `${JSON.stringify(v)}\n`).join(''));
  } catch (error) {
    log?.(`could not append to ${file}: ${String(error)}`);
  }
}
