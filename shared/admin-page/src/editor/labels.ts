/** German names for what the editor shows: fields of the records, action types, operators, param keys. */

export const ACTION_TYPES: Array<[string, string]> = [
  ['send_email', 'E-Mail senden'],
  ['create_task', 'Aufgabe anlegen'],
  ['update_contact', 'Kontakt ändern'],
  ['update_property', 'Objekt ändern'],
  ['move_deal', 'Deal verschieben'],
  ['create_contact', 'Kontakt anlegen'],
  ['wait', 'Warten'],
];
export const actionTypeLabel = (type: string) => ACTION_TYPES.find(([t]) => t === type)?.[1] ?? type;

const PARTS: Record<string, string> = {
  contact: 'Kontakt',
  property: 'Objekt',
  deal: 'Deal',
  activity: 'Aktivität',
  rejection: 'Absage',
  inquiry: 'Anfrage',
  owner: 'Betreuer',
  contactPerson: 'Ansprechpartner',
  previous: 'vorher',
  causedBy: 'ausgelöst durch Automatisierung',
  automationId: 'Automatisierung (ID)',
  executionId: 'Lauf (ID)',
  depth: 'Tiefe',
  stage: 'Phase',
  toStage: 'Neue Phase',
  fromStage: 'Bisherige Phase',
  pipelineId: 'Pipeline',
  category: 'Kategorie',
  type: 'Art',
  status: 'Status',
  reason: 'Grund',
  note: 'Notiz',
  salutation: 'Anrede',
  firstName: 'Vorname',
  lastName: 'Nachname',
  company: 'Firma',
  email: 'E-Mail',
  phone: 'Telefon',
  birthday: 'Geburtstag',
  newsletter: 'Newsletter',
  gdprConsent: 'Einwilligung (DSGVO)',
  ownerId: 'Betreuer (ID)',
  source: 'Quelle',
  archived: 'archiviert',
  cancelled: 'abgesagt',
  unitId: 'Objektnummer',
  title: 'Titel',
  body: 'Text',
  price: 'Preis',
  marketingType: 'Vermarktungsart',
  address: 'Adresse',
  street: 'Straße',
  houseNumber: 'Hausnummer',
  postalCode: 'PLZ',
  city: 'Ort',
  country: 'Land',
  contactPersonId: 'Ansprechpartner (ID)',
  contactId: 'Kontakt (ID)',
  contactIds: 'Kontakte (IDs)',
  propertyId: 'Objekt (ID)',
  dealId: 'Deal (ID)',
  startsAt: 'Beginn',
  endsAt: 'Ende',
  location: 'Ort',
  recipient: 'Empfänger',
  changedFields: 'Geänderte Felder',
  occurredAt: 'Zeitpunkt',
  date: 'Datum',
  age: 'Alter',
  createdAt: 'angelegt am',
  updatedAt: 'geändert am',
  id: 'ID',
  tenantId: 'Mandant',
  version: 'Version',
  fromAddress: 'Absenderadresse',
  from: 'Absender',
  subject: 'Betreff',
  receivedAt: 'eingegangen am',
  authenticated: 'Absender bestätigt',
  extracted: 'erkannt',
  portal: 'Portal',
  message: 'Nachricht',
  automationName: 'Automatisierung',
};

/** "Deal › Phase" for `deal.stage`. */
export const fieldWords = (path: string) =>
  path
    .split('.')
    .map((part) => PARTS[part] ?? part)
    .join(' › ');

/** "Deal › Phase (deal.stage)": the words and the path the API names. */
export const fieldLabel = (path: string) => `${fieldWords(path)} (${path})`;

const VALUES: Record<string, string> = {
  appointment: 'Termin',
  note: 'Notiz',
  call: 'Anruf',
  email: 'E-Mail',
  letter: 'Brief',
  mr: 'Herr',
  ms: 'Frau',
  mx: 'divers',
  buy: 'Kauf',
  rent: 'Miete',
  received: 'eingegangen',
  refused: 'abgewiesen',
  true: 'ja',
  false: 'nein',
};
/** A value of an enum in words, with the value itself where the word differs. */
export const valueLabel = (value: string) => (VALUES[value] && VALUES[value] !== value ? `${VALUES[value]} (${value})` : value);

export const OPERATORS: Array<[Operator, string]> = [
  ['in', 'ist einer von'],
  ['not', 'ist nicht'],
  ['prefix', 'beginnt mit'],
  ['exists', 'existiert'],
];
export type Operator = 'in' | 'not' | 'prefix' | 'exists';

/** Labels of the fields of an action, for the error summary. */
export const ACTION_FIELDS: Record<string, string> = {
  type: 'Art',
  to: 'Empfänger',
  address: 'E-Mail-Adresse',
  subject: 'Betreff',
  body: 'Text',
  purpose: 'Zweck',
  attachIcs: 'Kalendereinladung',
  assignee: 'Zuständig',
  'assignee-user': 'Mitarbeiter',
  title: 'Titel',
  dueInDays: 'Fällig in Tagen',
  'set-status': 'Status',
  'set-newsletter': 'Newsletter',
  'set-archived': 'Archiv',
  'set-ownerId': 'Betreuer',
  stage: 'Phase',
  'defaults-status': 'Status des neuen Kontakts',
  'defaults-newsletter': 'Newsletter',
  'defaults-owner': 'Betreuer',
  openDeal: 'Deal eröffnen',
  'wait-mode': 'Warten auf',
  for: 'Dauer',
  'until-field': 'Datum',
  'until-offset': 'Abstand',
  withinSendWindow: 'Versandzeiten',
  ifPast: 'Schon vorbei',
  while: 'Solange',
};

/** German names of the presets' parameters (the API describes them in English). */
export const PARAMS: Record<string, { label: string; hint?: string }> = {
  stage: { label: 'Deal-Phase', hint: 'Die Phase, bei der die Automatisierung ausgelöst wird.' },
  dueInDays: { label: 'Fällig in (Tagen)', hint: 'Tage bis zur Fälligkeit der Aufgabe.' },
  category: { label: 'Kategorie', hint: 'Die Kategorie der Aktivität, auf die die Automatisierung achtet.' },
  reason: { label: 'Absagegrund', hint: 'Der Grund der Absage, bei dem die Automatisierung ausgelöst wird.' },
  status: { label: 'Objektstatus', hint: 'Der Status, den das Objekt erhält.' },
  senderAddresses: { label: 'Absenderadressen', hint: 'Die Adressen der Portale und Formulare, deren Anfragen einen Kontakt anlegen: eine pro Zeile.' },
  before: { label: 'Wie lange vorher', hint: 'Wie lange vor dem Termin die Erinnerung verschickt wird.' },
  after: { label: 'Wie lange danach', hint: 'Wie lange danach die Automatisierung weitermacht.' },
};
