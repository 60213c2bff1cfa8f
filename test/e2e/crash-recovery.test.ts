import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DevAuth } from '#infra/local/dev-auth';
import { verifyDomainLocally } from '#infra/local/ses-v2';
import { ChildStack, dynamoProcessesFor, freePorts, isAlive, readPidFile } from '../support/child-stack.ts';
import { checkedClient, rawCall } from '../support/api-client.ts';

/**
 * `npm start` killed with SIGKILL in the middle of a burst of writes that each trigger an e-mail
 * automation, then started again on the same data folder. `npm test` runs 100 writes,
 * `npm run test:crash` 500 (`CRASH_WRITES` sets another number).
 */
const WRITES = Number(process.env.CRASH_WRITES ?? (process.env.npm_lifecycle_event === 'test:crash' ? 500 : 100));
const CONCURRENCY = 16;
const KILL_AFTER = Math.floor(WRITES * 0.4);
const TENANT = 'crash';

let child: ChildStack | undefined;
afterAll(async () => {
  await child?.interrupt();
});

interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** The child stack's API through the tests' client (answers checked against the OpenAPI document). */
const call = (stack: ChildStack, token: string, method: string, path: string, body?: unknown) => rawCall(checkedClient(stack.apiUrl, token), method, path, { body });

async function all<T>(stack: ChildStack, token: string, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const reply = await call(stack, token, 'GET', `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const page = reply.body as Page<T>;
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const address = (i: number) => `c${i}@crash.example`;

describe('npm start killed with SIGKILL in a burst of writes', () => {
  it(`runs the automation of each of ${WRITES} acknowledged writes exactly once after a restart, and DynamoDB Local dies with the process`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-crash-'));
    const dbPath = join(dataDir, 'dynamodb');
    const ports = await freePorts();
    child = await ChildStack.start(dataDir, ports);
    const auth = await DevAuth.load(join(dataDir, 'dev-keys.json'));
    const admin = await auth.sign({ tenantId: TENANT, role: 'admin' });

    const domain = await call(child, admin, 'POST', '/sender-domains', { domain: 'crash.example' });
    expect(domain.status, JSON.stringify(domain.body)).toBeLessThan(300);
    await verifyDomainLocally(child.sesUrl, 'crash.example');
    const settings = await call(child, admin, 'PUT', '/settings', { name: 'Crash Immobilien', senderAddress: 'info@crash.example' });
    expect(settings.status, `${JSON.stringify(settings.body)}\n${child.tail()}`).toBe(200);
    const automation = await call(child, admin, 'POST', '/automations', {
      name: 'Willkommen',
      trigger: { event: 'ContactCreated' },
      actions: [{ type: 'send_email', to: 'contact', subject: 'Willkommen {{contact.lastName}}', body: 'Guten Tag {{contact.lastName}}' }],
      enabled: true,
    });
    expect(automation.status, JSON.stringify(automation.body)).toBe(201);
    const automationId = automation.body.id as string;

    // The burst: CONCURRENCY writers; the stack is killed once KILL_AFTER writes are acknowledged.
    const acknowledged = new Map<number, string>();
    const unknown = new Set<number>();
    let next = 0;
    let killed: Promise<void> | undefined;
    const first = child;
    const javaBefore = dynamoProcessesFor(dbPath);
    expect(javaBefore).toHaveLength(1);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (!killed && next < WRITES) {
          const i = next++;
          try {
            const reply = await call(first, admin, 'POST', '/contacts', { lastName: `Crash ${i}`, email: address(i) });
            if (reply.status === 201) acknowledged.set(i, reply.body.id);
            else unknown.add(i);
          } catch {
            unknown.add(i); // the connection broke: written or not, nobody knows
          }
          if (!killed && acknowledged.size >= KILL_AFTER) killed = first.kill9();
        }
      }),
    );
    await killed;
    const acknowledgedBeforeKill = acknowledged.size;
    const notSent = Array.from({ length: WRITES - next }, (_, k) => next + k);

    // DynamoDB Local must not outlive the stack that started it (an exiting process stays visible
    // for a moment without its command line: wait for the pid itself to go).
    const deadline = Date.now() + 15_000;
    const javaLeft = () => [...new Set([...dynamoProcessesFor(dbPath), ...javaBefore.filter(isAlive)])];
    while (javaLeft().length > 0 && Date.now() < deadline) await sleep(100);
    expect(javaLeft(), 'DynamoDB Local still runs after its stack was killed').toEqual([]);

    // Restart on the same folder and ports, and send the writes the burst did not get to.
    child = await ChildStack.start(dataDir, ports);
    const second = child;
    expect(readPidFile(dbPath)?.pid).toEqual(dynamoProcessesFor(dbPath)[0]);
    for (let k = 0; k < notSent.length; k += CONCURRENCY) {
      await Promise.all(
        notSent.slice(k, k + CONCURRENCY).map(async (i) => {
          const reply = await call(second, admin, 'POST', '/contacts', { lastName: `Crash ${i}`, email: address(i) });
          expect(reply.status).toBe(201);
          acknowledged.set(i, reply.body.id);
        }),
      );
    }

    // Wait until every contact that exists has a finished run (or nothing changes any more).
    const contacts = (await all<{ id: string; email?: string }>(second, admin, '/contacts')).filter((c) => c.email?.endsWith('@crash.example'));
    let executions: Array<{ id: string; status: string; contactId?: string; event: { contact?: { id: string } } }> = [];
    let stableSince = Date.now();
    let last = -1;
    const settleBy = Date.now() + Math.max(60_000, WRITES * 300);
    while (Date.now() < settleBy) {
      executions = await all(second, admin, `/automations/${automationId}/executions`);
      const finished = executions.filter((e) => e.status !== 'running').length;
      if (finished !== last) {
        last = finished;
        stableSince = Date.now();
      }
      if (finished >= contacts.length && executions.length === finished) break;
      if (Date.now() - stableSince > 20_000) break;
      await sleep(500);
    }

    const mails = ((await (await fetch(`${second.sesUrl}/store`)).json()) as { emails: Array<{ destination: { to: string[] } }> }).emails;
    const mailsTo = new Map<string, number>();
    for (const mail of mails) for (const to of mail.destination.to) mailsTo.set(to.toLowerCase(), (mailsTo.get(to.toLowerCase()) ?? 0) + 1);
    const executionsOf = new Map<string, typeof executions>();
    for (const execution of executions) {
      const contactId = execution.contactId ?? execution.event.contact?.id ?? '';
      executionsOf.set(contactId, [...(executionsOf.get(contactId) ?? []), execution]);
    }

    const figures = {
      writes: WRITES,
      acknowledged: acknowledged.size,
      acknowledgedBeforeKill,
      unacknowledged: unknown.size,
      contacts: contacts.length,
      executions: executions.length,
      byStatus: Object.fromEntries([...new Set(executions.map((e) => e.status))].map((s) => [s, executions.filter((e) => e.status === s).length])),
      emails: mails.length,
      missingRuns: [...acknowledged.values()].filter((id) => !executionsOf.has(id)).length,
      duplicateRuns: [...executionsOf.values()].filter((list) => list.length > 1).length,
      duplicateEmails: [...mailsTo.values()].filter((n) => n > 1).length,
      stuck: executions.filter((e) => e.status === 'running').length,
      restart: second.tail(2_000).split('\n').filter((l) => /redelivering|resumes after|taken from its tip|cannot resume|stopping DynamoDB Local/.test(l)),
    };
    console.log(`crash figures: ${JSON.stringify(figures)}`);

    expect(figures.stuck, 'executions left running').toBe(0);
    expect(figures.missingRuns, 'acknowledged writes without a run').toBe(0);
    expect(figures.duplicateRuns, 'writes run twice').toBe(0);
    expect(figures.duplicateEmails, 'addresses mailed twice').toBe(0);
    expect(executions.length).toBe(contacts.length);
    for (const [i, contactId] of acknowledged) {
      const [run] = executionsOf.get(contactId) ?? [];
      expect(run?.status, `the run for write ${i}`).toMatch(/^(succeeded|uncertain)$/);
      const sent = mailsTo.get(address(i)) ?? 0;
      // An interrupted send is never repeated: it went out once or not at all, and says so.
      if (run?.status === 'succeeded') expect(sent, `mails to ${address(i)}`).toBe(1);
      else expect(sent).toBeLessThanOrEqual(1);
    }
    // Every mail went to a contact of the burst that has its one run.
    const addresses = new Set(contacts.map((c) => c.email!.toLowerCase()));
    expect([...mailsTo.keys()].filter((to) => !addresses.has(to))).toEqual([]);
  }, Math.max(120_000, WRITES * 1_000));
});
