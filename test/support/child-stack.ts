import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '#infra/local/dynamodb-local';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildStackPorts {
  api: number;
  dynamo: number;
  bus: number;
  ses: number;
  scheduler: number;
  smtp: number;
}

export async function freePorts(): Promise<ChildStackPorts> {
  return { api: await freePort(), dynamo: await freePort(), bus: await freePort(), ses: await freePort(), smtp: await freePort(), scheduler: await freePort() };
}

/**
 * `npm start` as a child process of its own (one Node process, tsx loaded with `--import`, so a
 * SIGKILL hits the process that runs the stack), on the given data folder and ports.
 */
export class ChildStack {
  private output: string[] = [];
  private constructor(
    readonly process: ChildProcess,
    readonly ports: ChildStackPorts,
  ) {}

  get apiUrl() {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  get sesUrl() {
    return `http://127.0.0.1:${this.ports.ses}`;
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** The last lines the child printed (for failure messages). */
  tail(lines = 40): string {
    return this.output.slice(-lines).join('\n');
  }

  static async start(dataDir: string, ports: ChildStackPorts, timeoutMs = 60_000): Promise<ChildStack> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value === undefined || key === 'NODE_OPTIONS' || key.startsWith('VITEST')) continue;
      env[key] = value;
    }
    Object.assign(env, {
      LOCAL_DATA_DIR: dataDir,
      API_PORT: String(ports.api),
      DYNAMODB_PORT: String(ports.dynamo),
      EVENTBRIDGE_PORT: String(ports.bus),
      SES_PORT: String(ports.ses),
      SMTP_PORT: String(ports.smtp),
      SCHEDULER_PORT: String(ports.scheduler),
      STREAM_POLL_MS: '20',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'infra/local/start.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stack = new ChildStack(child, ports);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not come up within ${timeoutMs} ms:\n${stack.tail()}`)), timeoutMs);
      const collect = (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) {
          if (!line) continue;
          stack.output.push(line);
          if (stack.output.length > 2_000) stack.output.splice(0, 1_000);
          if (line.includes('Press Ctrl-C to stop.')) {
            clearTimeout(timer);
            resolve();
          }
        }
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited (${code ?? signal}) before it was up:\n${stack.tail()}`));
      });
    });
    return stack;
  }

  /** SIGKILL, as a crash or the OOM killer would; resolves once the process is gone. */
  async kill9(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGKILL');
    await exited;
  }

  /** Ctrl-C: the graceful stop. */
  async interrupt(timeoutMs = 30_000): Promise<number | null> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return this.process.exitCode;
    const exited = new Promise<number | null>((resolve) => this.process.once('exit', (code) => resolve(code)));
    this.process.kill('SIGINT');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}

/** The DynamoDB Local processes (Java, not their guards) serving the database files under `dbPath`. */
export function dynamoProcessesFor(dbPath: string): number[] {
  const result = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return result.stdout
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null && /^\S*java\s/.test(m[2]!) && m[2]!.includes('DynamoDBLocal.jar') && m[2]!.includes(dbPath))
    .map((m) => Number(m[1]));
}

export { isAlive } from '#infra/local/dynamodb-local';

/** The pid file the local stack keeps beside the DynamoDB Local database, if any. */
export function readPidFile(dbPath: string): { pid: number; guard?: number; owner?: number } | undefined {
  try {
    return JSON.parse(readFileSync(join(dbPath, 'dynamodb-local.pid'), 'utf8'));
  } catch {
    return undefined;
  }
}
