import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Runs the official DynamoDB Local jar, as shipped inside the `amplify-dynamodb-simulator` npm
 * package (nothing is downloaded). Streams work in this version (1.25).
 *
 * DynamoDB Local never outlives the Node process that started it, however that process ends:
 * - the jar runs under a small guard process (plain Node, its own process group, so Ctrl-C in a
 *   terminal reaches only the stack) that stops Java as soon as its stdin, a pipe from the parent,
 *   closes: on `stop()`, on a normal exit, and when the parent is killed (SIGKILL, out of memory);
 * - with a `dbPath`, a pid file beside the database names Java, the guard and the owner, so the
 *   next start finds a DynamoDB Local left behind anyway (the guard killed too) and stops it,
 *   after checking by its command line that it is a DynamoDB Local on this very folder.
 */
export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The Java process. */
  pid: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  port: number;
  /** Folder for the database file; omitted means in memory (tests). */
  dbPath?: string;
  log?: (line: string) => void;
}

/** Beside the database file: `{ pid, guard, owner, port, dbPath, startedAt }`. */
export const PID_FILE = 'dynamodb-local.pid';

export interface PidFile {
  /** DynamoDB Local (Java). */
  pid: number;
  /** The guard process that stops Java when the owner goes. */
  guard: number;
  /** The Node process that started it. */
  owner: number;
  port: number;
  dbPath: string;
  startedAt: string;
}

const GUARD_MARKER = 'crm-dynamodb-local-guard';

/**
 * The guard, run with `node -e`: starts the command given as JSON in argv[1], reports its pid on
 * fd 3, and stops it (SIGTERM, then SIGKILL after 5 s) when stdin closes or on SIGTERM/SIGHUP.
 * It exits with the command's exit code. Ctrl-C is the parent's business, not the guard's.
 */
const GUARD_SOURCE = `/* ${GUARD_MARKER} */
const { spawn } = require('node:child_process');
const { writeSync, closeSync } = require('node:fs');
const spec = JSON.parse(process.argv[1]);
const child = spawn(spec.command, spec.args, { cwd: spec.cwd, stdio: ['ignore', 'inherit', 'inherit'] });
child.once('error', (error) => { process.stderr.write(String(error) + '\\n'); process.exit(127); });
try { writeSync(3, JSON.stringify({ pid: child.pid }) + '\\n'); closeSync(3); } catch {}
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  }
};
child.once('exit', (code, signal) => process.exit(code === null ? (signal === 'SIGTERM' ? 0 : 1) : code));
process.stdin.on('data', () => {});
process.stdin.once('end', stop);
process.stdin.once('error', stop);
process.once('SIGTERM', stop);
process.once('SIGHUP', stop);
process.on('SIGINT', () => {});
`;

export function emulatorDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'Java was not found. DynamoDB Local needs Java 17 or newer: install it (e.g. `apt-get install openjdk-17-jre-headless`) and make sure `java` is on the PATH.',
    );
  }
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  assertJava();
  const log = options.log;
  const pidFile = options.dbPath ? join(options.dbPath, PID_FILE) : undefined;
  if (options.dbPath) {
    mkdirSync(options.dbPath, { recursive: true });
    await stopLeftBehind(pidFile!, options.dbPath, log);
  }
  if (await canConnect(options.port)) {
    throw new Error(`Port ${options.port} is already in use (another DynamoDB Local?); stop it or choose another port with DYNAMODB_PORT.`);
  }
  const dir = emulatorDir();
  const storage = options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory'];
  const args = ['-Xmx512m', `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-jar', join(dir, 'DynamoDBLocal.jar'), '-sharedDb', '-port', String(options.port), ...storage];
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // the guard is plain JavaScript: no loaders
  const guard = spawn(process.execPath, ['-e', GUARD_SOURCE, JSON.stringify({ command: 'java', args, cwd: dir })], {
    cwd: dir,
    env,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) (log ?? ((l) => output.push(l)))(line);
  };
  guard.stdout?.on('data', collect);
  guard.stderr?.on('data', collect);
  // A parent that dies takes the pipe with it: the guard stops Java. An error on it changes nothing.
  guard.stdin?.on('error', () => undefined);

  const pid = await javaPid(guard, () => output.join('\n'));
  if (pidFile) writeAtomically(pidFile, JSON.stringify({ pid, guard: guard.pid!, owner: process.pid, port: options.port, dbPath: options.dbPath!, startedAt: new Date().toISOString() } satisfies PidFile));
  // A normal exit (process.exit included) stops Java at once, without waiting for the guard.
  const killOnExit = () => {
    kill(pid, 'SIGKILL');
    kill(guard.pid, 'SIGKILL');
    if (pidFile) removePidFile(pidFile, pid);
  };
  process.once('exit', killOnExit);
  guard.once('exit', () => {
    process.removeListener('exit', killOnExit);
    if (pidFile) removePidFile(pidFile, pid);
  });

  await waitForPort(options.port, guard, pid, () => output.join('\n'));
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    port: options.port,
    pid,
    stop: () => stopGuard(guard, pid),
  };
}

/** Reads the Java pid the guard reports on fd 3. */
function javaPid(guard: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const channel = guard.stdio[3] as Readable;
    const onExit = (code: number | null) => reject(new Error(`DynamoDB Local could not be started (exit ${code}):\n${output()}`));
    guard.once('exit', onExit);
    channel.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n')[0];
      if (text.includes('\n')) {
        guard.removeListener('exit', onExit);
        channel.destroy();
        const pid = Number((JSON.parse(line!) as { pid?: number }).pid);
        if (pid > 0) resolve(pid);
        else reject(new Error(`DynamoDB Local could not be started:\n${output()}`));
      }
    });
  });
}

/**
 * Stops a DynamoDB Local that an earlier start on this folder left running, if the pid file names
 * one that is really ours (a DynamoDB Local on this `dbPath`, by its command line). One whose owner
 * and guard still live belongs to a running stack: that is an error, not a leftover.
 */
async function stopLeftBehind(pidFile: string, dbPath: string, log?: (line: string) => void): Promise<void> {
  const previous = readPidFile(pidFile);
  if (!previous) return;
  const ours = () => isAlive(previous.pid) && isDynamoDbLocalOn(previous.pid, dbPath);
  // One that is just exiting (its command line already gone) may hold its port a moment longer.
  const released = async () => {
    removePidFile(pidFile, previous.pid);
    await waitUntil(async () => !(await canConnect(previous.port)), 5_000);
  };
  if (!ours()) return released();
  const guarded = () => Boolean(previous.guard) && isAlive(previous.guard) && (commandLineOf(previous.guard) ?? '').includes(GUARD_MARKER);
  if (guarded()) {
    if (isAlive(previous.owner)) {
      throw new Error(`DynamoDB Local on ${dbPath} (pid ${previous.pid}) belongs to a running stack (pid ${previous.owner}); stop that one first, or use another LOCAL_DATA_DIR.`);
    }
    // Its owner has just died and the guard is stopping Java: give it a moment.
    await waitUntil(() => !ours(), 8_000);
    if (!ours()) return released();
  }
  log?.(`[dynamodb-local] stopping DynamoDB Local pid ${previous.pid} left behind on ${dbPath}`);
  kill(previous.pid, 'SIGTERM');
  if (!(await waitUntil(() => !isAlive(previous.pid), 5_000))) {
    kill(previous.pid, 'SIGKILL');
    await waitUntil(() => !isAlive(previous.pid), 5_000);
  }
  if (previous.guard && guarded()) kill(previous.guard, 'SIGKILL');
  await released();
}

export function readPidFile(pidFile: string): PidFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(pidFile, 'utf8')) as PidFile;
    return Number.isInteger(parsed.pid) && parsed.pid > 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the pid file if it still names `pid` (a newer start may have replaced it). */
function removePidFile(pidFile: string, pid: number): void {
  try {
    if (readPidFile(pidFile)?.pid === pid) unlinkSync(pidFile);
  } catch {
    // gone already
  }
}

function isDynamoDbLocalOn(pid: number, dbPath: string): boolean {
  const command = commandLineOf(pid);
  return command?.includes('DynamoDBLocal.jar') === true && command.includes(`-dbPath ${dbPath}`);
}

/** The process's command line, arguments separated by spaces (Linux: /proc; elsewhere: ps). */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    const ps = spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    return ps.status === 0 && ps.stdout.trim() ? ps.stdout.trim() : undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function kill(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

async function waitForPort(port: number, guard: ChildProcess, pid: number, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (guard.exitCode !== null || guard.signalCode !== null) throw new Error(`DynamoDB Local exited with code ${guard.exitCode}:\n${output()}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  kill(pid, 'SIGKILL');
  guard.kill('SIGKILL');
  throw new Error(`DynamoDB Local did not listen on port ${port} within ${timeoutMs} ms:\n${output()}`);
}

/** A TCP port nothing listens on right now (for a DynamoDB Local of one's own). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Closes the guard's stdin (it stops Java and exits); SIGKILL for both after 8 s. */
function stopGuard(guard: ChildProcess, pid: number): Promise<void> {
  if (guard.exitCode !== null || guard.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      kill(pid, 'SIGKILL');
      guard.kill('SIGKILL');
    }, 8_000);
    guard.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    guard.stdin?.end();
  });
}
