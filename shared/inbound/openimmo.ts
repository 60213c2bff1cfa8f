import { XMLParser } from 'fast-xml-parser';
import { FIELD_LIMITS, type ExtractedInquiry } from '../model/inquiry.ts';
import type { Mail } from './mail.ts';
import { MAX_XML_BYTES, MAX_XML_CANDIDATES } from './limits.ts';
import { portalOf } from './portals.ts';
import { email, isoDate, line, phone, salutation, text } from './text.ts';

/** Content types portals and web sites send the OpenImmo-Feedback XML under. */
const XML_TYPES = new Set(['application/xml', 'text/xml', 'application/openimmo+xml', 'application/x-openimmo+xml', 'application/x-xml']);
const isXmlName = (filename: string | null) => (filename ?? '').toLowerCase().endsWith('.xml');

/**
 * The XML attachments that may be an OpenImmo-Feedback document, decoded: larger ones (no feedback
 * document is) and all but the first few are left alone, so parsing them costs bounded time.
 */
export function findFeedbackXml(mail: Mail): Buffer[] {
  return mail.attachments
    .filter((a) => a.content.length <= MAX_XML_BYTES)
    .filter((a) => XML_TYPES.has(a.contentType) || ((a.contentType === 'application/octet-stream' || a.contentType.startsWith('text/')) && isXmlName(a.filename)))
    .slice(0, MAX_XML_CANDIDATES)
    .map((a) => decodeXmlBytes(a.content, a.charset));
}

/**
 * Reads an OpenImmo-Feedback document. The DOCTYPE is removed before parsing (in one pass, see
 * withoutDoctype) and no entity other than XML's five and numeric character references is ever
 * expanded, so no external entity is resolved and no expansion can blow up. fast-xml-parser reads
 * the rest in linear time, refusing nesting deeper than 100 elements. Returns undefined for any
 * other XML, and for a document whose DOCTYPE is never closed.
 */
export function parseOpenImmoFeedback(xml: Buffer | string): ExtractedInquiry | undefined {
  const document = typeof xml === 'string' ? xml : xml.toString('utf8');
  if (!document.includes('openimmo_feedback')) return undefined;
  const source = withoutDoctype(document);
  if (source === undefined) return undefined;
  let doc: Record<string, any>;
  try {
    doc = parser.parse(source) as Record<string, any>;
  } catch {
    return undefined;
  }
  const root = doc.openimmo_feedback;
  if (!root || typeof root !== 'object') return undefined;
  const objekt = first(root.objekt) ?? {};
  const person = first(objekt.interessent) ?? first(root.interessent) ?? {};
  const sender = first(root.sender) ?? {};
  const value = (v: unknown) => decodeEntities(typeof v === 'object' && v !== null ? (v as Record<string, unknown>)['#text'] : v);
  const portalName = line(value(sender.name), FIELD_LIMITS.portal);

  const address = {
    company: line(value(person.firma)),
    street: line(value(person.strasse)),
    postalCode: line(value(person.plz), 10),
    city: line(value(person.ort)),
  };
  return {
    format: 'openimmo-feedback',
    portal: portalOf(portalName)?.name ?? portalName,
    salutation: salutation(value(person.anrede)),
    firstName: line(value(person.vorname), FIELD_LIMITS.name),
    lastName: line(value(person.nachname), FIELD_LIMITS.name),
    email: email(value(person.email)),
    phone: phone(value(person.tel)) ?? phone(value(person.mobil)),
    message: text(value(person.anfrage)),
    propertyRef: line(value(objekt.oobj_id), FIELD_LIMITS.ref),
    portalObjectId: line(value(objekt.portal_obj_id), FIELD_LIMITS.ref),
    preferredContact: all(person.bevorzugt).map((v) => line(value(v))).filter((v): v is string => v !== null),
    wishes: all(person.wunsch).map((v) => line(value(v))).filter((v): v is string => v !== null),
    sentOn: isoDate(value(sender.datum)),
    address: Object.values(address).some((v) => v !== null) ? address : null,
  };
}

/**
 * The document without its DOCTYPE declarations, internal subsets included. One pass, no regular
 * expression: each declaration is read from `<!DOCTYPE` to the `>` outside quotes and outside the
 * `[…]` subset, and the search goes on after it, so no byte is read twice (a regular expression
 * retried at every one of 30,000 unclosed `<!DOCTYPE` is quadratic). Undefined when a declaration
 * is never closed: such a document is no feedback document.
 */
export function withoutDoctype(source: string): string | undefined {
  const kept: string[] = [];
  let from = 0;
  let at = source.indexOf('<!', from);
  while (at >= 0) {
    if (source.slice(at + 2, at + 9).toLowerCase() !== 'doctype') {
      at = source.indexOf('<!', at + 2);
      continue;
    }
    let quote: string | null = null;
    let subset = false;
    let end = at + 9;
    for (; end < source.length; end++) {
      const c = source[end];
      if (quote) {
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '[') subset = true;
      else if (c === ']') subset = false;
      else if (c === '>' && !subset) break;
    }
    if (end >= source.length) return undefined;
    kept.push(source.slice(from, at));
    from = end + 1;
    at = source.indexOf('<!', from);
  }
  kept.push(source.slice(from));
  return kept.join('');
}

const parser = new XMLParser({
  ignoreAttributes: true,
  // Entities are decoded by decodeEntities below, which knows only XML's own.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => ['bevorzugt', 'wunsch', 'interessent', 'objekt'].includes(name),
});

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decodes XML's predefined entities and numeric character references in one pass (so `&amp;#13;`
 * stays the text `&#13;`). An unresolved reference (`&xxe;` whose DTD was dropped) carries no data
 * and is removed.
 */
export function decodeEntities(value: unknown): string | undefined {
  if (typeof value !== 'string') return typeof value === 'number' ? String(value) : undefined;
  return value.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z_][\w.-]*);/g, (_, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : '';
    }
    return XML_ENTITIES[ref] ?? '';
  });
}

/** Decodes XML bytes by the encoding its declaration names (UTF-8, ISO-8859-1, ISO-8859-15, windows-1252). */
export function decodeXmlBytes(bytes: Buffer, charset: string | null): Buffer {
  const head = bytes.subarray(0, 200).toString('latin1');
  const declared = /<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']/i.exec(head)?.[1] ?? charset ?? 'utf-8';
  let label = declared.toLowerCase();
  if (label === 'latin1' || label === 'latin-1') label = 'iso-8859-1';
  try {
    const decoded = new TextDecoder(label, { fatal: false }).decode(bytes);
    return Buffer.from(decoded.replace(/^\uFEFF/, ''), 'utf8');
  } catch {
    return bytes;
  }
}

const first = (value: unknown): Record<string, any> | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'object' && v !== null ? (v as Record<string, any>) : undefined;
};

const all = (value: unknown): unknown[] => (value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value]);
