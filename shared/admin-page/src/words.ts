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
      return stepTypeLabel(String(action.type));
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

// ---- Runs: steps, records and reasons in German (the list and the run page) ----

/** What a step's status reads as (a step "erledigt", a run "erfolgreich"). */
export const STEP_STATUS_LABELS: Record<string, string> = {
  pending: 'ausstehend',
  started: 'begonnen',
  waiting: 'wartet',
  succeeded: 'erledigt',
  failed: 'fehlgeschlagen',
  skipped: 'übersprungen',
  uncertain: 'unklar',
};

/** Unknown ones read as such (never as a raw code; a newer server may know more states). */
export const stepStatusLabel = (status: string) => STEP_STATUS_LABELS[status] ?? 'unbekannter Stand';

/** A step's kind when the automation's own action is no longer at hand (edited or deleted since). */
export const STEP_TYPE_LABELS: Record<string, string> = {
  send_email: 'E-Mail senden',
  create_task: 'Aufgabe anlegen',
  update_contact: 'Kontakt ändern',
  update_property: 'Objekt ändern',
  move_deal: 'Deal verschieben',
  create_contact: 'Kontakt anlegen',
  wait: 'Warten',
};

export const stepTypeLabel = (type: string) => STEP_TYPE_LABELS[type] ?? 'Unbekannter Schritt';

/** The German names of the fields a run changes or an event names as changed. */
export const FIELD_LABELS: Record<string, string> = {
  archived: 'archiviert',
  status: 'Status',
  newsletter: 'Newsletter',
  ownerId: 'Betreuer',
  stage: 'Phase',
  startsAt: 'Beginn',
  endsAt: 'Ende',
  location: 'Ort',
  title: 'Titel',
  cancelled: 'abgesagt',
  email: 'E-Mail',
  phone: 'Telefon',
  firstName: 'Vorname',
  lastName: 'Nachname',
  salutation: 'Anrede',
  company: 'Firma',
  birthday: 'Geburtstag',
  gdprConsent: 'Einwilligung',
  price: 'Preis',
  contactPersonId: 'Ansprechpartner',
  address: 'Adresse',
  unitId: 'Objektnummer',
};

export const fieldsInWords = (fields: unknown): string =>
  (Array.isArray(fields) ? fields : []).map((f) => FIELD_LABELS[String(f)] ?? String(f)).join(', ');

/** "the contact Erika Musterfrau (01J…)" → "der Kontakt Erika Musterfrau (01J…)". */
function recordInGerman(text: string): string {
  return text
    .replace(/^the contact /i, 'der Kontakt ')
    .replace(/^the property /i, 'das Objekt ')
    .replace(/^the user /i, 'der Mitarbeiter ')
    .replace(/^the deal /i, 'der Deal ')
    .replace(/^the activity /i, 'die Aktivität ')
    .replace(/^the inquiry /i, 'die Anfrage ');
}

const upper = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const WHO = '((?:the|The) (?:contact|property|user|deal|activity|inquiry)\\b.*?)';
const ENTITY_DE: Record<string, string> = { contact: 'Der Kontakt', property: 'Das Objekt', deal: 'Der Deal', activity: 'Die Aktivität', inquiry: 'Die Anfrage' };
const ENTITY_ACC: Record<string, string> = { contact: 'keinen Kontakt', property: 'kein Objekt', deal: 'keinen Deal' };

/**
 * The engine's skip and failure reasons (English, naming the record) in German. A reason this
 * does not know stays as it is, so nothing is ever hidden; `null` marks such a reason to the caller.
 * ISO moments in a reason are shown as dates in the agency's time zone.
 */
export function reasonInGerman(reason: string, timeZone: string): string | null {
  const when = (iso: string) => {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat('de-DE', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date);
  };
  const who = (text: string) => upper(recordInGerman(text));
  const rules: Array<[RegExp, (...m: string[]) => string]> = [
    [new RegExp(`^${WHO} is archived and takes no tasks$`), (w) => `${who(w)} ist archiviert und bekommt keine Aufgaben.`],
    [new RegExp(`^${WHO} is archived$`), (w) => `${who(w)} ist archiviert.`],
    [new RegExp(`^${WHO} has no e-mail address$`), (w) => `${who(w)} hat keine E-Mail-Adresse.`],
    [new RegExp(`^${WHO} has not consented to marketing e-mail$`), (w) => `${who(w)} hat keine Einwilligung in Werbe-E-Mails gegeben.`],
    [new RegExp(`^${WHO} has not subscribed to the newsletter$`), (w) => `${who(w)} hat den Newsletter nicht abonniert.`],
    [new RegExp(`^${WHO} has no owner(?: to assign the task to)?$`), (w) => `${who(w)} hat keinen Betreuer.`],
    [new RegExp(`^${WHO} has no contact person(?: to assign the task to)?$`), (w) => `${who(w)} hat keinen Ansprechpartner.`],
    [/^The (contact|property|deal|activity) (\S+) no longer exists$/, (e, id) => `${ENTITY_DE[e!]} ${id} existiert nicht mehr.`],
    [/^The (contact|activity) (\S+) was deleted while the run waited$/, (e, id) => `${ENTITY_DE[e!]} ${id} wurde gelöscht, während der Lauf wartete.`],
    [/^The (\w+) event names no (contact|property|deal)\b.*$/, (_t, e) => `Das Ereignis nennt ${ENTITY_ACC[e!]}.`],
    [/^The event has no contact whose owner could take the task$/, () => 'Das Ereignis nennt keinen Kontakt, dessen Betreuer die Aufgabe übernehmen könnte.'],
    [/^The event has no property whose contact person could take the task$/, () => 'Das Ereignis nennt kein Objekt, dessen Ansprechpartner die Aufgabe übernehmen könnte.'],
    [/^The tenant has no sender address.*$/, () => 'Die Agentur hat keine Absenderadresse: E-Mails können erst verschickt werden, wenn in den Einstellungen eine Absenderadresse hinterlegt ist.'],
    [/^The activity has no start and end to invite to$/, () => 'Die Aktivität hat keinen Beginn und kein Ende, zu dem eingeladen werden könnte.'],
    [/^The inquiry no longer exists$/, () => 'Die Anfrage existiert nicht mehr.'],
    [/^The inquiry has no e-mail address$/, () => 'Die Anfrage enthält keine E-Mail-Adresse.'],
    [/^The automation caused this event itself.*$/, () => 'Die Automatisierung hat dieses Ereignis selbst ausgelöst; eine Automatisierung löst sich nie selbst aus.'],
    [/^Chain of automations stopped at depth (\d+) \(limit (\d+)\)$/, (d, l) => `Kette von Automatisierungen bei Tiefe ${d} angehalten (höchstens ${l}).`],
    [/^The wait follows (\S+), which is empty$/, (f) => `Die Wartezeit richtet sich nach ${f}, das leer ist.`],
    [/^The moment to wait for \((\S+)\) is more than a year ahead$/, (at) => `Der Zeitpunkt (${when(at!)}) liegt mehr als ein Jahr in der Zukunft.`],
    [/^The moment to wait for \((\S+)\) had already passed$/, (at) => `Der Zeitpunkt (${when(at!)}) war schon vorbei.`],
    [/^(\S+) \((\S+)\) has passed; a wait for a moment before it does not go on$/, (f, at) => `${f} (${when(at!)}) ist vorbei; eine Wartezeit bis vor diesem Zeitpunkt geht nicht mehr weiter.`],
    [/^The automation was deleted while the run waited$/, () => 'Die Automatisierung wurde gelöscht, während der Lauf wartete.'],
    [/^The automation was disabled while the run waited$/, () => 'Die Automatisierung wurde ausgeschaltet, während der Lauf wartete.'],
    [/^The automation was disabled \(and enabled again\) while the run waited$/, () => 'Die Automatisierung wurde aus- und wieder eingeschaltet, während der Lauf wartete.'],
    [/^The automation's trigger was changed \(to (\w+)\)( while the run waited)?$/, (t, w) => `Der Auslöser der Automatisierung wurde geändert (zu ${t})${w ? ', während der Lauf wartete' : ''}.`],
    [/^The automation's steps were changed while the run waited$/, () => 'Die Schritte der Automatisierung wurden geändert, während der Lauf wartete.'],
    [/^The automation was disabled$/, () => 'Die Automatisierung wurde ausgeschaltet.'],
    [/^The automation was deleted$/, () => 'Die Automatisierung wurde gelöscht.'],
    [/^The contact was archived while the run waited$/, () => 'Der Kontakt wurde archiviert, während der Lauf wartete.'],
    [/^The appointment was cancelled while the run waited$/, () => 'Der Termin wurde abgesagt, während der Lauf wartete.'],
    [/^The wait's condition no longer holds: (.*)$/, (why) => `Die Bedingung der Wartezeit gilt nicht mehr: ${why}`],
    [/^Cancelled by an admin \((.*)\)$/, (id) => `Von einem Administrator abgebrochen (${id}).`],
    [/^A send was interrupted; whether that e-mail went out is unknown$/, () => 'Ein Versand wurde unterbrochen: ob die E-Mail hinausging, ist unklar.'],
    [/^An attempt was interrupted during the send.*$/, () => 'Ein Versuch wurde während des Versands unterbrochen: ob die E-Mail hinausging, ist unklar; sie wird nicht noch einmal gesendet.'],
    [/^"(.*)" is not a stage of the pipeline "(.*)" of the deal (\S+)(?: \((.*)\))?$/, (s, p, d, all) => `„${s}“ ist keine Phase der Pipeline „${p}“ des Deals ${d}${all ? ` (möglich: ${all})` : ''}.`],
  ];
  const nested: Array<[RegExp, (rest: string) => string]> = [
    [/^A send was interrupted \(not repeated\); then: (.*)$/s, (rest) => `Ein Versand wurde unterbrochen (nicht wiederholt); danach: ${rest}`],
    [/^Given up after the retries: (.*)$/s, (rest) => `Nach allen Wiederholungen aufgegeben: ${rest}`],
    [/^The message could not be composed: (.*)$/s, (rest) => `Die E-Mail konnte nicht erstellt werden: ${rest}`],
    [/^The template is not valid: (.*)$/s, (rest) => `Die Vorlage ist ungültig: ${rest}`],
    [/^The trigger's condition can no longer be used \((.*)\); edit and save the automation again$/s, (rest) => `Die Bedingung des Auslösers ist nicht mehr verwendbar (${rest}); bitte die Automatisierung bearbeiten und erneut speichern.`],
  ];
  const text = reason.trim();
  const mayHaveGone = /^(.*): the e-mail may have gone out; it is not sent again$/s.exec(text);
  if (mayHaveGone) return `${reasonInGerman(mayHaveGone[1]!, timeZone) ?? mayHaveGone[1]}: die E-Mail ist vielleicht hinausgegangen; sie wird nicht noch einmal gesendet.`;
  for (const [pattern, german] of rules) {
    const m = pattern.exec(text);
    if (m) return german(...m.slice(1).map((s) => s ?? ''));
  }
  for (const [pattern, german] of nested) {
    const m = pattern.exec(text);
    if (m) return german(reasonInGerman(m[1]!, timeZone) ?? m[1]!);
  }
  return null;
}

/** A person or company as a list shows it: "Erika Musterfrau", else the company or e-mail. */
export function personName(p: { firstName?: string; lastName?: string; company?: string; email?: string } | undefined): string | undefined {
  if (!p) return undefined;
  return [p.firstName, p.lastName].filter(Boolean).join(' ') || p.company || p.email || undefined;
}

/** A property as agents name it: "MI-2026-014 „Altbau in Mitte“". */
export function propertyName(p: { unitId?: string; title?: string } | undefined): string | undefined {
  if (!p) return undefined;
  if (p.unitId && p.title) return `${p.unitId} „${p.title}“`;
  return p.unitId ?? p.title ?? undefined;
}

/** Activity types in German. */
export const ACTIVITY_TYPE_LABELS: Record<string, string> = { appointment: 'Termin', note: 'Notiz', call: 'Anruf', email: 'E-Mail', letter: 'Brief' };
