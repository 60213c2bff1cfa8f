import { describe, expect, it } from 'vitest';
import { INBOUND_LIMITS } from '#shared/inbound/limits';
import { digestId, messageIdKey, messageIdOf } from '#shared/inbound/message-id';
import { contentTypeOf, headerValues, scanMessage } from '#shared/inbound/mime-scan';
import { withoutDoctype, parseOpenImmoFeedback } from '#shared/inbound/openimmo';
import { parseInquiryMessage } from '#shared/inbound/parse-message';
import { parsePortalText } from '#shared/inbound/portal-text';
import { parseTaggedHtml } from '#shared/inbound/tagged-html';
import { inquiryUnique } from '#shared/stores/inquiry-store';
import { doctypeXmlMessage, hostileMessage, longMessageIdMessage, manyHeadersMessage, message, nestedPartsMessage, unclosedHtmlMessage } from '../support/hostile-mail.ts';
import { STALL_MS } from '../support/stall.ts';

const HEAD = ['From: Jonas Weber <jonas@example.net>', 'To: anfragen@acme.example', 'Subject: Anfrage', 'Message-ID: <b1@example.net>', 'MIME-Version: 1.0'];

/** The fastest of `runs` timings of `work`, in ms: robust against a busy machine. */
async function fastest(work: () => unknown, runs = 3): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe('the pre-scan', () => {
  it('counts header fields and bytes, parts and depth of a well-formed message', () => {
    const raw = message([...HEAD, 'Content-Type: multipart/mixed; boundary="outer"', 'X-Folded: a', ' b'], [
      'preamble --outer-not-a-delimiter',
      '--outer',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      'Content-Type: text/plain',
      '',
      'Text',
      '--inner  ',
      'Content-Type: text/html',
      '',
      '<p>HTML</p>',
      '--inner--',
      '--outer',
      'Content-Type: application/xml',
      '',
      '<x/>',
      '--outer--',
      'epilogue',
    ].join('\r\n'));
    const scan = scanMessage(raw);
    expect(scan.refusal).toBeUndefined();
    expect(scan.stats).toMatchObject({ parts: 5, depth: 3, headerFields: 11 });
    expect(headerValues(raw, scan.headers, 'x-folded')).toEqual(['a b']);
    expect(headerValues(raw, scan.headers, 'MESSAGE-ID')).toEqual(['<b1@example.net>']);
  });

  it('reads an inline message/rfc822 part as a nested message, as mailsplit does, and an attached one as opaque', () => {
    const embedded = (disposition: string) =>
      message([...HEAD, 'Content-Type: multipart/mixed; boundary="o"'], ['--o', 'Content-Type: message/rfc822', `Content-Disposition: ${disposition}`, '', ...HEAD, 'Content-Type: multipart/mixed; boundary="e"', '', '--e', '', 'x', '--e--', '--o--', ''].join('\r\n'));
    expect(scanMessage(embedded('inline')).stats).toMatchObject({ parts: 4, depth: 4 });
    expect(scanMessage(embedded('attachment')).stats).toMatchObject({ parts: 2, depth: 2 });
  });

  it('ends a part\'s header block at a delimiter line, and reads quoted, escaped and unquoted boundaries', () => {
    const raw = message([...HEAD, 'Content-Type: multipart/mixed; boundary="a b"'], ['--a b', 'Content-Type: text/plain', '--a b', '', 'x', '--a b--'].join('\r\n'));
    expect(scanMessage(raw).stats.parts).toBe(3);
    expect(contentTypeOf('multipart/mixed; charset=x; boundary="q\\"x"').boundary).toBe('q"x');
    expect(contentTypeOf('Multipart/Related;boundary=abc;type=x').boundary).toBe('abc');
    expect(contentTypeOf('multipart/mixed; xboundary=abc').boundary).toBeNull();
    expect(contentTypeOf('text/plain; boundary=abc')).toEqual({ type: 'text/plain', boundary: null });
  });

  it('stops at the first bound broken, with the bound in the reason', () => {
    const limits = { ...INBOUND_LIMITS, maxHeaderFields: 10, maxHeaderBytes: 300, maxParts: 4, maxDepth: 3 };
    expect(scanMessage(message([...HEAD, ...Array.from({ length: 6 }, (_, i) => `X-${i}: v`)], 'x'), limits).refusal).toBe('The message has more than 10 header fields');
    expect(scanMessage(message([...HEAD, `X-Long: ${'v'.repeat(300)}`], 'x'), limits).refusal).toBe("The message's headers exceed 300 bytes");
    expect(scanMessage(nestedPartsMessage(4), { ...limits, maxHeaderBytes: 10_000 }).refusal).toBe("The message's MIME parts are nested deeper than 3 levels");
    const flat = message([...HEAD, 'Content-Type: multipart/mixed; boundary=f'], ['--f', '', 'a', '--f', '', 'b', '--f', '', 'c', '--f', '', 'd', '--f--'].join('\r\n'));
    expect(scanMessage(flat, { ...limits, maxHeaderBytes: 10_000 }).refusal).toBe('The message has more than 4 MIME parts');
  });
});

describe('parsing a message within the bounds', () => {
  it('refuses a 2 KB Message-ID, keeping a digest of it as the id', async () => {
    const parsed = await parseInquiryMessage(longMessageIdMessage(2048));
    expect(parsed).toMatchObject({ status: 'refused', refusedReason: 'The Message-ID of 2048 bytes exceeds the limit of 998 bytes', messageId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect((await parseInquiryMessage(longMessageIdMessage(2048))).messageId).toBe(parsed.messageId);
    expect((await parseInquiryMessage(longMessageIdMessage(998))).status).toBe('received');
  });

  it('measures the Message-ID in bytes, not characters', async () => {
    const id = `<${'ü'.repeat(600)}@example.org>`;
    expect((await parseInquiryMessage(message([HEAD[0]!, `Message-ID: ${id}`], 'x'))).refusedReason).toMatch(/^The Message-ID of 1214 bytes/);
  });

  it('refuses 50,000 header fields and 3,000 nested parts before mailparser runs', async () => {
    expect(await parseInquiryMessage(manyHeadersMessage(50_000))).toMatchObject({ status: 'refused', refusedReason: 'The message has more than 1000 header fields', from: 'Mallory <mallory@attacker.example>' });
    expect(await parseInquiryMessage(nestedPartsMessage(3_000))).toMatchObject({ status: 'refused', refusedReason: "The message's MIME parts are nested deeper than 16 levels", subject: 'Anfrage' });
    const parts = message([...HEAD, 'Content-Type: multipart/mixed; boundary=p'], `${'--p\r\n\r\nx\r\n'.repeat(600)}--p--\r\n`);
    expect((await parseInquiryMessage(parts)).refusedReason).toBe('The message has more than 500 MIME parts');
  });

  it('records what mailparser throws as a refusal: 20,000 continuation lines pass the pre-scan but not mailsplit', async () => {
    const folded = message([...HEAD, `X-Folded: a${'\r\n b'.repeat(20_000)}`], 'x');
    expect(scanMessage(folded).refusal).toBeUndefined();
    expect(await parseInquiryMessage(folded)).toMatchObject({ status: 'refused', refusedReason: 'The message could not be parsed: Max header size for a MIME node exceeded', messageId: '<b1@example.net>' });
  });

  it('parses anything else, and keeps the raw From header and DKIM signatures for the sender check', async () => {
    const raw = message([...HEAD, 'DKIM-Signature: v=1; d=example.net; s=a;', '  b=xyz', 'Content-Type: text/plain; charset=utf-8'], 'Ist die Wohnung frei?');
    expect(await parseInquiryMessage(raw)).toMatchObject({
      status: 'received',
      messageId: '<b1@example.net>',
      from: '"Jonas Weber" <jonas@example.net>',
      fromFields: ['Jonas Weber <jonas@example.net>'],
      parsedFrom: ['jonas@example.net'],
      dkimSignatures: ['v=1; d=example.net; s=a;  b=xyz'],
      format: 'unstructured',
      extracted: { email: 'jonas@example.net', message: 'Ist die Wohnung frei?' },
    });
    const withoutId = await parseInquiryMessage(message([HEAD[0]!], 'x'));
    expect(withoutId.messageId).toBe(digestId(message([HEAD[0]!], 'x')));
  });
});

describe('linear time', () => {
  it('reads 240 KB of unclosed tags in milliseconds (htmlparser2\'s Parser took seconds)', async () => {
    const raw = unclosedHtmlMessage(240 * 1024);
    expect(await fastest(() => parseInquiryMessage(raw))).toBeLessThan(STALL_MS);
    expect(await fastest(() => parseTaggedHtml(`<span id="client_email">a@b.de</span><div id="client_last_name">${'<div>a'.repeat(200_000)}`))).toBeLessThan(STALL_MS);
  });

  it('reads an XML attachment of 30,000 unclosed DOCTYPEs in milliseconds (the DOCTYPE expression was quadratic)', async () => {
    const parsed = await parseInquiryMessage(doctypeXmlMessage(30_000));
    expect(parsed).toMatchObject({ status: 'received', format: 'unstructured' });
    expect(await fastest(() => parseInquiryMessage(doctypeXmlMessage(30_000)))).toBeLessThan(STALL_MS);
    expect(await fastest(() => withoutDoctype('<!DOCTYPE a ['.repeat(200_000)))).toBeLessThan(STALL_MS);
  });

  it('parses the 1 MB hostile message (all of it within the bounds) in under a second', async () => {
    const raw = hostileMessage();
    expect(raw.length).toBeGreaterThan(1_000_000);
    const parsed = await parseInquiryMessage(raw);
    expect(parsed).toMatchObject({ status: 'received', format: 'unstructured', stats: { headerFields: 912, parts: 3 } });
    expect(await fastest(() => parseInquiryMessage(raw))).toBeLessThan(STALL_MS);
  });

  it('reads a portal label line of 200,000 spaces in milliseconds (the label expression backtracked)', () => {
    const text = `Vorname: Ida\nNachname: Roth\nE-Mail: ${' '.repeat(200_000)}\u2028ida@example.com\u2028\n`;
    const mail = { messageId: null, from: { name: null, address: null }, fromAddresses: [], fromText: null, replyTo: null, subject: null, date: null, text, html: null, attachments: [] };
    const started = performance.now();
    expect(parsePortalText(mail)?.lastName).toBe('Roth');
    expect(performance.now() - started).toBeLessThan(STALL_MS);
  });
});

describe('DOCTYPEs in XML', () => {
  it('removes declarations with internal subsets, quotes holding > and ], in any case', () => {
    expect(withoutDoctype('<?xml?><!DOCTYPE a [<!ENTITY x "]>"><!ENTITY y \'>\'>]><r/>')).toBe('<?xml?><r/>');
    expect(withoutDoctype('<!doctype a SYSTEM "x>y"><r/><!DocType b><s/>')).toBe('<r/><s/>');
    expect(withoutDoctype('<!-- c --><r/>')).toBe('<!-- c --><r/>');
    expect(withoutDoctype('<r/><!DOCTYPE a [ <!ENTITY x "y">')).toBeUndefined();
  });

  it('still reads a feedback document behind a DOCTYPE with an external entity, resolving nothing', () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE f [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><openimmo_feedback><objekt><interessent><vorname>&xxe;</vorname><nachname>N</nachname><email>n@x.de</email></interessent></objekt></openimmo_feedback>';
    expect(parseOpenImmoFeedback(xml)).toMatchObject({ firstName: null, lastName: 'N', email: 'n@x.de' });
  });
});

describe('duplicates by Message-ID', () => {
  it('takes the first <…> of the header, without comments, line breaks or control characters', () => {
    expect(messageIdOf(' <a@b.de> (comment)')).toBe('<a@b.de>');
    expect(messageIdOf('\r\n <a\u0000b@c.de>')).toBe('<a b@c.de>');
    expect(messageIdOf('no-brackets@x.de ')).toBe('no-brackets@x.de');
    expect(messageIdOf('   ')).toBeNull();
  });

  it('folds the case of the domain part only (RFC 5322)', () => {
    expect(messageIdKey('<AbC@Mail.Example.ORG>')).toBe('<AbC@mail.example.org>');
    expect(messageIdKey('<a@b@C.DE>')).toBe('<a@b@c.de>');
    expect(messageIdKey('<NoAt>')).toBe('<NoAt>');
  });

  it('keys received inquiries by Message-ID within the authenticated sender domain, refused ones by SES delivery', () => {
    const received = { status: 'received' as const, messageId: '<X@Portal.DE>', sesMessageId: 's1', authenticated: true, fromAddress: 'noreply@portal.de' };
    expect(inquiryUnique(received)).toEqual({ name: 'inquiry-received', value: 'portal.de <X@portal.de>', field: 'messageId' });
    expect(inquiryUnique({ ...received, authenticated: false, fromAddress: null }).value).toBe('~ <X@portal.de>');
    expect(inquiryUnique({ ...received, status: 'refused' })).toEqual({ name: 'inquiry-delivery', value: 's1', field: 'sesMessageId' });
    expect(inquiryUnique({ ...received, messageId: '<x@portal.de>' }).value).not.toBe(inquiryUnique(received).value);
  });
});
