import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandLineOf, freePort, isAlive, PID_FILE, readPidFile, startDynamoDbLocal, type DynamoDbLocal } from '#infra/local/dynamodb-local';
import { waitFor } from '../support/wait.ts';

const owners: ChildProcess[] = [];
const started: DynamoDbLocal[] = [];
afterAll(async () => {
  for (const owner of owners) owner.kill('SIGKILL');
  await Promise.all(started.map((d) => d.stop()));
});

/** A Node process of its own that starts DynamoDB Local on `dbPath`; resolves with Java's pid. */
async function owner(dbPath: string): Promise<{ process: ChildProcess; java: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../support/dynamo-owner.ts'), dbPath, String(await freePort())], { stdio: ['ignore', 'pipe', 'inherit'] });
  owners.push(child);
  const java = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { pid: number }).pid));
    child.once('exit', (code) => reject(new Error(`the owner exited (${code})`)));
  });
  return { process: child, java };
}

const kill9 = async (child: ChildProcess) => {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
};
const gone = (pid: number) => waitFor(() => (isAlive(pid) ? undefined : true), `pid ${pid} to end`, 15_000);
const folder = () => join(mkdtempSync(join(tmpdir(), 'crm-ddb-')), 'dynamodb');

describe('DynamoDB Local is tied to the process that started it', () => {
  it('ends when that process is killed with SIGKILL, and a pid file naming another process is left alone', async () => {
    const dbPath = folder();
    const { process: child, java } = await owner(dbPath);
    expect(commandLineOf(java)).toContain(`-dbPath ${dbPath}`);
    expect(readPidFile(join(dbPath, PID_FILE))).toMatchObject({ pid: java, owner: child.pid, dbPath });
    await kill9(child);
    await gone(java);

    // A pid file whose pid is no DynamoDB Local on this folder (here: this test's own process) is stale.
    writeFileSync(join(dbPath, PID_FILE), JSON.stringify({ pid: process.pid, guard: process.pid, owner: process.pid, port: 1, dbPath, startedAt: '' }));
    const dynamo = await startDynamoDbLocal({ port: await freePort(), dbPath });
    started.push(dynamo);
    expect(readPidFile(join(dbPath, PID_FILE))).toMatchObject({ pid: dynamo.pid, owner: process.pid });
    await dynamo.stop();
    await gone(dynamo.pid);
    expect(existsSync(join(dbPath, PID_FILE))).toBe(false);
  }, 60_000);

  it('is stopped by the next start on its folder when it was left behind, and refused while its stack runs', async () => {
    const dbPath = folder();
    const { process: child, java } = await owner(dbPath);
    const { guard } = readPidFile(join(dbPath, PID_FILE))!;
    // The guard dies first (say, the OOM killer took it), then the owner: Java is left behind.
    process.kill(guard, 'SIGKILL');
    await kill9(child);
    await new Promise((r) => setTimeout(r, 500));
    expect(isAlive(java)).toBe(true);

    const logs: string[] = [];
    const dynamo = await startDynamoDbLocal({ port: await freePort(), dbPath, log: (line) => logs.push(line) });
    started.push(dynamo);
    expect(isAlive(java)).toBe(false);
    expect(logs.some((l) => l.includes(`stopping DynamoDB Local pid ${java} left behind`))).toBe(true);
    expect(readPidFile(join(dbPath, PID_FILE))?.pid).toBe(dynamo.pid);

    await expect(startDynamoDbLocal({ port: await freePort(), dbPath })).rejects.toThrow(/belongs to a running stack/);
    expect(isAlive(dynamo.pid)).toBe(true);
    await dynamo.stop();
    expect(existsSync(join(dbPath, PID_FILE))).toBe(false);
  }, 60_000);
});
