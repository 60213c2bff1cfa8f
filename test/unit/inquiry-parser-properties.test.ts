import type { S3Client } from '@aws-sdk/client-s3';
import type { SESEvent } from 'aws-lambda';
import fc from 'fast-check';
import { Parser } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { createInboundHandler } from '#shared/inbound/inbound-handler';
import { INBOUND_LIMITS, type InboundLimits } from '#shared/inbound/limits';
import { messageIdOf } from '#shared/inbound/message-id';
import { parseInquiryMessage, type ParsedMessage } from '#shared/inbound/parse-message';
import { parseTaggedHtml } from '#shared/inbound/tagged-html';
import { FIELD_LIMITS, Inquiry, type InquiryInput } from '#shared/model/inquiry';
import { line, text as messageText } from '#shared/inbound/text';
import { inquiryUnique } from '#shared/stores/inquiry-store';
import { STALL_MS } from '../support/stall.ts';

/**
 * Properties of the inquiry parser: whatever arrives (random bytes, random MIME trees, headers
 * around the bounds), parsing ends in an inquiry or a clean refusal, in bounded time, and never
 * throws; the handler records exactly one valid inquiry per delivery.
 */

/** Per message, far above what any of these inputs (at most a few hundred KB) needs. */
const TIME_BOUND_MS = STALL_MS;
/** Bounds small enough that random trees break each of them often. */
const TIGHT: InboundLimits = { ...INBOUND_LIMITS, maxHeaderFields: 60, maxHeaderBytes: 3_000, maxDepth: 2, maxParts: 8, maxMessageIdBytes: 200 };

async function parseChecked(raw: Buffer, limits: InboundLimits = INBOUND_LIMITS): Promise<ParsedMessage> {
  const started = performance.now();
  const parsed = await parseInquiryMessage(raw, limits);
  expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
  expect(['received', 'refused']).toContain(parsed.status);
  if (parsed.status === 'refused') {
    expect(parsed.refusedReason).toMatch(/\S/);
    expect(parsed).not.toHaveProperty('extracted');
  } else {
    expect(parsed.extracted).toBeDefined();
    expect(parsed.messageId).toMatch(/\S/);
  }
  if (parsed.messageId !== null) expect(Buffer.byteLength(parsed.messageId)).toBeLessThanOrEqual(limits.maxMessageIdBytes);
  return parsed;
}

// ---- Random MIME structures ------------------------------------------------------------------

/** Pieces text is made of: markup, entities, boundary-like lines, encoded words, line breaks. */
const PIECES = [
  'a', 'Z', ' ', '\t', '\r\n', '\n', '\r', 'ü', '€', '\u2028', '\u0000', ':', ';', '"', "'", '<', '>', '&', '=', '--', '--b', '--b--', '--x', '<div>', '</div>', '<p>', '</i>',
  '<span id="client_email">', '<span id="client_last_name">', 'x@example.org', '<!DOCTYPE a [', ']>', '<openimmo_feedback>', '<interessent>', '<email>', '&amp;', '&#x41;', '&lol;',
  '=?utf-8?q?=C3=BC?=', '=?utf-8?b?w7w=?=', 'Vorname: ', 'E-Mail: ', 'Nachricht:', 'boundary=b', 'Content-Type: ',
];
const text = (maxLength: number) => fc.array(fc.constantFrom(...PIECES), { maxLength }).map((parts) => parts.join(''));
const headerValue = fc.oneof(text(12).map((v) => v.replace(/\r?\n|\r/g, ' ')), text(6).map((v) => v.replace(/\r?\n|\r/g, '\r\n ')));
const extraHeaders = fc.array(fc.tuple(fc.constantFrom('X-Extra', 'Received', 'Content-ID', 'Content-Language', 'DKIM-Signature', 'From', 'Message-ID', 'Subject', 'Reply-To', ''), headerValue), { maxLength: 6 })
  .map((headers) => headers.map(([name, value]) => (name ? `${name}: ${value}` : value)));

type Node =
  | { kind: 'leaf'; type: string; encoding: string; filename: string | null; headers: string[]; body: string }
  | { kind: 'multipart'; subtype: string; boundary: string; quoted: boolean; headers: string[]; preamble: string; children: Node[]; closed: boolean }
  | { kind: 'rfc822'; disposition: string; headers: string[]; message: Node };

const { node } = fc.letrec<{ node: Node; leaf: Node; multipart: Node; wide: Node; rfc822: Node }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('multipart'), tie('wide'), tie('rfc822')),
  leaf: fc.record({
    kind: fc.constant('leaf' as const),
    type: fc.constantFrom('text/plain; charset=utf-8', 'text/html; charset=utf-8', 'text/plain; charset=iso-8859-1', 'application/xml', 'text/xml; charset=windows-1252', 'application/octet-stream', 'image/png', 'x/y'),
    encoding: fc.constantFrom('7bit', '8bit', 'base64', 'quoted-printable', 'x-unknown', ''),
    filename: fc.option(fc.constantFrom('feedback.xml', 'a.XML', 'b.txt', 'ü.xml'), { nil: null }),
    headers: extraHeaders,
    body: text(40),
  }),
  multipart: fc.record({
    kind: fc.constant('multipart' as const),
    subtype: fc.constantFrom('mixed', 'alternative', 'related', 'digest'),
    // Short alphabets so that boundaries collide with an ancestor's, or with lines of the body.
    boundary: fc.oneof(fc.constantFrom('b', 'x', 'b--', ' ', '"', 'a b', ''), fc.string({ unit: fc.constantFrom('a', 'b', '-', '=', ' ', '_'), maxLength: 8 })),
    quoted: fc.boolean(),
    headers: extraHeaders,
    preamble: text(6),
    children: fc.array(tie('node'), { maxLength: 4 }),
    closed: fc.boolean(),
  }),
  wide: fc.record({
    kind: fc.constant('multipart' as const),
    subtype: fc.constant('mixed'),
    boundary: fc.constantFrom('w', 'b'),
    quoted: fc.constant(false),
    headers: fc.constant([]),
    preamble: fc.constant(''),
    children: fc.array(tie('leaf'), { minLength: 9, maxLength: 12 }),
    closed: fc.boolean(),
  }),
  rfc822: fc.record({ kind: fc.constant('rfc822' as const), disposition: fc.constantFrom('inline', 'attachment', ''), headers: extraHeaders, message: tie('node') }),
}));

function render(n: Node, eol: string): string {
  const lines = (headers: string[], body: string) => `${headers.join(eol)}${eol}${eol}${body}`;
  switch (n.kind) {
    case 'leaf':
      return lines(
        [`Content-Type: ${n.type}${n.filename ? `; name="${n.filename}"` : ''}`, ...(n.encoding ? [`Content-Transfer-Encoding: ${n.encoding}`] : []), ...(n.filename ? [`Content-Disposition: attachment; filename="${n.filename}"`] : []), ...n.headers],
        n.encoding === 'base64' ? Buffer.from(n.body).toString('base64') : n.body,
      );
    case 'multipart': {
      const boundary = n.quoted ? `"${n.boundary}"` : n.boundary;
      const parts = n.children.map((child) => `--${n.boundary}${eol}${render(child, eol)}${eol}`).join('');
      return lines([`Content-Type: multipart/${n.subtype}; boundary=${boundary}`, ...n.headers], `${n.preamble}${eol}${parts}${n.closed ? `--${n.boundary}--${eol}` : ''}`);
    }
    case 'rfc822':
      return lines([`Content-Type: message/rfc822`, ...(n.disposition ? [`Content-Disposition: ${n.disposition}`] : []), ...n.headers], `From: x@y.de${eol}${render(n.message, eol)}`);
  }
}

const fromHeader = fc.constantFrom(
  'From: ImmobilienScout24 <noreply@immobilienscout24.de>',
  'From: a@x.de, b@y.de',
  'From: g: a@x.de;',
  'From: "unclosed <a@x.de>',
  'From: =?utf-8?q?Kr=C3=BCger?= <k@x.de>',
  'From: <>',
  'From:',
);
const messageId = fc.oneof(
  fc.constantFrom('<m1@example.org>', '<M1@EXAMPLE.org>', '', '<>', 'no-brackets'),
  fc.string({ unit: fc.constantFrom('a', 'ü', '€', '@', '<', '>', ' '), minLength: 300, maxLength: 700 }),
  fc.string({ unit: fc.constantFrom('ü', '€', 'a.'), minLength: 100, maxLength: 500 }).map((local) => `<${local}@example.org>`),
);
/** Messages: top-level headers (up to `fillers` filler fields, a long field up to `longField` bytes) and a random tree. */
const mimeMessageWith = (fillers: number, longField: number) =>
  fc
    .record({
      from: fc.array(fromHeader, { maxLength: 2 }),
      messageId: fc.option(messageId, { nil: undefined }),
      extra: extraHeaders,
      fillers: fc.nat({ max: fillers }),
      long: fc.nat({ max: longField }),
      body: node,
      eol: fc.constantFrom('\r\n', '\n'),
    })
    .map(({ body, eol, ...top }) => {
      const headers = [
        ...top.from,
        ...(top.messageId !== undefined ? [`Message-ID: ${top.messageId}`] : []),
        'MIME-Version: 1.0',
        ...top.extra,
        ...Array.from({ length: top.fillers }, (_, i) => `X-F${i}: v`),
        ...(top.long > 0 ? [`X-Long: ${'v'.repeat(top.long)}`] : []),
      ];
      return Buffer.from(`${headers.join(eol)}${eol}${render(body, eol)}`);
    });
const mimeMessage = mimeMessageWith(1_100, 300);

// ---- The handler, with an S3 and stores in memory that validate as DynamoDB's do -------------

function memoryHandler(raws: Map<string, Buffer>) {
  const records = new Map<string, Inquiry>();
  const uniques = new Map<string, string>();
  let next = 0;
  const s3 = {
    send: async (command: { input: { Key: string } }) => {
      const raw = raws.get(command.input.Key)!;
      return { ContentLength: raw.length, Body: { transformToByteArray: async () => new Uint8Array(raw) } };
    },
  } as unknown as S3Client;
  const inquiries = {
    async recordOnce(tenantId: string, input: InquiryInput) {
      const now = new Date().toISOString();
      // As EntityTable.create: the whole entity is validated, then the unique value is reserved.
      const inquiry = Inquiry.parse({ ...input, id: `i${++next}`, tenantId, version: 1, createdAt: now, updatedAt: now });
      const unique = inquiryUnique(inquiry);
      const key = `${tenantId}#${unique.name}#${unique.value}`;
      expect(Buffer.byteLength(key)).toBeLessThan(2048); // DynamoDB's partition key limit
      const held = uniques.get(key);
      if (held) return { inquiry: records.get(held)!, created: false };
      uniques.set(key, inquiry.id);
      records.set(inquiry.id, inquiry);
      return { inquiry, created: true };
    },
  };
  const stores = {
    settings: { findTenantByInboundAddress: async () => 't1' },
    properties: { findByUnitId: async () => undefined, findByPortalId: async () => undefined },
    inquiries,
  } as never;
  return { handler: createInboundHandler({ s3, bucket: 'b', stores, log: () => undefined }), records };
}

const VERDICT = fc.constantFrom('PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED');
const sesEvent = (sesMessageId: string, raw: Buffer, verdicts: { spam: string; spf: string; dkim: string; dmarc: string }) =>
  ({
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: { timestamp: new Date().toISOString(), source: 'x@y.de', messageId: sesMessageId, destination: ['in@acme.example'], headersTruncated: false, headers: [], commonHeaders: { from: ['ImmobilienScout24 <noreply@immobilienscout24.de>'], messageId: messageIdOf(raw.toString('latin1', 0, 2000)) ?? '' } },
          receipt: { recipients: ['in@acme.example'], spamVerdict: { status: verdicts.spam }, virusVerdict: { status: 'PASS' }, spfVerdict: { status: verdicts.spf }, dkimVerdict: { status: verdicts.dkim }, dmarcVerdict: { status: verdicts.dmarc } },
        },
      },
    ],
  }) as unknown as SESEvent;

// ---- The properties --------------------------------------------------------------------------

describe('the inquiry parser, on any input', () => {
  it('ends random bytes in an inquiry or a clean refusal, in bounded time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4_096 }), async (bytes) => {
        await parseChecked(Buffer.from(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('ends random text made of MIME and markup pieces in an inquiry or a clean refusal', async () => {
    await fc.assert(
      fc.asyncProperty(text(400), async (value) => {
        await parseChecked(Buffer.from(value));
      }),
      { numRuns: 300 },
    );
  });

  it('ends random MIME trees (colliding boundaries, unclosed parts, inline messages, odd headers) in an inquiry or a clean refusal', async () => {
    await fc.assert(
      fc.asyncProperty(mimeMessage, async (raw) => {
        await parseChecked(raw);
      }),
      { numRuns: 300 },
    );
  });

  it('ends random MIME trees in a clean refusal of the bound they break, under tight bounds', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(mimeMessageWith(70, 3_500), async (raw) => {
        const parsed = await parseChecked(raw, TIGHT);
        if (parsed.status === 'refused') seen.add(parsed.refusedReason!.replace(/\d+/g, 'N'));
        else expect(parsed.stats).toMatchObject({ parts: expect.any(Number), depth: expect.any(Number) });
        if (parsed.status === 'received') {
          expect(parsed.stats.parts).toBeLessThanOrEqual(TIGHT.maxParts);
          expect(parsed.stats.depth).toBeLessThanOrEqual(TIGHT.maxDepth);
          expect(parsed.stats.headerFields).toBeLessThanOrEqual(TIGHT.maxHeaderFields);
        }
      }),
      { numRuns: 400 },
    );
    // Each bound was broken by some tree (and refused with its reason).
    expect([...seen].sort()).toEqual(expect.arrayContaining([
      'The Message-ID of N bytes exceeds the limit of N bytes',
      "The message's MIME parts are nested deeper than N levels",
      'The message has more than N MIME parts',
      'The message has more than N header fields',
      "The message's headers exceed N bytes",
    ]));
  });

  it('refuses a message exactly when its header fields are over the bound', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 990, max: 1_010 }), fc.constantFrom('\r\n', '\n'), async (fields, eol) => {
        const headers = ['From: a@x.de', 'Message-ID: <h@x.de>', ...Array.from({ length: fields - 2 }, (_, i) => `X-F${i}: v`)];
        const parsed = await parseChecked(Buffer.from(`${headers.join(eol)}${eol}${eol}body`));
        expect(parsed.status).toBe(fields > INBOUND_LIMITS.maxHeaderFields ? 'refused' : 'received');
        if (parsed.status === 'refused') expect(parsed.refusedReason).toBe('The message has more than 1000 header fields');
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a message exactly when its header bytes are over the bound, however the header is folded', async () => {
    const limit = INBOUND_LIMITS.maxHeaderBytes;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: limit - 200, max: limit + 200 }), fc.integer({ min: 1, max: 900 }), async (bytes, width) => {
        const head = 'From: a@x.de\r\nMessage-ID: <h@x.de>\r\n';
        const name = 'X-Big: ';
        // One field of `bytes - head` bytes in all, folded into lines of `width`: each fold adds CRLF and a space.
        let value = '';
        let lineLength = name.length;
        const budget = bytes - head.length - name.length - 2;
        while (value.length < budget) {
          if (lineLength >= width && budget - value.length >= 4) {
            value += '\r\n ';
            lineLength = 1;
          } else {
            value += 'v';
            lineLength++;
          }
        }
        const raw = Buffer.from(`${head}${name}${value}\r\n\r\nbody`);
        const headerBytes = raw.indexOf('\r\n\r\n') + 2;
        const parsed = await parseChecked(raw);
        if (headerBytes > limit) expect(parsed.refusedReason).toBe(`The message's headers exceed ${limit} bytes`);
        else expect(parsed.refusedReason ?? '').not.toMatch(/headers exceed/);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a Message-ID exactly when it is over the byte bound, and keeps a digest of it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.constantFrom('a', 'Z', '.', 'ü', '€', '😀'), minLength: 200, maxLength: 1_100 }), async (local) => {
        const id = `<${local}@example.org>`;
        const parsed = await parseChecked(Buffer.from(`From: a@x.de\r\nMessage-ID: ${id}\r\n\r\nbody`));
        const over = Buffer.byteLength(id) > INBOUND_LIMITS.maxMessageIdBytes;
        expect(parsed.status).toBe(over ? 'refused' : 'received');
        expect(parsed.messageId).toBe(over ? expect.stringMatching(/^sha256:/) : id);
      }),
      { numRuns: 100 },
    );
  });
});

describe('the inbound handler, on any input', () => {
  it('records exactly one valid inquiry per delivery, and a redelivery changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mimeMessage, fc.uint8Array({ maxLength: 2_048 }).map((b) => Buffer.from(b))), fc.record({ spam: VERDICT, spf: VERDICT, dkim: VERDICT, dmarc: VERDICT }), async (raw, verdicts) => {
        const raws = new Map([['inbound/d1', raw]]);
        const { handler, records } = memoryHandler(raws);
        const event = sesEvent('d1', raw, verdicts);
        const started = performance.now();
        const [first] = await handler(event);
        expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
        expect(first!.created).toBe(true);
        expect(records.size).toBe(1);
        const inquiry = first!.inquiry;
        if (inquiry.fromAddress !== null) expect(inquiry.authenticated).toBe(true);
        if (verdicts.dmarc === 'FAIL' || (verdicts.dmarc !== 'PASS' && verdicts.dkim !== 'PASS')) expect(inquiry.authenticated).toBe(false);
        if (verdicts.spam === 'FAIL') expect(inquiry).toMatchObject({ status: 'refused', refusedReason: 'Spam verdict FAIL' });
        expect(inquiry.verdicts).toEqual({ ...verdicts, virus: 'PASS' });
        const [again] = await handler(event);
        expect(again).toMatchObject({ created: false, inquiry: { id: inquiry.id } });
        expect(records.size).toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  it('never lets a refused or an unauthenticated message block an authenticated one with the same Message-ID', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('spam', 'unauthenticated', 'bounds'), fc.constantFrom('<Dup@Portal.example>', '<dup@portal.example>'), async (first, id) => {
        const clean = Buffer.from(`From: ImmobilienScout24 <noreply@immobilienscout24.de>\r\nMessage-ID: ${id}\r\n\r\nHallo`);
        const squatter = first === 'bounds' ? Buffer.from(`From: x@y.de\r\nMessage-ID: ${id}\r\n${'X-F: v\r\n'.repeat(1_001)}\r\nHallo`) : clean;
        const raws = new Map([['inbound/a', squatter], ['inbound/b', clean]]);
        const { handler, records } = memoryHandler(raws);
        const pass = { spam: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' };
        await handler(sesEvent('a', squatter, first === 'spam' ? { ...pass, spam: 'FAIL' } : first === 'unauthenticated' ? { ...pass, dmarc: 'FAIL' } : pass));
        const [accepted] = await handler(sesEvent('b', clean, pass));
        expect(accepted).toMatchObject({ created: true, inquiry: { status: 'received', authenticated: true, messageId: id } });
        expect(records.size).toBe(2);
      }),
      { numRuns: 12 },
    );
  });
});

// ---- The tagged-HTML reader against htmlparser2's Parser ---------------------------------------

/** parseTaggedHtml as it was, on htmlparser2's Parser: the reference for what the fields hold. */
function taggedWithParser(html: string): Record<string, string> {
  const ids: Record<string, string> = { client_email: 'email', client_last_name: 'lastName', client_message: 'message', property_unit_id: 'propertyRef' };
  const fields: Record<string, string> = {};
  const stack: Array<string | null> = [];
  const parser = new Parser(
    {
      onopentag(_name, attributes) {
        stack.push(ids[(attributes.id ?? '').toLowerCase()] ?? null);
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
  return fields;
}

describe('the tagged-HTML reader', () => {
  const TAGS = [
    '<div>', '</div>', '<span>', '</span>', '<p>', '</p>', '<b>', '</b>', '</i>', '<li>', '</li>', '<ul>', '<table>', '<tr>', '<td>', '</td>', '</tr>', '<br>', '</br>', '<img src=x>',
    '<input>', '<select>', '<option>', '<h1>', '<span/>', '<DIV ID="CLIENT_EMAIL">', '<span id="client_email">', '<span id="client_last_name">', '<td id="client_message">',
    '<p id="property_unit_id">', '<b id=client_email id=client_message>', '<span id="client&#95;email">', '<script>', '</script>', '<!-- c -->', 'text', ' ', 'a@b.de', '&amp;', '&lt;x&gt;', '\n',
  ];
  it('reads the same fields as htmlparser2\'s Parser did, on any mix of tags', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TAGS), { maxLength: 40 }), (parts) => {
        const html = parts.join('');
        const expected = taggedWithParser(html);
        const result = parseTaggedHtml(html);
        if (!expected.email && !expected.lastName) expect(result).toBeUndefined();
        // The fields are then bounded as every reader bounds them (a name to 100 characters, ...).
        else expect(result).toMatchObject({ lastName: line(expected.lastName, FIELD_LIMITS.name), propertyRef: line(expected.propertyRef, FIELD_LIMITS.ref), message: messageText(expected.message) });
      }),
      // A name longer than its bound, found by CI's run: the reader truncates it as the others do.
      { numRuns: 2_000, examples: [[['<span id="client_last_name">', 'a@b.de', '<script>', '<div>', '<span id="client&#95;email">', '<td id="client_message">', '<div>', '<b id=client_email id=client_message>']]] },
    );
  });
});
