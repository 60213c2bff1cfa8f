import { LocalEventBus } from '#infra/local/event-bus';

/**
 * A local bus with a journal in its own process, whose target never finishes: the test puts
 * events on it and kills it with SIGKILL, as a crash would. Prints `{"url": ...}` when ready.
 */
const [journalDir] = process.argv.slice(2);
const bus = new LocalEventBus({ port: 0, journalDir });
bus.addTarget('contacts', { source: ['crm.contacts'] }, () => new Promise<void>(() => undefined));
const url = await bus.start();
console.log(JSON.stringify({ url }));
