import type { BusEvent } from '#infra/local/event-bus';
import type { LocalStack } from '#infra/local/stack';
import { percentile, round } from './support.ts';

/** Lets the bench see when a run for a contact has been recorded. */
export const completions = new Map<string, number>();

export function recordCompletion(event: BusEvent): void {
  const contact = event.detail.contact as { id?: string } | undefined;
  if (event['detail-type'] === 'ContactCreated' && contact?.id) completions.set(contact.id, performance.now());
}

/**
 * Section 6: `writes` API writes at `concurrency`, each triggering one automation; latency from
 * the write's response to its execution record, and throughput.
 */
export async function endToEnd(stack: LocalStack, writes: number, concurrency: number, pollMs: number) {
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

  const responded = new Map<string, number>();
  const started = performance.now();
  let next = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < writes) {
        const i = next++;
        const reply = await post('/contacts', { lastName: `Bench ${i}`, source: 'bench' });
        if (reply.status !== 201) {
          failures++;
          continue;
        }
        const { id } = (await reply.json()) as { id: string };
        responded.set(id, performance.now());
      }
    }),
  );
  const writeSeconds = (performance.now() - started) / 1000;
  const deadline = Date.now() + 180_000;
  while ([...responded.keys()].some((id) => !completions.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const latencies = [...responded].filter(([id]) => completions.has(id)).map(([id, at]) => completions.get(id)! - at);
  const last = Math.max(...[...responded.keys()].map((id) => completions.get(id) ?? 0));
  return {
    writes,
    concurrency,
    failedWrites: failures,
    completed: latencies.length,
    writeThroughputPerSec: round(writes / writeSeconds, 1),
    runThroughputPerSec: round(latencies.length / ((last - started) / 1000), 1),
    p50Ms: round(percentile(latencies, 50), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    streamPollMs: pollMs,
  };
}
