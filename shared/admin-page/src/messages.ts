import type { ApiError, FieldProblem } from './api.ts';

/**
 * The API's error codes in German. The API's English message stays available (as a tooltip and
 * for codes this table does not know), so a new code never shows as nothing.
 */
const CODES: Record<string, (p: Record<string, any>) => string> = {
  // Whole requests
  network: () => 'Die Verbindung zum Server ist fehlgeschlagen. Bitte erneut versuchen.',
  http_401: () => 'Die Anmeldung ist abgelaufen. Bitte erneut anmelden.',
  http_403: () => 'Dafür fehlt die Berechtigung (nur Administratoren).',
  not_found: () => 'Nicht gefunden (gelöscht oder aus einem anderen Mandanten).',
  http_404: () => 'Nicht gefunden (gelöscht oder aus einem anderen Mandanten).',
  http_413: () => 'Die Eingabe ist zu groß.',
  version_conflict: () => 'Jemand hat das inzwischen geändert. Bitte neu laden und die Änderung wiederholen.',
  stale_version: () => 'Veralteter Stand: bitte neu laden.',
  validation_failed: () => 'Bitte die markierten Felder prüfen.',
  not_waiting: () => 'Dieser Lauf wartet nicht (mehr): er wurde schon fortgesetzt oder beendet.',
  pick_list_value_in_use: (p) => `„${p.value}“ wird noch von aktiven Automatisierungen verwendet: ${(p.automations ?? []).map((a: { name: string }) => a.name).join(', ')}.`,
  // Fields
  required: () => 'Pflichtfeld.',
  unknown_field: () => 'Dieses Feld gibt es hier nicht.',
  read_only: () => 'Dieses Feld kann nicht geändert werden.',
  unknown_path: (p) => `Das Ereignis hat kein Feld „${p.field}“.${p.suggestion ? ` Gemeint ist vielleicht „${p.suggestion}“?` : ''}`,
  not_an_object: (p) => `„${p.field}“ ist ein einzelner Wert: Bedingungen als Liste angeben, z. B. ["Wert"].`,
  not_a_value: (p) => `„${p.field}“ ist ein Objekt: bitte eines seiner Felder wählen.`,
  operand_type: (p) => `Der Wert passt nicht zum Feld „${p.field}“ (${p.type}).`,
  invalid_value: (p) => `„${p.value}“ ist kein zulässiger Wert. Möglich: ${(p.allowed ?? []).join(', ')}.`,
  not_in_pick_list: (p) => `„${p.value}“ steht nicht in der Auswahlliste.${p.suggestion ? ` Meinten Sie „${p.suggestion}“?` : ''} Möglich: ${(p.allowed ?? []).join(', ')}.`,
  invalid_pattern: (p) => `Die Bedingung ist ungültig${p.reason ? ` (${p.reason})` : ''}.`,
  too_deep: () => 'Die Bedingung ist zu tief verschachtelt.',
  template_syntax: (p) => `Fehler in der Vorlage${p.line ? ` (Zeile ${p.line}, Spalte ${p.column})` : ''}${p.cause ? `: ${p.cause}` : ''}.`,
  unknown_variable: (p) => `Unbekannter Platzhalter „${p.variable ?? p.path}“.${p.suggestion ? ` Gemeint ist vielleicht „${p.suggestion}“?` : ''}`,
  unknown_helper: (p) => `Unbekannte Funktion „${p.helper}“.`,
  helper_arguments: (p) => `Falsche Angaben für „${p.helper}“.`,
  not_allowed: () => 'Diese Schreibweise ist in Vorlagen nicht erlaubt.',
  not_provided: (p) => `Dieser Auslöser liefert kein(e) ${p.entity}.`,
  wrong_trigger: (p) => `Diese Aktion geht nur mit dem Auslöser ${(p.allowed ?? []).join(', ')}.`,
  marketing_to_contacts_only: () => 'Werbe-E-Mails gehen nur an Kontakte.',
  unknown_preset: () => 'Unbekannte Vorlage.',
  put_under_params: (p) => `„${p.param}“ gehört zu den Parametern der Vorlage.`,
  wait_needs_one: () => 'Eine Wartezeit braucht entweder eine Dauer oder ein Datum (nicht beides).',
  invalid_duration: () => 'Ungültige Dauer: bitte z. B. 1 Tag, 2 Stunden (höchstens ein Jahr).',
  not_a_date: (p) => `„${p.field}“ ist kein Datum.`,
  wait_last: () => 'Nach einer Wartezeit muss noch eine Aktion folgen.',
  waits_too_long: () => 'Alle Wartezeiten zusammen dürfen höchstens ein Jahr dauern.',
};

const messageOf = (code: string | undefined, params: Record<string, unknown> = {}, fallback: string): string => {
  const german = code ? CODES[code] ?? MORE_CODES[code] : undefined;
  try {
    return german ? german(params) : fallback;
  } catch {
    return fallback;
  }
};

/** Codes the server sends that the table above lacks. */
const MORE_CODES: Record<string, (p: Record<string, any>) => string> = {
  custom: () => 'Ungültige Angabe.',
  duplicate_value: () => 'Dieser Wert ist schon vergeben.',
  in_future: () => 'Das Datum darf nicht in der Zukunft liegen.',
  deal_of_other_contact: () => 'Der Deal gehört zu einem anderen Kontakt.',
  deal_of_other_property: () => 'Der Deal gehört zu einem anderen Objekt.',
  unsupported_media_type: () => 'Die Anfrage hat ein falsches Format.',
};

/** A code this page does not know: a German sentence by the HTTP status, never the API's English. */
const unknownFailure = (error: ApiError) =>
  error.status >= 500 ? 'Der Server hat einen Fehler gemeldet. Bitte später erneut versuchen.' : error.status === 0 ? 'Die Verbindung zum Server ist fehlgeschlagen.' : 'Die Aktion wurde abgelehnt.';

/** The German message of a whole failure. */
export const errorMessage = (error: ApiError) => messageOf(error.code, {}, unknownFailure(error));

/** The German message of one field's problem. */
export const fieldMessage = (problem: FieldProblem) => messageOf(problem.code, problem.params, 'Ungültige Angabe.');

// ---- The list and the run page: more codes, warnings of automations and steps ----

Object.assign(CODES, {
  unauthorized: () => 'Die Anmeldung ist abgelaufen. Bitte erneut anmelden.',
  forbidden: () => 'Dafür fehlt die Berechtigung (nur Administratoren).',
  http_409: () => 'Das geht im jetzigen Zustand nicht. Bitte neu laden.',
  http_500: () => 'Auf dem Server ist ein Fehler aufgetreten. Bitte später erneut versuchen.',
  http_502: () => 'Der Server ist gerade nicht erreichbar. Bitte später erneut versuchen.',
  http_503: () => 'Der Server ist gerade nicht erreichbar. Bitte später erneut versuchen.',
  internal: () => 'Auf dem Server ist ein Fehler aufgetreten. Bitte später erneut versuchen.',
  invalid_cursor: () => 'Die Seite ist veraltet. Bitte die Liste neu laden.',
  payload_too_large: () => 'Die Eingabe ist zu groß.',
  duplicate: () => 'Das gibt es schon.',
  not_changeable: () => 'Das kann nicht mehr geändert werden.',
} satisfies Record<string, (p: Record<string, any>) => string>);

/** A whole failure with the problems of its fields, for places that show no form (a switch, a button). */
export function errorWithFields(error: ApiError): string {
  const whole = errorMessage(error);
  const fields = error.fields.map((f) => fieldMessage(f)).filter((m, i, all) => m && all.indexOf(m) === i);
  if (fields.length === 0) return whole;
  return `${error.code === 'validation_failed' ? 'Die Automatisierung passt nicht mehr zu den Einstellungen' : whole}: ${fields.join(' ')}`;
}

/** Warnings of an automation (GET /automations) and of a run's step, in German. */
const WARNINGS: Record<string, (p: Record<string, any>) => string> = {
  no_sender_address: () => 'Die Agentur hat keine Absenderadresse: jeder E-Mail-Schritt schlägt fehl, bis eine in den Einstellungen hinterlegt ist.',
  never_matches: (p) =>
    p.fromStage
      ? 'Der Auslöser kann nie zutreffen: ein Deal wechselt nie von einer Phase in dieselbe.'
      : p.dealStage
        ? 'Der Auslöser kann nie zutreffen: die Phase des Deals ist nach dem Wechsel immer die Zielphase (nur „toStage“ prüfen).'
        : p.field === 'contact.archived'
          ? 'Der Auslöser kann nie zutreffen: archivierte Kontakte bekommen kein Geburtstagsereignis.'
          : p.field === 'inquiry.status'
            ? 'Der Auslöser kann nie zutreffen: abgewiesene Anfragen lösen kein Ereignis aus.'
            : 'Der Auslöser kann nie zutreffen.',
  marketing_without_consent_check: (p) => `Ein Geburtstagsgruß ist Werbung: als „transaktional“ geht er${typeof p.action === 'number' ? ` (Schritt ${p.action + 1})` : ''} auch an Kontakte ohne Einwilligung oder Newsletter. Bitte als Werbe-E-Mail senden.`,
  invitation_without_appointment: (p) => `Die Kalendereinladung${typeof p.action === 'number' ? ` (Schritt ${p.action + 1})` : ''} braucht einen Termin: für Notizen, Anrufe und andere Aktivitäten ohne Uhrzeit wird der Schritt übersprungen. Im Auslöser auf Termine beschränken.`,
  unauthenticated_sender: () => 'Der Auslöser gilt auch für Anfragen, deren Absender nicht bestätigt ist (ein gefälschter Absender): auf bestätigte Absender beschränken.',
  empty_variable: (p) => `Der Platzhalter {{${p.variable}}} war bei diesem Lauf leer.`,
};

export const warningMessage = (warning: { code: string; message: string; params?: Record<string, unknown> }) => {
  const german = WARNINGS[warning.code];
  try {
    return german ? german(warning.params ?? {}) : warning.message;
  } catch {
    return warning.message;
  }
};

// ---- The editor's codes (added with the editor; a code defined above keeps its text) ----
const ORIGINS: Record<string, [string, string]> = { string: ['Zeichen', 'Zeichen'], array: ['Eintrag', 'Einträge'] };
const counted = (n: number, origin: unknown) => {
  const words = ORIGINS[String(origin)];
  return words ? `${n} ${n === 1 ? words[0] : words[1]}` : String(n);
};
const TYPES: Record<string, string> = { string: 'Text', number: 'eine Zahl', int: 'eine ganze Zahl', boolean: 'ja oder nein', object: 'ein Objekt', array: 'eine Liste' };
const EDITOR_CODES: Record<string, (p: Record<string, any>) => string> = {
  too_small: (p) => (p.origin === 'string' && Number(p.minimum) === 1 ? 'Pflichtfeld.' : `Zu klein: mindestens ${counted(Number(p.minimum), p.origin)}.`),
  too_big: (p) => `Zu groß: höchstens ${counted(Number(p.maximum), p.origin)}.`,
  invalid_type: (p) => `Ungültige Angabe${p.expected ? ` (erwartet: ${TYPES[p.expected] ?? p.expected})` : ''}.`,
  invalid_format: (p) => (p.format === 'email' ? 'Keine gültige E-Mail-Adresse.' : 'Ungültiges Format.'),
  invalid: () => 'Ungültige Angabe.',
  already_in_use: () => 'Dieser Wert wird schon verwendet.',
  forbidden_key: () => 'Dieser Name ist als Schlüssel nicht erlaubt.',
  invalid_json: (p) => `Kein gültiges JSON${p.reason ? ` (${p.reason})` : ''}.`,
  json_not_object: () => 'Die Bedingung muss ein JSON-Objekt sein, z. B. {"toStage": ["Reserviert"]}.',
  choose_field: () => 'Bitte ein Feld wählen.',
  choose_value: () => 'Bitte mindestens einen Wert angeben.',
  not_a_number: (p) => `„${p.value}“ ist keine Zahl.`,
  field_twice: () => 'Für dieses Feld gibt es schon eine Bedingung: bitte die Werte dort ergänzen.',
};
for (const [code, text] of Object.entries(EDITOR_CODES)) CODES[code] ??= text;
