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
  unknown_variable: (p) => `Unbekannter Platzhalter „${p.variable}“.${p.suggestion ? ` Gemeint ist vielleicht „${p.suggestion}“?` : ''}`,
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
  const german = code ? CODES[code] : undefined;
  try {
    return german ? german(params) : fallback;
  } catch {
    return fallback;
  }
};

/** The German message of a whole failure. */
export const errorMessage = (error: ApiError) => messageOf(error.code, {}, error.message || 'Unbekannter Fehler.');

/** The German message of one field's problem. */
export const fieldMessage = (problem: FieldProblem) => messageOf(problem.code, problem.params, problem.message);
