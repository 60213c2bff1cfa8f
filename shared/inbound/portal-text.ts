import { FIELD_LIMITS, type ExtractedInquiry } from '../model/inquiry.ts';
import type { Mail } from './mail.ts';
import { portalOf } from './portals.ts';
import { email, extracted, line, phone, salutation, text } from './text.ts';

/** Labels portals use in their plain-text inquiry mails (ImmobilienScout24 style), by field. */
const LABELS: Array<[RegExp, keyof Labelled]> = [
  [/^(scout-id|scout id|objekt-id|immowelt-id|online-id|anzeigen-id)$/i, 'portalObjectId'],
  [/^(ihre objekt-nr\.?|objekt-nr\.?|objektnummer|ihre objektnummer|kennung)$/i, 'propertyRef'],
  [/^anrede$/i, 'salutation'],
  [/^vorname$/i, 'firstName'],
  [/^(nachname|name)$/i, 'lastName'],
  [/^(e-mail|email|e-mail-adresse)$/i, 'email'],
  [/^(telefon|tel\.?|telefonnummer|mobil|handy)$/i, 'phone'],
];

/** The heading after which the prospect's own message follows. */
const MESSAGE_HEADING = /^(nachricht( ihrer interessent:innen| des interessenten| der interessentin| ihres interessenten)?|ihre nachricht|mitteilung|anfrage):\s*$/i;

type Labelled = Record<'portalObjectId' | 'propertyRef' | 'salutation' | 'firstName' | 'lastName' | 'email' | 'phone', string>;

/** Reads a portal's plain-text inquiry: `Label: value` lines, then the message after its heading. */
export function parsePortalText(mail: Mail): ExtractedInquiry | undefined {
  const body = (mail.text ?? '').replace(/\r\n?/g, '\n');
  const lines = body.split('\n');
  const fields: Partial<Labelled> = {};
  let messageStart = -1;
  for (const [index, raw] of lines.entries()) {
    const current = raw.trim();
    if (MESSAGE_HEADING.test(current)) {
      messageStart = index + 1;
      break;
    }
    // `Label: value`, the label 2–40 characters before the first colon. Read with indexOf, not a
    // regular expression: `:\s*(.*)$` backtracks quadratically over a long run of spaces.
    const colon = current.indexOf(':');
    if (colon < 2 || colon > 40) continue;
    const label = current.slice(0, colon).trim();
    const field = LABELS.find(([pattern]) => pattern.test(label))?.[1];
    if (field && !(field in fields)) fields[field] = current.slice(colon + 1).trimStart();
  }
  const labelled = Object.keys(fields).length;
  if (!fields.email || labelled < 3) return undefined;
  const portal = portalOf(mail.from.address) ?? portalOf(mail.from.name);
  return extracted('portal-text', {
    portal: portal?.name ?? line(mail.from.name, FIELD_LIMITS.portal),
    salutation: salutation(fields.salutation),
    firstName: line(fields.firstName, FIELD_LIMITS.name),
    lastName: line(fields.lastName, FIELD_LIMITS.name),
    email: email(fields.email),
    phone: phone(fields.phone),
    message: messageStart >= 0 ? text(lines.slice(messageStart).join('\n')) : null,
    propertyRef: line(fields.propertyRef, FIELD_LIMITS.ref),
    portalObjectId: line(fields.portalObjectId, FIELD_LIMITS.ref),
  });
}
