import { describe, expect, it } from 'vitest';
import { extractInquiry } from '#shared/inbound/extract';
import { parseMail } from '#shared/inbound/mail';
import { decodeEntities, parseOpenImmoFeedback } from '#shared/inbound/openimmo';
import { eml, type EmlOptions } from '../support/eml.ts';

const extract = async (options: EmlOptions) => extractInquiry(await parseMail(await eml(options)));

const feedback = (inner: string, encoding = 'UTF-8') =>
  `<?xml version="1.0" encoding="${encoding}"?><openimmo_feedback><version>1.2.7</version><sender><name>Immowelt</name><datum>20.11.2026</datum></sender>` +
  `<objekt><portal_obj_id>IW-77</portal_obj_id><oobj_id>KR-7</oobj_id><interessent>${inner}</interessent></objekt></openimmo_feedback>`;

describe('OpenImmo-Feedback', () => {
  it('reads ISO-8859-15 (the euro sign) and a German date', async () => {
    const xml = Buffer.from(feedback('<anrede>Frau</anrede><vorname>Zoë</vorname><nachname>Weiß</nachname><email>ZOE@EXAMPLE.COM </email><anfrage>Budget 500.000 \u20ac</anfrage>', 'ISO-8859-15'), 'utf8');
    const latin9 = Buffer.from(new TextDecoder('utf-8').decode(xml).replace('\u20ac', '\u00a4'), 'latin1');
    const result = await extract({ attachments: [{ filename: 'feedback.xml', contentType: 'text/xml', content: latin9 }] });
    expect(result).toMatchObject({ format: 'openimmo-feedback', portal: 'Immowelt', salutation: 'ms', firstName: 'Zoë', lastName: 'Weiß', email: 'zoe@example.com', sentOn: '2026-11-20' });
    expect(result.message).toBe('Budget 500.000 €');
  });

  it('reads UTF-8 with a byte order mark, an ISO date, and repeated bevorzugt and wunsch', async () => {
    const xml = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        feedback('<nachname>Öz</nachname><email>oez@example.com</email><bevorzugt>EMAIL</bevorzugt><bevorzugt>TEL</bevorzugt><wunsch>BESICHTIGUNG</wunsch><wunsch>EXPOSE</wunsch>').replace(
          '20.11.2026',
          '2026-11-21',
        ),
      ),
    ]);
    const result = await extract({ attachments: [{ filename: 'lead.bin', contentType: 'application/xml', content: xml }] });
    expect(result).toMatchObject({ lastName: 'Öz', preferredContact: ['EMAIL', 'TEL'], wishes: ['BESICHTIGUNG', 'EXPOSE'], sentOn: '2026-11-21', propertyRef: 'KR-7', portalObjectId: 'IW-77' });
  });

  it('finds the document under an octet-stream type by its .xml name, and ignores other XML', async () => {
    const other = '<?xml version="1.0"?><invoice><total>5</total></invoice>';
    const result = await extract({
      text: 'Vorname: Nicht\nNachname: Gemeint\nE-Mail: text@example.com',
      attachments: [
        { filename: 'rechnung.xml', contentType: 'application/xml', content: other },
        { filename: 'openimmo-feedback.xml', contentType: 'application/octet-stream', content: feedback('<nachname>Richtig</nachname><email>xml@example.com</email>') },
      ],
    });
    expect(result).toMatchObject({ format: 'openimmo-feedback', lastName: 'Richtig' });
  });

  it('defuses entity expansion: a billion laughs expand to nothing', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>`;
    const result = parseOpenImmoFeedback(`${bomb}<openimmo_feedback><objekt><interessent><vorname>&lol3;</vorname><email>a@b.de</email></interessent></objekt></openimmo_feedback>`);
    expect(result?.firstName).toBeNull();
  });

  it('decodes XML entities once and drops unresolved references', () => {
    expect(decodeEntities('&lt;b&gt; &amp;#13; &#x41;&#66; &unknown; &#0;')).toBe('<b> &#13; AB  ');
  });

  it('caps long values and flattens line breaks in single-line fields', async () => {
    const result = await extract({
      attachments: [{ filename: 'a.xml', contentType: 'application/xml', content: feedback(`<vorname>Eve\r\nBcc: x@evil.example</vorname><nachname>${'N'.repeat(500)}</nachname><anfrage>${'m'.repeat(9000)}</anfrage>`) }],
    });
    expect(result.firstName).toBe('Eve Bcc: x@evil.example');
    expect(result.lastName).toHaveLength(100);
    expect(result.message).toHaveLength(5000);
  });
});

describe('tagged HTML', () => {
  it('reads the span ids, decodes entities and keeps markup in values as text', async () => {
    const html =
      '<div><span id="client_salutation">Herr</span><span id="client_first_name">Jan &amp; Co</span><span id="client_last_name">Nowak</span>' +
      '<span id="CLIENT_EMAIL">jan@example.com</span><span id="client_phone">030 1</span><span id="client_message">Hallo <b>fett</b> &lt;script&gt;</span>' +
      '<span id="property_unit_id">KR-9</span></div>';
    expect(await extract({ html, text: 'HTML erforderlich' })).toMatchObject({
      format: 'tagged-html',
      salutation: 'mr',
      firstName: 'Jan & Co',
      lastName: 'Nowak',
      email: 'jan@example.com',
      phone: '030 1',
      message: 'Hallo fett <script>',
      propertyRef: 'KR-9',
    });
  });
});

describe('portal plain text', () => {
  it('reads other label spellings and works without a message heading', async () => {
    const text = 'Neue Anfrage\n\nAnrede: Frau\nVorname: Ida\nNachname: Roth\nE-Mail-Adresse: IDA@example.com\nTelefonnummer: 089 12\nObjektnummer: MU-3\n';
    expect(await extract({ from: 'Immowelt <anfragen@immowelt.de>', text })).toMatchObject({
      format: 'portal-text',
      portal: 'Immowelt',
      salutation: 'ms',
      email: 'ida@example.com',
      phone: '089 12',
      propertyRef: 'MU-3',
      message: null,
    });
  });
});

describe('unstructured mail', () => {
  it('prefers Reply-To, takes the name from From, and the body as the message', async () => {
    expect(await extract({ from: '"Meier, Karl" <karl@example.com>', replyTo: 'karl.privat@example.com', text: '  Ist es noch frei?  ' })).toMatchObject({
      format: 'unstructured',
      firstName: 'Karl',
      lastName: 'Meier',
      email: 'karl.privat@example.com',
      message: 'Ist es noch frei?',
    });
  });

  it('falls back to the subject when there is no body, and to nothing without a name', async () => {
    expect(await extract({ from: 'anon@example.com', subject: 'Frage zum Haus', text: '' })).toMatchObject({ firstName: null, lastName: null, email: 'anon@example.com', message: 'Frage zum Haus' });
  });
});
