import { describe, expect, it } from 'vitest';
import { extractInquiry } from '#shared/inbound/extract';
import { htmlToText } from '#shared/inbound/html-text';
import { parseMail } from '#shared/inbound/mail';
import { FIELD_LIMITS } from '#shared/model/inquiry';
import { STALL_MS } from '../support/stall.ts';

/** A raw message with the given body parts (each `[contentType, body]`). */
function eml(parts: Array<[string, string]>, subject = 'Anfrage'): Buffer {
  const head = ['From: Jonas Weber <jonas@example.net>', 'To: anfragen@acme.example', `Subject: ${subject}`, 'Message-ID: <u1@example.net>', 'MIME-Version: 1.0'];
  if (parts.length === 1) {
    const [type, body] = parts[0]!;
    return Buffer.from([...head, `Content-Type: ${type}; charset=utf-8`, '', body].join('\r\n'));
  }
  const lines = [...head, 'Content-Type: multipart/alternative; boundary="b"', ''];
  for (const [type, body] of parts) lines.push('--b', `Content-Type: ${type}; charset=utf-8`, '', body);
  lines.push('--b--', '');
  return Buffer.from(lines.join('\r\n'));
}

describe('htmlToText', () => {
  it('turns paragraphs into blank lines, block elements and <br> into line breaks, and collapses whitespace', () => {
    expect(htmlToText('<p>Guten  Tag,\n  Frau Müller</p><p>ist sie frei?<br>Ab Montag</p><div>Gruß</div><div>Jonas</div>')).toBe(
      'Guten Tag, Frau Müller\n\nist sie frei?\nAb Montag\n\nGruß\nJonas',
    );
  });

  it('drops the head, title, style, script, template, comments and declarations', () => {
    const html =
      '<!DOCTYPE html><html><head><title>Titel</title><style>p{color:red}</style><meta charset="utf-8"></head>' +
      '<body><script>steal(document.cookie)</script><template><p>Vorlage</p></template><!-- <p>Entwurf</p> --><p>Nur das</p></body></html>';
    expect(htmlToText(html)).toBe('Nur das');
  });

  it('decodes entities once and keeps what they spell as text, never as markup', () => {
    expect(htmlToText('<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt; Gr&uuml;&szlig;e&nbsp;&#8211;&#x20AC;</p>')).toBe('<script>alert(1)</script> &lt; Grüße –€');
  });

  it('never reads attributes: links, images and event handlers leave no trace', () => {
    expect(htmlToText('<a href="javascript:alert(1)" onclick="x()">Exposé</a> <img src="https://tracker.example/p.gif" alt="Pixel">')).toBe('Exposé');
  });

  it('puts table cells of a row side by side and rows on their own lines', () => {
    expect(htmlToText('<table><tr><td>Name:</td><td>Weber</td></tr><tr><th>Telefon:</th><td>030 123</td></tr></table>')).toBe('Name: Weber\nTelefon: 030 123');
  });

  it('keeps the whitespace of <pre> and caps blank lines at one', () => {
    expect(htmlToText('<pre>Zeile 1\r\n    eingerückt</pre>a<br><br><br><br>b')).toBe('Zeile 1\n    eingerückt\n\na\n\nb');
  });

  it('copes with mistaken markup: stray closing tags, an unclosed head, a self-closed script', () => {
    expect(htmlToText('</p></style></head>Rest')).toBe('Rest');
    expect(htmlToText('<head><meta charset="utf-8">Text ohne body')).toBe('Text ohne body');
    expect(htmlToText('<script/>nicht ausgeführt</script>danach')).toBe('danach');
    expect(htmlToText('<style>nie geschlossen <p>weg')).toBe('');
  });

  it('takes linear time on hostile nesting and stops collecting at the limit', () => {
    const nested = `${'<b>'.repeat(300_000) + '</i>'.repeat(300_000)}Ende`;
    const started = performance.now();
    expect(htmlToText(nested)).toBe('Ende');
    expect(performance.now() - started).toBeLessThan(STALL_MS);
    expect(htmlToText(`<p>${'wort '.repeat(100_000)}</p>`, { maxLength: 1_000 }).length).toBeLessThan(1_010);
  });
});

describe('an inquiry mail with only an HTML part', () => {
  it('yields the HTML body\'s text as the message, not the subject', async () => {
    const mail = await parseMail(eml([['text/html', '<html><head><title>x</title></head><body><p>Ist die Wohnung<br>noch frei?</p></body></html>']], 'Wohnung'));
    expect(mail.text ?? '').toBe('');
    expect(extractInquiry(mail)).toMatchObject({ format: 'unstructured', firstName: 'Jonas', lastName: 'Weber', email: 'jonas@example.net', message: 'Ist die Wohnung\nnoch frei?' });
  });

  it('prefers the text part when the mail has both', async () => {
    const mail = await parseMail(eml([['text/plain', 'Aus dem Textteil'], ['text/html', '<p>Aus dem HTML</p>']]));
    expect(extractInquiry(mail).message).toBe('Aus dem Textteil');
  });

  it('falls back to the subject when the HTML holds no text', async () => {
    const mail = await parseMail(eml([['text/html', '<html><head><style>p{}</style></head><body><img src="x.gif"></body></html>']], 'Nur der Betreff'));
    expect(extractInquiry(mail).message).toBe('Nur der Betreff');
  });

  it('caps a long HTML message at the message limit and strips control characters', async () => {
    const mail = await parseMail(eml([['text/html', `<p>a\u0007b</p><p>${'x'.repeat(FIELD_LIMITS.message * 3)}</p>`]]));
    const { message } = extractInquiry(mail);
    expect(message!.startsWith('ab\n\nxxx')).toBe(true);
    expect(message).toHaveLength(FIELD_LIMITS.message);
  });
});
