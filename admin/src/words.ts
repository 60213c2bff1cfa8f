/**
 * What automations do, in the words of an agency: statuses, triggers and actions in German. The
 * trigger's own label comes from the API's trigger reference (`label`); this adds its condition.
 */

export const STATUS_LABELS: Record<string, string> = {
  running: 'läuft',
  waiting: 'wartet',
  succeeded: 'erfolgreich',
  partial: 'teilweise',
  skipped: 'übersprungen',
  failed: 'fehlgeschlagen',
  uncertain: 'unklar',
};

export const statusLabel = (status: string | undefined) => (status ? (STATUS_LABELS[status] ?? status) : 'noch nie');

const list = (values: unknown): string[] => (Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : []);
const quoted = (values: string[]) => values.map((v) => `„${v}“`).join(' oder ');

/** "Deal wechselt zu „Reserviert“", "Aktivität erfasst (Besichtigung)": the trigger and its main condition. */
export function triggerInWords(trigger: { event: string; where?: Record<string, any> }, labels: Record<string, string> = {}): string {
  const where = trigger.where ?? {};
  const base = labels[trigger.event] ?? trigger.event;
  switch (trigger.event) {
    case 'DealStageChanged': {
      const to = list(where.toStage);
      return to.length ? `Deal wechselt zu ${quoted(to)}` : base;
    }
    case 'ActivityCreated':
    case 'ActivityUpdated': {
      const categories = list(where.activity?.category);
      const kind = trigger.event === 'ActivityCreated' ? 'angelegt' : 'geändert';
      return categories.length ? `${quoted(categories)} ${kind}` : base;
    }
    case 'RejectionCreated': {
      const reasons = list(where.rejection?.reason);
      return reasons.length ? `Absage mit Grund ${quoted(reasons)}` : base;
    }
    case 'InquiryReceived': {
      const from = list(where.inquiry?.fromAddress);
      return from.length ? `Anfrage von ${from.join(', ')}` : base;
    }
    default:
      return base;
  }
}

const RECIPIENTS: Record<string, string> = { contact: 'den Kontakt', property_contact_person: 'den Ansprechpartner des Objekts', contact_owner: 'den Betreuer des Kontakts' };
const ASSIGNEES: Record<string, string> = { property_contact_person: 'den Ansprechpartner des Objekts', contact_owner: 'den Betreuer des Kontakts' };

/** "1 Tag", "2 Stunden", "14 Tage vorher" from an ISO 8601 duration. */
export function durationInWords(iso: string | undefined): string {
  if (!iso) return '';
  const m = /^([+-])?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m) return iso;
  const units: Array<[string | undefined, string, string]> = [
    [m[2], 'Jahr', 'Jahre'], [m[3], 'Monat', 'Monate'], [m[4], 'Woche', 'Wochen'], [m[5], 'Tag', 'Tage'], [m[6], 'Stunde', 'Stunden'], [m[7], 'Minute', 'Minuten'], [m[8], 'Sekunde', 'Sekunden'],
  ];
  return units.filter(([n]) => n && Number(n) > 0).map(([n, one, many]) => `${n} ${Number(n) === 1 ? one : many}`).join(' ') || '0 Minuten';
}

/** One action in words: "E-Mail an den Kontakt: „Ihr Besichtigungstermin …“". */
export function actionInWords(action: Record<string, any>): string {
  switch (action.type) {
    case 'send_email': {
      const to = typeof action.to === 'string' ? RECIPIENTS[action.to] ?? action.to : action.to?.address ?? '';
      return `E-Mail an ${to}${action.attachIcs ? ' mit Kalendereinladung' : ''}: „${action.subject}“`;
    }
    case 'create_task': {
      const to = typeof action.assignee === 'string' ? ASSIGNEES[action.assignee] ?? action.assignee : 'einen Mitarbeiter';
      return `Aufgabe für ${to}: „${action.title}“`;
    }
    case 'update_contact':
      return `Kontakt ändern: ${describeSet(action.set)}`;
    case 'update_property':
      return `Objekt ändern: ${describeSet(action.set)}`;
    case 'move_deal':
      return `Deal nach „${action.stage}“ verschieben`;
    case 'create_contact':
      return `Kontakt anlegen${action.openDeal ? ' und Deal zum Objekt eröffnen' : ''}`;
    case 'wait': {
      if (action.for) return `Warten: ${durationInWords(action.for)}`;
      const offset: string | undefined = action.until?.offset;
      const field = action.until?.field ?? '';
      const when = offset ? `${durationInWords(offset)} ${offset.startsWith('-') ? 'vor' : 'nach'} ${field}` : `bis ${field}`;
      return `Warten: ${when}${action.withinSendWindow ? ' (in den Versandzeiten)' : ''}${action.while ? ', solange die Bedingung gilt' : ''}`;
    }
    default:
      return action.type;
  }
}

function describeSet(set: Record<string, unknown> = {}): string {
  const parts: string[] = [];
  if (set.archived === true) parts.push('archivieren');
  if (set.archived === false) parts.push('aus dem Archiv holen');
  if (typeof set.status === 'string') parts.push(`Status „${set.status}“`);
  if (set.newsletter === true) parts.push('Newsletter an');
  if (set.newsletter === false) parts.push('Newsletter aus');
  if (typeof set.ownerId === 'string') parts.push('Betreuer setzen');
  return parts.join(', ') || 'keine Änderung';
}
