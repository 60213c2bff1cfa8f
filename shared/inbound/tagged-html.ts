import type { TokenizerCallbacks } from 'htmlparser2';
import { tokenize } from './tokenize.ts';
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

/** Elements that have no content and are never closed. */
const VOID = new Set(['area', 'base', 'basefont', 'br', 'col', 'command', 'embed', 'frame', 'hr', 'img', 'input', 'isindex', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
/** An opening tag that closes the open element(s) on top of the stack, as in htmlparser2's Parser (`<p>` ends an open `<p>`). */
const P = new Set(['p']);
const FORM = new Set(['input', 'option', 'optgroup', 'select', 'button', 'datalist', 'textarea']);
const IMPLIES_CLOSE = new Map<string, ReadonlySet<string>>([
  ['tr', new Set(['tr', 'th', 'td'])], ['th', new Set(['th'])], ['td', new Set(['thead', 'th', 'td'])], ['body', new Set(['head', 'link', 'script'])],
  ['li', new Set(['li'])], ['option', new Set(['option'])], ['optgroup', new Set(['optgroup', 'option'])], ['dd', new Set(['dt', 'dd'])], ['dt', new Set(['dt', 'dd'])],
  ['rt', new Set(['rt', 'rp'])], ['rp', new Set(['rt', 'rp'])], ['tbody', new Set(['thead', 'tbody'])], ['tfoot', new Set(['thead', 'tbody'])],
  ...['select', 'input', 'output', 'button', 'datalist', 'textarea'].map((name) => [name, FORM] as const),
  ...['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'address', 'article', 'aside', 'blockquote', 'details', 'div', 'dl', 'fieldset', 'figcaption', 'figure',
    'footer', 'form', 'header', 'hr', 'main', 'nav', 'ol', 'pre', 'section', 'table', 'ul'].map((name) => [name, P] as const),
]);
/** Text collected per field beyond what any field can hold is dropped. */
const MAX_FIELD_TEXT = FIELD_LIMITS.message * 2;

/**
 * Reads a web form's HTML whose elements carry field ids (`<span id="client_first_name">`). The
 * HTML is only tokenised (htmlparser2's Tokenizer) for those elements' text; nothing in it is
 * rendered or followed. Runs in time linear in the input: the open elements are a stack whose top
 * knows the field it is in, a closing tag finds its element through a count of open elements per
 * name (a closing tag of no open element costs nothing), and each element is pushed and popped
 * once. (htmlparser2's Parser searches and shifts its stack per tag, quadratic on unclosed tags.)
 */
export function parseTaggedHtml(html: string): ExtractedInquiry | undefined {
  const fields: Partial<Fields> = {};
  /** Open elements: the name, and the field the element is in (its own or its nearest ancestor's). */
  const names: string[] = [];
  const within: Array<keyof Fields | null> = [];
  const openCount = new Map<string, number>();
  let tagName = '';
  let attribName = '';
  let attribValue = '';
  let id = '';

  const pop = () => {
    const name = names.pop()!;
    within.pop();
    openCount.set(name, openCount.get(name)! - 1);
  };
  const open = (name: string) => {
    const implied = IMPLIES_CLOSE.get(name);
    if (implied) while (names.length > 0 && implied.has(names.at(-1)!)) pop();
    if (VOID.has(name)) return;
    names.push(name);
    within.push(FIELD_IDS[id.toLowerCase()] ?? within.at(-1) ?? null);
    openCount.set(name, (openCount.get(name) ?? 0) + 1);
  };
  const close = (name: string) => {
    if (VOID.has(name) || !openCount.get(name)) return;
    while (names.at(-1) !== name) pop();
    pop();
  };
  const append = (value: string) => {
    const field = within.at(-1);
    if (!field) return;
    const current = fields[field] ?? '';
    if (current.length < MAX_FIELD_TEXT) fields[field] = current + value;
  };

  const callbacks: Partial<TokenizerCallbacks> = {
    ontext: (start, end) => {
      if (within.at(-1)) append(html.slice(start, end));
    },
    ontextentity: (codepoint) => {
      if (within.at(-1)) append(String.fromCodePoint(codepoint));
    },
    onopentagname: (start, end) => {
      tagName = html.slice(start, end).toLowerCase();
      id = '';
    },
    onattribname: (start, end) => {
      attribName = html.slice(start, end).toLowerCase();
      attribValue = '';
    },
    onattribdata: (start, end) => {
      if (attribName === 'id' && attribValue.length < 100) attribValue += html.slice(start, Math.min(end, start + 100));
    },
    onattribentity: (codepoint) => {
      if (attribName === 'id' && attribValue.length < 100) attribValue += String.fromCodePoint(codepoint);
    },
    onattribend: () => {
      // The first id counts, as in a browser.
      if (attribName === 'id' && id === '') id = attribValue || ' ';
      attribName = '';
    },
    onopentagend: () => open(tagName),
    // `<span id="x"/>` opens its element in HTML, as htmlparser2's Parser (not in XML mode) does.
    onselfclosingtag: () => open(tagName),
    onclosetag: (start, end) => close(html.slice(start, end).toLowerCase()),
  };
  tokenize(html, callbacks);

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
