import { Parser } from 'htmlparser2';
import { FIELD_LIMITS, type ExtractedInquiry } from '../model/inquiry.ts';
import { email, extracted, line, phone, salutation, text } from './text.ts';

/** Element ids web-site forms mark their fields with, and the field each fills. */
const FIELD_IDS: Record<string, keyof Fields> = {
  client_salutation: 'salutation',
  client_first_name: 'firstName',
  client_firstname: 'firstName',
  client_last_name: 'lastName',
  client_lastname: 'lastName',
  client_email: 'email',
  client_home_cell: 'phone',
  client_phone: 'phone',
  client_mobile: 'phone',
  client_cell: 'phone',
  client_message: 'message',
  property_unit_id: 'propertyRef',
  property_id: 'propertyRef',
  portal_object_id: 'portalObjectId',
};

type Fields = Record<'salutation' | 'firstName' | 'lastName' | 'email' | 'phone' | 'message' | 'propertyRef' | 'portalObjectId', string>;

/**
 * Reads a web form's HTML whose elements carry field ids (`<span id="client_first_name">`). The
 * HTML is only tokenised for those elements' text; nothing in it is rendered or followed.
 */
export function parseTaggedHtml(html: string): ExtractedInquiry | undefined {
  const fields: Partial<Fields> = {};
  const stack: Array<keyof Fields | null> = [];
  const parser = new Parser(
    {
      onopentag(_name, attributes) {
        stack.push(FIELD_IDS[(attributes.id ?? '').toLowerCase()] ?? null);
      },
      ontext(data) {
        const field = stack.findLast((f) => f !== null);
        if (field) fields[field] = (fields[field] ?? '') + data;
      },
      onclosetag() {
        stack.pop();
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  if (!fields.email && !fields.lastName) return undefined;
  return extracted('tagged-html', {
    salutation: salutation(fields.salutation),
    firstName: line(fields.firstName, FIELD_LIMITS.name),
    lastName: line(fields.lastName, FIELD_LIMITS.name),
    email: email(fields.email),
    phone: phone(fields.phone),
    message: text(fields.message),
    propertyRef: line(fields.propertyRef, FIELD_LIMITS.ref),
    portalObjectId: line(fields.portalObjectId, FIELD_LIMITS.ref),
  });
}
