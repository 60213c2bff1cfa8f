import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SCHEMA_VERSION, SOURCE_OF, type DetailType } from '#events/catalogue';
import type { LocalStack } from '#infra/local/stack';
import { CRM_TABLE } from '#infra/tables';
import { AutomationFields } from '#shared/automations/model';
import { PRESETS } from '#shared/automations/presets';
import { createDocumentClient } from '#shared/aws/clients';
import { createEngine } from '#shared/engine/engine';
import { SesMailer } from '#shared/engine/mailer';
import { ActivityInput } from '#shared/model/activity';
import { ContactInput } from '#shared/model/contact';
import { PropertyInput } from '#shared/model/property';
import { UserInput } from '#shared/model/user';
import { countRequests, round } from './support.ts';
import { runStoresOn } from '../support/dynamo.ts';

export interface RunCount {
  preset: string;
  /** Whether the preset sends an e-mail (a step that must not be repeated, so it is checkpointed). */
  sends: boolean;
  status: string;
  engine: number;
  actionReads: number;
  actionWrites: number;
  /** Write units: transactional items count twice. */
  writeUnits: number;
  readUnits: number;
  ms: number;
}

const READS = new Set(['GetItem', 'Query', 'BatchGetItem', 'Scan']);

/** A preset's definition with its default parameters (the inquiry preset needs its portal's sender). */
function definitionOf(key: string) {
  const preset = PRESETS.find((p) => p.key === key)!;
  const params = key === 'inquiry-create-contact' ? { senderAddresses: ['noreply@immobilienscout24.de'] } : {};
  return preset.build(preset.params.parse(params) as Record<string, unknown>);
}

/**
 * Section 1: DynamoDB requests per automation run, per preset, counted by SDK middleware on the
 * engine's own client, split into engine overhead (automations and executions tables) and the
 * action's own reads and writes (CrmTable).
 */
export async function requestsPerRun(stack: LocalStack): Promise<RunCount[]> {
  const raw = new DynamoDBClient({ endpoint: stack.dynamoEndpoint });
  const counter = countRequests(raw);
  const doc = createDocumentClient(raw);
  const names = stack.tableNames;
  const { stores, automations, executions } = runStoresOn(doc, names);
  const engine = createEngine({
    stores,
    automations,
    executions,
    mailer: new SesMailer(new SESv2Client({ endpoint: stack.sesUrl })),
    log: () => undefined,
  });

  const t = `bench-${Date.now().toString(36)}`;
  // The sender domain is the tenant's own and verified, or SES refuses every send.
  const domain = `${t}.bench.example`;
  await stack.senderDomains.register(t, domain);
  stack.verifyDomain(domain);
  await stores.settings.put(t, { name: 'Bench Immobilien', timeZone: 'Europe/Berlin', senderAddress: `info@${domain}`, inboundAddresses: [] });
  const anna = await stores.users.create(t, UserInput.parse({ firstName: 'Anna', lastName: 'Agent', email: 'anna@bench.example' }));
  const property = await stores.properties.create(t, PropertyInput.parse({ unitId: 'B-1', title: 'Altbau', contactPersonId: anna.id }));
  const sold = await stores.properties.create(t, PropertyInput.parse({ unitId: 'B-2', title: 'Verkauft' }));
  const erika = await stores.contacts.create(t, ContactInput.parse({ salutation: 'ms', lastName: 'Musterfrau', email: 'erika@bench.example', birthday: '1980-11-27', newsletter: true, gdprConsent: true, ownerId: anna.id }));
  const max = await stores.contacts.create(t, ContactInput.parse({ lastName: 'Mustermann', email: 'max@bench.example' }));
  const deal = await stores.deals.create(t, { contactId: erika.id, propertyId: property.id, stage: 'Anfrage', pipelineId: 'default', archived: false });
  const reserved = await stores.deals.update(t, deal.id, { stage: 'Reserviert' }, 1);
  const viewing = await stores.activities.create(t, ActivityInput.parse({ type: 'appointment', category: 'Besichtigung', contactIds: [erika.id], propertyId: property.id, startsAt: '2026-12-03T13:00:00Z', endsAt: '2026-12-03T13:30:00Z' }));
  const note = await stores.activities.create(t, ActivityInput.parse({ type: 'note', category: 'Objekt archivieren', propertyId: sold.id }));
  const rejection = await stores.rejections.create(t, { reason: 'Kein Kontakt mehr gewünscht', contactId: max.id });
  const { inquiry } = await stores.inquiries.recordOnce(t, {
    status: 'received', messageId: `<bench-${t}@x>`, sesMessageId: 's', rawMessage: { bucket: 'b', key: 'inbound/s', sizeBytes: 1 }, recipient: 'in@bench.example',
    from: 'ImmobilienScout24 <noreply@immobilienscout24.de>', fromAddress: 'noreply@immobilienscout24.de', subject: 'Anfrage', receivedAt: new Date().toISOString(),
    verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' }, authenticated: true, authenticationReason: 'DMARC PASS', format: 'portal-text', propertyId: property.id,
    extracted: { format: 'portal-text', portal: 'ImmobilienScout24', salutation: 'ms', firstName: 'Julia', lastName: 'Neu', email: 'julia@bench.example', phone: null, message: 'Hallo', propertyRef: 'B-1', portalObjectId: null, preferredContact: [], wishes: [], sentOn: null, address: null },
  });
  const fromInquiry = await stores.contacts.create(t, ContactInput.parse({ lastName: 'Neu', email: 'neu@bench.example', source: 'Anfrage (ImmobilienScout24)' }), { causedBy: { automationId: 'other', executionId: 'x', depth: 1 } });

  // The presets that wait are measured in section 9 (requests per wait and resume).
  for (const preset of PRESETS.filter((p) => !definitionOf(p.key).actions.some((a) => a.type === 'wait'))) {
    await automations.create(t, AutomationFields.parse({ ...definitionOf(preset.key), enabled: true, preset: preset.key }));
  }

  const events: Array<[string, DetailType, Record<string, unknown>]> = [
    ['viewing-confirmation', 'ActivityCreated', { activity: viewing }],
    ['reserved-task', 'DealStageChanged', { deal: reserved, fromStage: 'Anfrage', toStage: 'Reserviert' }],
    ['inquiry-create-contact', 'InquiryReceived', { inquiry }],
    ['inquiry-first-email', 'ContactCreated', { contact: fromInquiry, causedBy: fromInquiry.causedBy }],
    ['birthday-greeting', 'ContactBirthday', { contact: erika, date: '2026-11-27', age: 46 }],
    ['rejection-archive-contact', 'RejectionCreated', { rejection }],
    ['note-archive-property', 'ActivityCreated', { activity: note }],
  ];
  const rows: RunCount[] = [];
  const crmTable = names[CRM_TABLE.envVar]!;
  for (const [preset, type, body] of events) {
    const detail = { tenantId: t, schemaVersion: SCHEMA_VERSION, occurredAt: new Date().toISOString(), eventKey: `bench#${preset}`, ...body };
    counter.reset();
    const started = performance.now();
    const [outcome] = await engine.handle({ source: SOURCE_OF[type], 'detail-type': type, detail });
    const ms = performance.now() - started;
    const requests = [...counter.requests];
    const engineRequests = requests.filter((r) => !r.tables.every((name) => name === crmTable));
    const actionRequests = requests.filter((r) => r.tables.every((name) => name === crmTable));
    rows.push({
      preset,
      sends: definitionOf(preset).actions.some((a) => a.type === 'send_email'),
      status: outcome?.status ?? 'no run',
      engine: engineRequests.length,
      actionReads: actionRequests.filter((r) => READS.has(r.operation)).length,
      actionWrites: actionRequests.filter((r) => !READS.has(r.operation)).length,
      readUnits: requests.filter((r) => READS.has(r.operation)).length,
      writeUnits: requests.filter((r) => !READS.has(r.operation)).reduce((n, r) => n + (r.operation === 'TransactWriteItems' ? 2 * r.items : r.items), 0),
      ms: round(ms, 1),
    });
  }
  raw.destroy();
  return rows;
}
