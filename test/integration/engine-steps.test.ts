import { beforeAll, describe, expect, it } from 'vitest';
import type { Execution, StepRecord } from '#shared/automations/execution';
import { AutomationFields } from '#shared/automations/model';
import { emailActivityId } from '#shared/engine/actions/send-email';
import { createEngine, type IncomingEvent } from '#shared/engine/engine';
import { executionIdOf } from '#shared/engine/execution-id';
import type { Mailer, OutgoingMail } from '#shared/engine/mailer';
import type { LogEntry } from '#shared/log';
import type { DynamoAutomationStore } from '#shared/stores/automation-store';
import type { CrmStores } from '#shared/stores/crm-stores';
import type { DynamoExecutionStore } from '#shared/stores/execution-store';
import { actionWorld, detailOf, OutboxMailer } from '../support/action-world.ts';
import { freshRunStores } from '../support/dynamo.ts';

/**
 * The engine behind every runner, on DynamoDB Local: automations of several steps, runs resumed
 * after an attempt broke off, and what a delivery of the event answers.
 */

let stores: CrmStores;
let automations: DynamoAutomationStore;
let executions: DynamoExecutionStore;

beforeAll(async () => {
  ({ stores, automations, executions } = await freshRunStores());
});

/** A mailer that refuses or breaks off as told, then sends as the outbox does. */
class ScriptedMailer extends OutboxMailer {
  constructor(private readonly failures: unknown[] = []) {
    super();
  }
  override async send(mail: OutgoingMail) {
    const failure = this.failures.shift();
    if (failure) throw failure;
    return super.send(mail);
  }
}

/** The stores with `store.method` failing once with `error` (DynamoDB throttled or unreachable), then working again. */
function failingOnce<K extends keyof CrmStores>(store: K, method: string, error: Error): CrmStores {
  let failed = false;
  const target = stores[store] as unknown as Record<string, (...args: unknown[]) => unknown>;
  const faulty = new Proxy(target, {
    get(object, key) {
      const value = Reflect.get(object, key, object);
      if (key !== method || typeof value !== 'function') return typeof value === 'function' ? value.bind(object) : value;
      return (...args: unknown[]) => {
        if (failed) return value.apply(object, args);
        failed = true;
        return Promise.reject(error);
      };
    },
  });
  return { ...stores, [store]: faulty };
}

const awsError = (name: string, message: string, httpStatusCode?: number) => Object.assign(new Error(message), { name, ...(httpStatusCode ? { $metadata: { httpStatusCode } } : {}) });

function engineWith(mailer: Mailer = new OutboxMailer(), logged: LogEntry[] = [], crm: CrmStores = stores) {
  return createEngine({ stores: crm, automations, executions, mailer, now: () => new Date('2026-11-27T09:00:00Z'), log: (entry) => void logged.push(entry) });
}

/** An automation as the API saves it, from the fields given (validated as the API does). */
async function automation(t: string, fields: { actions: unknown[] } & Record<string, unknown>) {
  return automations.create(t, AutomationFields.parse({ name: 'Neuer Kontakt', trigger: { event: 'ContactCreated' }, enabled: true, ...fields }));
}

const contactCreated = (t: string, contact: unknown, extra: Record<string, unknown> = {}): IncomingEvent => ({
  source: 'crm.contacts',
  'detail-type': 'ContactCreated',
  detail: detailOf(t, { contact, ...extra }),
});

const mailStep = { type: 'send_email', to: 'contact', subject: 'Willkommen, {{contact.firstName}} ({{contact.status}})', body: 'Guten Tag' };
const taskStep = { type: 'create_task', assignee: 'contact_owner', title: 'Anrufen: {{contact.lastName}}' };

/** A run as an attempt that broke off left it: claimed, with the steps as given. */
async function interruptedRun(t: string, automationId: string, event: IncomingEvent, steps: Array<Partial<StepRecord> & { type: string }>): Promise<Execution> {
  const at = '2026-11-27T08:59:00.000Z';
  const run: Execution = {
    id: executionIdOf(t, automationId, 'k#0'), tenantId: t, version: 1, createdAt: at, updatedAt: at, automationId, automationName: 'Neuer Kontakt', automationVersion: 1,
    eventKey: 'k#0', eventType: 'ContactCreated', event: event.detail, status: 'running', attempts: 1, depth: 0, startedAt: at,
    steps: steps.map((s, index) => ({ index, status: 'pending', attempts: 0, ...s }) as StepRecord),
  };
  expect(await executions.begin(run)).toEqual({ claimed: true });
  return run;
}

describe('an automation of several steps', () => {
  it('runs every step in order, each recording its own result, and reads the records again after a step that wrote', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [taskStep, { type: 'update_contact', set: { status: 'Kunde' } }, mailStep] });
    const mailer = new OutboxMailer();

    const outcomes = await engineWith(mailer).handle(contactCreated(w.t, w.contact));

    const id = executionIdOf(w.t, auto.id, 'k#0');
    expect(outcomes).toEqual([{ automationId: auto.id, executionId: id, status: 'succeeded' }]);
    // The mail sees the status the step before it wrote, not the contact as the event carried it.
    expect(mailer.sent.map((m) => [m.to, m.subject])).toEqual([['max@example.com', 'Willkommen, Max (Kunde)']]);
    const run = await executions.require(w.t, id);
    expect(run).toMatchObject({ status: 'succeeded', contactId: w.contact.id, finishedAt: '2026-11-27T09:00:00.000Z', durationMs: 0 });
    expect(run.steps).toEqual([
      expect.objectContaining({ index: 0, type: 'create_task', status: 'succeeded', attempts: 1, result: { taskId: `${id}-0`, assigneeId: w.anna.id } }),
      expect.objectContaining({ index: 1, type: 'update_contact', status: 'succeeded', attempts: 1, result: { contactId: w.contact.id, changed: ['status'] } }),
      expect.objectContaining({ index: 2, type: 'send_email', status: 'succeeded', attempts: 1, result: expect.objectContaining({ to: 'max@example.com', step: 2, activityId: emailActivityId(id, 2) }) }),
    ]);
    expect(await stores.tasks.require(w.t, `${id}-0`)).toMatchObject({ title: 'Anrufen: Muster', assigneeId: w.anna.id, contactId: w.contact.id });
    expect(await automations.require(w.t, auto.id)).toMatchObject({ lastRunStatus: 'succeeded', lastExecutionId: id, runCount: 1, failureCount: 0 });
  });

  it('ends as partial with the reason when a later step is skipped after one that changed something', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [{ type: 'update_contact', set: { status: 'Kunde' } }, { ...mailStep, purpose: 'marketing' }, taskStep] });
    const mailer = new OutboxMailer();

    expect(await engineWith(mailer).handle(contactCreated(w.t, w.contact))).toEqual([expect.objectContaining({ status: 'partial' })]);

    const run = await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'));
    expect(run).toMatchObject({ status: 'partial', reason: `The contact Max Muster (${w.contact.id}) has not consented to marketing e-mail` });
    expect(run.steps.map((s) => s.status)).toEqual(['succeeded', 'skipped', 'pending']);
    expect(mailer.sent).toEqual([]);
    expect((await stores.tasks.list(w.t, { assigneeId: w.anna.id })).items).toEqual([]);
  });

  it('records an empty template variable as a warning on its step', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [mailStep] });
    await engineWith().handle(contactCreated(w.t, w.contact));
    const [step] = (await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'))).steps;
    expect(step!.warnings).toEqual([{ code: 'empty_variable', message: '{{contact.status}} was empty for this run', params: { variable: 'contact.status' } }]);
  });
});

describe('a run resumed after an attempt broke off', () => {
  it('skips the steps that finished and does the rest', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [mailStep, taskStep] });
    const event = contactCreated(w.t, w.contact);
    await interruptedRun(w.t, auto.id, event, [{ type: 'send_email', status: 'succeeded', attempts: 1, result: { to: 'max@example.com' } }, { type: 'create_task' }]);
    const mailer = new OutboxMailer();

    expect(await engineWith(mailer).handle(event)).toEqual([expect.objectContaining({ status: 'succeeded' })]);

    expect(mailer.sent).toEqual([]);
    const run = await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'));
    expect(run).toMatchObject({ attempts: 2, steps: [{ status: 'succeeded', attempts: 1, result: { to: 'max@example.com' } }, { status: 'succeeded', attempts: 1 }] });
    expect((await stores.tasks.list(w.t, { assigneeId: w.anna.id })).items).toHaveLength(1);
  });

  it('never sends again an e-mail whose send was interrupted: the run ends uncertain, and the steps after it still run', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [mailStep, taskStep] });
    const event = contactCreated(w.t, w.contact);
    await interruptedRun(w.t, auto.id, event, [{ type: 'send_email', status: 'started', attempts: 1 }, { type: 'create_task' }]);
    const mailer = new OutboxMailer();

    expect(await engineWith(mailer).handle(event)).toEqual([expect.objectContaining({ status: 'uncertain' })]);

    expect(mailer.sent).toEqual([]);
    const run = await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'));
    expect(run).toMatchObject({ status: 'uncertain', reason: 'A send was interrupted; whether that e-mail went out is unknown' });
    expect(run.steps.map((s) => s.status)).toEqual(['uncertain', 'succeeded']);
    expect(await automations.require(w.t, auto.id)).toMatchObject({ lastRunStatus: 'uncertain' });
  });

  it('takes the e-mail activity of an interrupted send as proof that it went out, and does not send it again', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [mailStep] });
    const event = contactCreated(w.t, w.contact);
    const begun = await interruptedRun(w.t, auto.id, event, [{ type: 'send_email', status: 'started', attempts: 1 }]);
    await stores.activities.create(w.t, { type: 'email', contactIds: [w.contact.id], title: 'Willkommen', recipient: 'max@example.com', automationName: 'Neuer Kontakt' }, { id: emailActivityId(begun.id, 0) });
    const mailer = new OutboxMailer();

    expect(await engineWith(mailer).handle(event)).toEqual([expect.objectContaining({ status: 'succeeded' })]);
    expect(mailer.sent).toEqual([]);
  });

  it('runs a write step found started again (it finds what it wrote) and counts it as a change', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [taskStep, { ...mailStep, purpose: 'marketing' }] });
    const event = contactCreated(w.t, w.contact);
    await interruptedRun(w.t, auto.id, event, [{ type: 'create_task', status: 'started', attempts: 1 }, { type: 'send_email' }]);

    await engineWith().handle(event);

    const run = await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'));
    expect(run).toMatchObject({ status: 'partial', steps: [{ status: 'succeeded', attempts: 2 }, { status: 'skipped' }] });
  });
});

describe('what a delivery of the event answers', () => {
  it('acknowledges a delivery whose runs all ended, and answers a second delivery as a duplicate without running again', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [mailStep] });
    const mailer = new OutboxMailer();
    const engine = engineWith(mailer);
    const id = executionIdOf(w.t, auto.id, 'k#0');

    await expect(engine.handle(contactCreated(w.t, w.contact))).resolves.toEqual([{ automationId: auto.id, executionId: id, status: 'succeeded' }]);
    await expect(engine.handle(contactCreated(w.t, w.contact))).resolves.toEqual([{ automationId: auto.id, executionId: id, status: 'duplicate' }]);
    expect(mailer.sent).toHaveLength(1);
  });

  it('acknowledges a permanent refusal as a failed run, and retries nothing', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [mailStep, taskStep] });
    const mailer = new ScriptedMailer([awsError('MessageRejected', 'Email address is not verified.', 400)]);

    await expect(engineWith(mailer).handle(contactCreated(w.t, w.contact))).resolves.toEqual([expect.objectContaining({ status: 'failed' })]);
    expect(await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'))).toMatchObject({
      status: 'failed', retryable: false, error: 'MessageRejected: Email address is not verified.', steps: [{ status: 'failed' }, { status: 'pending' }],
    });
    expect(await automations.require(w.t, auto.id)).toMatchObject({ lastRunStatus: 'failed', failureCount: 1 });
  });

  it('throws a transient failure after recording it, and the redelivery sends once and succeeds', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [taskStep, mailStep] });
    const mailer = new ScriptedMailer([awsError('Throttling', 'Maximum sending rate exceeded.', 400)]);
    const engine = engineWith(mailer);
    const id = executionIdOf(w.t, auto.id, 'k#0');

    await expect(engine.handle(contactCreated(w.t, w.contact))).rejects.toThrow('Maximum sending rate exceeded.');
    expect(await executions.require(w.t, id)).toMatchObject({ status: 'partial', retryable: true, error: 'Throttling: Maximum sending rate exceeded.', steps: [{ status: 'succeeded' }, { status: 'failed' }] });

    await expect(engine.handle(contactCreated(w.t, w.contact))).resolves.toEqual([expect.objectContaining({ status: 'succeeded' })]);
    expect(mailer.sent).toHaveLength(1);
    const run = await executions.require(w.t, id);
    expect(run).toMatchObject({ status: 'succeeded', attempts: 2, steps: [{ status: 'succeeded', attempts: 1 }, { status: 'succeeded', attempts: 2 }] });
    expect(run.error).toBeUndefined();
    expect((await stores.tasks.list(w.t, { assigneeId: w.anna.id })).items).toHaveLength(1);
  });

  it('goes on after a send that broke off once the request was out, never sending it again, and ends uncertain', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [mailStep, taskStep] });
    const mailer = new ScriptedMailer([awsError('TimeoutError', 'socket hang up')]);

    await expect(engineWith(mailer).handle(contactCreated(w.t, w.contact))).resolves.toEqual([expect.objectContaining({ status: 'uncertain' })]);
    const run = await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'));
    expect(run.steps).toEqual([
      expect.objectContaining({ status: 'uncertain', error: 'TimeoutError: socket hang up: the e-mail may have gone out; it is not sent again' }),
      expect.objectContaining({ status: 'succeeded' }),
    ]);
    expect(mailer.sent).toEqual([]);
  });

  it('runs each matching automation once and leaves out the ones whose condition does not hold', async () => {
    const w = await actionWorld(stores);
    const hit = await automation(w.t, { trigger: { event: 'ContactCreated', where: { contact: { lastName: ['Muster'] } } }, actions: [taskStep] });
    await automation(w.t, { trigger: { event: 'ContactCreated', where: { contact: { lastName: ['Meier'] } } }, actions: [mailStep] });
    await automation(w.t, { trigger: { event: 'DealCreated' }, actions: [mailStep] });
    await automation(w.t, { enabled: false, actions: [mailStep] });
    const mailer = new OutboxMailer();

    expect(await engineWith(mailer).handle(contactCreated(w.t, w.contact))).toEqual([{ automationId: hit.id, executionId: executionIdOf(w.t, hit.id, 'k#0'), status: 'succeeded' }]);
    expect(mailer.sent).toEqual([]);
  });

  it('drops an event that is no trigger or whose detail the catalogue refuses, and logs the refusal', async () => {
    const w = await actionWorld(stores);
    await automation(w.t, { actions: [mailStep] });
    const logged: LogEntry[] = [];
    const engine = engineWith(new OutboxMailer(), logged);

    expect(await engine.handle({ source: 'crm.contacts', 'detail-type': 'ContactDeleted', detail: detailOf(w.t, { contact: w.contact }) })).toEqual([]);
    expect(await engine.handle({ source: 'crm.contacts', 'detail-type': 'ContactCreated', detail: detailOf(w.t, {}) })).toEqual([]);
    expect(logged).toEqual([expect.objectContaining({ level: 'ERROR', message: 'Event detail does not match the catalogue; dropped', type: 'ContactCreated' })]);
    expect(await executions.list(w.t)).toMatchObject({ items: [] });
  });
});

describe('the guards of a run', () => {
  it('skips an event the automation caused itself, and one at the end of a chain', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [mailStep] });
    const mailer = new OutboxMailer();
    const engine = engineWith(mailer);

    await engine.handle({ ...contactCreated(w.t, w.contact, { causedBy: { automationId: auto.id, executionId: 'e-1', depth: 1 } }) });
    const own = await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'));
    expect(own).toMatchObject({ status: 'skipped', reason: 'The automation caused this event itself; an automation never triggers itself', depth: 1 });

    await engine.handle({ ...contactCreated(w.t, w.contact, { eventKey: 'k#1', causedBy: { automationId: 'other', executionId: 'e-2', depth: 3 } }) });
    expect(await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#1'))).toMatchObject({ status: 'skipped', reason: 'Chain of automations stopped at depth 3 (limit 3)' });

    await engine.handle({ ...contactCreated(w.t, w.contact, { eventKey: 'k#2', causedBy: { automationId: 'other', executionId: 'e-3', depth: 2 } }) });
    expect(await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#2'))).toMatchObject({ status: 'succeeded', depth: 2 });
    expect(mailer.sent).toHaveLength(1);
  });

  it('fails the run of an automation whose stored condition no longer compiles, naming why, and runs the others', async () => {
    const w = await actionWorld(stores);
    const broken = await automation(w.t, { actions: [mailStep] });
    // Saved under older rules: written past the checks of today's API.
    await automations.replace(w.t, broken.id, { ...AutomationFields.parse({ name: 'Alt', trigger: { event: 'ContactCreated' }, actions: [mailStep], enabled: true }), trigger: { event: 'ContactCreated', where: { contact: { lastName: [{ prefix: 1 }] } } } }, broken.version, broken);
    const sound = await automation(w.t, { actions: [taskStep] });

    const outcomes = await engineWith().handle(contactCreated(w.t, w.contact));

    expect(outcomes).toEqual(expect.arrayContaining([expect.objectContaining({ automationId: broken.id, status: 'failed' }), expect.objectContaining({ automationId: sound.id, status: 'succeeded' })]));
    expect((await executions.require(w.t, executionIdOf(w.t, broken.id, 'k#0'))).error).toMatch(/^The trigger's condition can no longer be used \(prefix match pattern must be a string\); edit and save the automation again$/);
  });
});

describe('a step that fails for a while', () => {
  it('records a task that could not be written as failed and retryable, never as uncertain, and writes it on the redelivery', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [taskStep] });
    const id = executionIdOf(w.t, auto.id, 'k#0');
    const engine = engineWith(new OutboxMailer(), [], failingOnce('tasks', 'create', awsError('TimeoutError', 'Connection timed out')));

    await expect(engine.handle(contactCreated(w.t, w.contact))).rejects.toThrow('Connection timed out');
    expect(await executions.require(w.t, id)).toMatchObject({ status: 'failed', retryable: true, error: 'TimeoutError: Connection timed out', steps: [{ status: 'failed' }] });

    await expect(engine.handle(contactCreated(w.t, w.contact))).resolves.toEqual([expect.objectContaining({ status: 'succeeded' })]);
    expect((await stores.tasks.list(w.t, { assigneeId: w.anna.id })).items).toHaveLength(1);
  });

  it('retries a send whose records could not be read: nothing went out, so it is not taken as uncertain', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [mailStep] });
    const id = executionIdOf(w.t, auto.id, 'k#0');
    const mailer = new OutboxMailer();
    const engine = engineWith(mailer, [], failingOnce('contacts', 'get', awsError('TimeoutError', 'Connection timed out')));

    await expect(engine.handle(contactCreated(w.t, w.contact))).rejects.toThrow('Connection timed out');
    expect(await executions.require(w.t, id)).toMatchObject({ status: 'failed', retryable: true, steps: [{ status: 'failed', attempts: 0 }] });

    await expect(engine.handle(contactCreated(w.t, w.contact))).resolves.toEqual([expect.objectContaining({ status: 'succeeded' })]);
    expect(mailer.sent).toHaveLength(1);
  });

  it('logs each run once it is recorded: a success as INFO, a failure as WARN with its error', async () => {
    const w = await actionWorld(stores);
    const ok = await automation(w.t, { actions: [taskStep] });
    const logged: LogEntry[] = [];
    await engineWith(new OutboxMailer(), logged).handle(contactCreated(w.t, w.contact));
    expect(logged).toEqual([expect.objectContaining({ level: 'INFO', message: 'Automation run', automationId: ok.id, executionId: executionIdOf(w.t, ok.id, 'k#0'), status: 'succeeded', final: true })]);

    const other = await actionWorld(stores);
    await automation(other.t, { actions: [mailStep] });
    const failed: LogEntry[] = [];
    await engineWith(new ScriptedMailer([awsError('MessageRejected', 'Email address is not verified.', 400)]), failed).handle(contactCreated(other.t, other.contact));
    expect(failed).toEqual([expect.objectContaining({ level: 'WARN', status: 'failed', error: 'MessageRejected: Email address is not verified.' })]);
  });
});

describe('what a run records about its contact and its templates', () => {
  it('files the run under the contact a step created, when the event named none', async () => {
    const w = await actionWorld(stores);
    const { inquiry } = await stores.inquiries.recordOnce(w.t, {
      status: 'received', messageId: '<m1@x>', sesMessageId: 's1', rawMessage: { bucket: 'b', key: 'inbound/s1', sizeBytes: 1 }, recipient: 'in@x', from: null, fromAddress: null,
      subject: 'Anfrage', receivedAt: new Date().toISOString(), verdicts: { spam: 'PASS', virus: 'PASS' }, format: 'unstructured', propertyId: w.property.id,
      extracted: { format: 'unstructured', portal: null, salutation: null, firstName: 'Jana', lastName: 'Neu', email: 'jana@example.com', phone: null, message: null, propertyRef: null, portalObjectId: null, preferredContact: [], wishes: [], sentOn: null, address: null },
    });
    const auto = await automation(w.t, { trigger: { event: 'InquiryReceived' }, actions: [{ type: 'create_contact' }] });

    await engineWith().handle({ source: 'crm.inquiries', 'detail-type': 'InquiryReceived', detail: detailOf(w.t, { inquiry }) });

    const created = await stores.contacts.findByEmail(w.t, 'jana@example.com');
    expect(await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'))).toMatchObject({ status: 'succeeded', contactId: created!.id });
  });

  it('warns about the empty variables of a task\'s title and body, each once', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [{ type: 'create_task', assignee: 'contact_owner', title: 'Anrufen {{contact.phone}}', body: '{{contact.phone}} {{contact.status}} {{contact.lastName}}' }] });
    await engineWith().handle(contactCreated(w.t, w.contact));
    const [step] = (await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'))).steps;
    expect(step!.warnings?.map((warning) => warning.params?.variable)).toEqual(['contact.phone', 'contact.status']);
  });

  it('records no warnings on a step whose variables all have values', async () => {
    const w = await actionWorld(stores);
    const auto = await automation(w.t, { actions: [{ type: 'update_contact', set: { status: 'Kunde' } }, { ...mailStep, subject: 'Hallo {{contact.firstName}}' }] });
    await engineWith().handle(contactCreated(w.t, w.contact));
    const { steps } = await executions.require(w.t, executionIdOf(w.t, auto.id, 'k#0'));
    expect(steps.map((step) => step.warnings)).toEqual([undefined, undefined]);
  });
});
