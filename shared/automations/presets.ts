import * as z from 'zod';
import { Email, Line } from '../model/common.ts';
import { durationProblem } from '../time/wait-time.ts';
import type { AutomationInput } from './model.ts';

/**
 * The automations agents ask for most, installable with `POST /automations { "preset": key }` and
 * editable afterwards like any other: the seven of the first release and three that wait for their
 * moment. German default texts.
 */
export interface Preset {
  key: string;
  name: string;
  description: string;
  params: z.ZodType;
  build(params: Record<string, unknown>): AutomationInput;
}

const noParams = z.strictObject({});

/** A duration parameter, checked where the admin wrote it (`params.before`), not where the preset puts it. */
const DurationParam = (fallback: string, description: string) =>
  z
    .string()
    .max(40)
    .superRefine((text, ctx) => {
      const problem = durationProblem(text, { allowNegative: false, min: 60_000, max: 365 * 86_400_000 });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default(fallback)
    .describe(description);

const preset = <P extends z.ZodType>(p: Omit<Preset, 'params' | 'build'> & { params: P; build: (params: z.output<P>) => AutomationInput }) => p as unknown as Preset;

export const PRESETS: Preset[] = [
  preset({
    key: 'viewing-confirmation',
    name: 'Besichtigungstermin bestätigen',
    description: 'Wird ein Termin der Kategorie "Besichtigung" angelegt, erhält der Interessent eine Bestätigung mit Kalendereinladung (.ics).',
    params: z.strictObject({ category: Line(60).default('Besichtigung').describe('The appointment category that means a viewing (from the tenant\'s appointment categories)') }),
    build: ({ category }) => ({
      name: 'Besichtigungstermin bestätigen',
      trigger: { event: 'ActivityCreated', where: { activity: { type: ['appointment'], category: [category] } } },
      actions: [
        {
          type: 'send_email',
          to: 'contact',
          purpose: 'transactional',
          attachIcs: true,
          subject: 'Ihr Besichtigungstermin am {{date activity.startsAt}} um {{time activity.startsAt}} Uhr',
          body:
            '{{greeting contact}},\n\nhiermit bestätigen wir Ihren Besichtigungstermin am {{date activity.startsAt}} um {{time activity.startsAt}} Uhr' +
            '{{#if property.title}} für das Objekt "{{property.title}}"{{/if}}.{{#if activity.location}}\nTreffpunkt: {{activity.location}}{{/if}}\n\n' +
            'Die Einladung für Ihren Kalender finden Sie im Anhang. Sollten Sie den Termin nicht wahrnehmen können, geben Sie uns bitte kurz Bescheid.\n\n' +
            'Mit freundlichen Grüßen\n{{tenant.name}}',
        },
      ],
    }),
  }),
  preset({
    key: 'reserved-task',
    name: 'Aufgabe bei Reservierung',
    description: 'Wechselt ein Deal in die Phase "Reserviert", erhält der Ansprechpartner des Objekts eine Aufgabe.',
    params: z.strictObject({
      stage: Line(60).default('Reserviert').describe('The deal stage that creates the task (from the tenant\'s deal stages)'),
      dueInDays: z.number().int().min(0).max(60).default(2).describe('Days until the task is due'),
    }),
    build: ({ stage, dueInDays }) => ({
      name: `Aufgabe für den Ansprechpartner bei "${stage}"`,
      trigger: { event: 'DealStageChanged', where: { toStage: [stage] } },
      actions: [
        {
          type: 'create_task',
          assignee: 'property_contact_person',
          title: 'Reservierung bearbeiten: {{property.title}} ({{property.unitId}}) für {{contact.firstName}} {{contact.lastName}}',
          body: 'Der Deal ist von "{{event.fromStage}}" nach "{{event.toStage}}" gewechselt. Bitte Reservierungsvereinbarung vorbereiten und Finanzierungsnachweis anfordern.',
          dueInDays,
        },
      ],
    }),
  }),
  preset({
    key: 'inquiry-create-contact',
    name: 'Kontakt aus Anfrage anlegen',
    description: 'Kommt eine Anfrage von einer der Absenderadressen (Portal, Webseite; nur authentifizierte Absender, SPF/DKIM/DMARC), wird der Kontakt angelegt: Status "Interessent", Newsletter ja, Betreuer = Ansprechpartner des Objekts; die Anfrage wird verknüpft und ein Deal zum Objekt eröffnet.',
    params: z.strictObject({
      senderAddresses: z.array(Email).min(1).max(20).default(['noreply@immobilienscout24.de']).describe('Sender addresses of the portals and web forms whose inquiries create contacts'),
    }),
    build: ({ senderAddresses }) => ({
      name: 'Kontakt aus Anfrage anlegen',
      trigger: { event: 'InquiryReceived', where: { inquiry: { authenticated: [true], fromAddress: senderAddresses } } },
      actions: [{ type: 'create_contact', defaults: { status: 'Interessent', newsletter: true, owner: 'property_contact_person' }, openDeal: true }],
    }),
  }),
  preset({
    key: 'inquiry-first-email',
    name: 'Erste E-Mail an neue Interessenten',
    description: 'Legt eine Automation einen Kontakt aus einer Anfrage an, erhält er eine erste E-Mail.',
    params: noParams,
    build: () => ({
      name: 'Erste E-Mail an neue Interessenten',
      trigger: { event: 'ContactCreated', where: { causedBy: { automationId: [{ exists: true }] }, contact: { source: [{ prefix: 'Anfrage' }] } } },
      actions: [
        {
          type: 'send_email',
          to: 'contact',
          purpose: 'transactional',
          subject: 'Vielen Dank für Ihre Anfrage',
          body:
            '{{greeting contact}},\n\nvielen Dank für Ihr Interesse. Wir haben Ihre Anfrage erhalten und melden uns in Kürze mit weiteren Informationen bei Ihnen.\n\n' +
            'Mit freundlichen Grüßen\n{{#if owner.lastName}}{{owner.firstName}} {{owner.lastName}}\n{{/if}}{{tenant.name}}',
        },
      ],
    }),
  }),
  preset({
    key: 'birthday-greeting',
    name: 'Geburtstagsgruß',
    description: 'Hat ein Kontakt Geburtstag, erhält er einen Gruß (Marketing: nur mit Einwilligung und Newsletter, nie an archivierte Kontakte).',
    params: noParams,
    build: () => ({
      name: 'Geburtstagsgruß',
      trigger: { event: 'ContactBirthday' },
      actions: [
        {
          type: 'send_email',
          to: 'contact',
          purpose: 'marketing',
          subject: 'Alles Gute zum Geburtstag{{#if contact.firstName}}, {{contact.firstName}}{{/if}}!',
          body: '{{greeting contact}},\n\nzu Ihrem Geburtstag wünschen wir Ihnen alles Gute, Gesundheit und viel Freude im neuen Lebensjahr.\n\nHerzliche Grüße\n{{tenant.name}}',
        },
      ],
    }),
  }),
  preset({
    key: 'rejection-archive-contact',
    name: 'Kontakt nach Absage archivieren',
    description: 'Wird eine Absage mit dem Grund "Kein Kontakt mehr gewünscht" hinterlegt, wird der Kontakt archiviert.',
    params: z.strictObject({ reason: Line(200).default('Kein Kontakt mehr gewünscht').describe('The Absage reason that archives the contact (from the tenant\'s reasons)') }),
    build: ({ reason }) => ({
      name: `Beim Hinterlegen einer Absage mit Absagegrund '${reason}' den Kontakt archivieren`,
      trigger: { event: 'RejectionCreated', where: { rejection: { reason: [reason] } } },
      actions: [{ type: 'update_contact', set: { archived: true } }],
    }),
  }),
  preset({
    key: 'note-archive-property',
    name: 'Objekt per Notiz archivieren',
    description: 'Wird eine Notiz der gewählten Kategorie erfasst, wird das verknüpfte Objekt archiviert.',
    params: z.strictObject({
      category: Line(60).default('Objekt archivieren').describe('The note category that archives the property (from the tenant\'s note categories)'),
      status: Line(60).default('Archiviert').describe('The property status to set (from the tenant\'s property statuses)'),
    }),
    build: ({ category, status }) => ({
      name: `Objekt archivieren bei Notiz "${category}"`,
      trigger: { event: 'ActivityCreated', where: { activity: { type: ['note'], category: [category], propertyId: [{ exists: true }] } } },
      actions: [{ type: 'update_property', set: { archived: true, status } }],
    }),
  }),
  preset({
    key: 'viewing-reminder',
    name: 'Erinnerung einen Tag vor der Besichtigung',
    description: 'Einen Tag vor einem Termin der Kategorie "Besichtigung" erhält der Interessent eine Erinnerung mit Kalendereinladung (.ics). Wird der Termin verschoben, folgt die Erinnerung; wird er abgesagt, entfällt sie. Ist der Termin weniger als einen Tag entfernt, wenn er angelegt wird, entfällt sie ebenfalls.',
    params: z.strictObject({
      category: Line(60).default('Besichtigung').describe('The appointment category that means a viewing (from the tenant\'s appointment categories)'),
      before: DurationParam('P1D', 'How long before the viewing the reminder goes out (ISO 8601 duration, e.g. P1D, PT3H)'),
    }),
    build: ({ category, before }) => ({
      name: 'Erinnerung einen Tag vor der Besichtigung',
      trigger: { event: 'ActivityCreated', where: { activity: { type: ['appointment'], category: [category] } } },
      actions: [
        { type: 'wait', until: { field: 'activity.startsAt', offset: `-${before.replace(/^[+-]/, '')}` }, ifPast: 'skip' },
        {
          type: 'send_email',
          to: 'contact',
          purpose: 'transactional',
          attachIcs: true,
          subject: 'Erinnerung: Ihre Besichtigung am {{date activity.startsAt}} um {{time activity.startsAt}} Uhr',
          body:
            '{{greeting contact}},\n\nwir freuen uns auf Ihren Besuch am {{date activity.startsAt}} um {{time activity.startsAt}} Uhr' +
            '{{#if property.title}} im Objekt "{{property.title}}"{{/if}}.{{#if activity.location}}\nTreffpunkt: {{activity.location}}{{/if}}\n\n' +
            'Sollten Sie verhindert sein, geben Sie uns bitte kurz Bescheid.\n\nMit freundlichen Grüßen\n{{tenant.name}}',
        },
      ],
    }),
  }),
  preset({
    key: 'viewing-feedback',
    name: 'Feedback nach der Besichtigung',
    description: 'Zwei Stunden nach dem Ende einer Besichtigung wird der Interessent um seine Meinung gebeten, innerhalb der Versandzeiten der Agentur. Eine abgesagte Besichtigung bekommt keine Feedback-Anfrage.',
    params: z.strictObject({
      category: Line(60).default('Besichtigung').describe('The appointment category that means a viewing (from the tenant\'s appointment categories)'),
      after: DurationParam('PT2H', 'How long after the viewing ends the request goes out (ISO 8601 duration)'),
    }),
    build: ({ category, after }) => ({
      name: 'Feedback nach der Besichtigung',
      trigger: { event: 'ActivityCreated', where: { activity: { type: ['appointment'], category: [category] } } },
      actions: [
        { type: 'wait', until: { field: 'activity.endsAt', offset: after }, withinSendWindow: true },
        {
          type: 'send_email',
          to: 'contact',
          purpose: 'transactional',
          subject: 'Wie hat Ihnen die Besichtigung gefallen?',
          body:
            '{{greeting contact}},\n\nvielen Dank für Ihren Besuch{{#if property.title}} im Objekt "{{property.title}}"{{/if}}. ' +
            'Wie hat Ihnen die Immobilie gefallen? Haben Sie noch Fragen, oder dürfen wir Ihnen weitere Unterlagen schicken? Antworten Sie einfach auf diese E-Mail.\n\n' +
            'Mit freundlichen Grüßen\n{{tenant.name}}',
        },
      ],
    }),
  }),
  preset({
    key: 'reserved-follow-up',
    name: 'Reserviert seit 14 Tagen: Aufgabe für den Ansprechpartner',
    description: 'Steht ein Deal 14 Tage nach dem Wechsel in "Reserviert" noch immer dort, erhält der Ansprechpartner des Objekts eine Aufgabe. Ist der Deal inzwischen weiter, entfällt sie.',
    params: z.strictObject({
      stage: Line(60).default('Reserviert').describe('The deal stage to follow up (from the tenant\'s deal stages)'),
      after: DurationParam('P14D', 'How long the deal stays in the stage before the task (ISO 8601 duration)'),
    }),
    build: ({ stage, after }) => ({
      name: `Noch "${stage}" nach ${after.replace(/^P(\d+)D$/, '$1 Tagen')}: Aufgabe für den Ansprechpartner`,
      trigger: { event: 'DealStageChanged', where: { toStage: [stage] } },
      actions: [
        { type: 'wait', for: after, while: { deal: { stage: [stage] } } },
        {
          type: 'create_task',
          assignee: 'property_contact_person',
          title: 'Reservierung nachfassen: {{property.title}} ({{property.unitId}}) für {{contact.firstName}} {{contact.lastName}}',
          body: 'Der Deal steht seit dem Wechsel nach "{{deal.stage}}" unverändert dort. Bitte beim Interessenten nachfassen: Finanzierung, Notartermin, offene Fragen.',
          dueInDays: 1,
        },
      ],
    }),
  }),
];

export function findPreset(key: string): Preset | undefined {
  return PRESETS.find((p) => p.key === key);
}

/**
 * A preset's parameters as JSON Schema, each with its default (zod leaves out the defaults of
 * values it transforms, such as e-mail addresses): what the API serves and the README lists.
 */
export function presetParamsSchema(preset: Preset): { properties?: Record<string, { type?: string; default?: unknown; description?: string; [key: string]: unknown }>; [key: string]: unknown } {
  const schema = z.toJSONSchema(preset.params, { io: 'input' }) as { properties?: Record<string, Record<string, unknown>> };
  const defaults = preset.params.parse({}) as Record<string, unknown>;
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (property.default === undefined && defaults[key] !== undefined) property.default = defaults[key];
  }
  return schema;
}
