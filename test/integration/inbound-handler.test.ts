import type { S3Client } from '@aws-sdk/client-s3';
import type { SESEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInboundHandler } from '#shared/inbound/inbound-handler';
import { PropertyInput } from '#shared/model/property';
import { freshStores, tenant } from '../support/dynamo.ts';
import { longMessageIdMessage, manyHeadersMessage, portalInquiry } from '../support/hostile-mail.ts';

/**
 * The inbound function against DynamoDB Local (the real inquiry store and its uniqueness items),
 * with the raw messages in memory: what SES's redelivery of one event, squatted Message-IDs and
 * unparseable mail leave in the table.
 */

let ctx: Awaited<ReturnType<typeof freshStores>>;
const raws = new Map<string, Buffer>();
const s3 = {
  send: async (command: { input: { Key: string } }) => {
    const raw = raws.get(command.input.Key);
    if (!raw) throw new Error(`NoSuchKey ${command.input.Key}`);
    return { ContentLength: raw.length, Body: { transformToByteArray: async () => new Uint8Array(raw) } };
  },
} as unknown as S3Client;
let handle: ReturnType<typeof createInboundHandler>;
const t = tenant();
const INBOUND = `anfragen@${t}.example`;
let deliveries = 0;

beforeAll(async () => {
  ctx = await freshStores();
  await ctx.stores.settings.put(t, { name: 'Acme', timeZone: 'Europe/Berlin', inboundAddresses: [INBOUND] });
  await ctx.stores.properties.create(t, PropertyInput.parse({ unitId: 'MI-2026-014', title: 'Altbau', portalIds: { immoscout24: '148923311' } }));
  handle = createInboundHandler({ s3, bucket: 'b', stores: ctx.stores, log: () => undefined });
});

const PASS = { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' };

/** An SES receipt event for a message (stored under a new SES message id), as SES builds it. */
function delivery(raw: Buffer, verdicts: Partial<typeof PASS> = {}): SESEvent {
  const sesMessageId = `ses-${++deliveries}-${t}`;
  raws.set(`inbound/${sesMessageId}`, raw);
  const text = raw.toString('utf8', 0, Math.min(raw.length, 64 * 1024));
  const header = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(text)?.[1] ?? '';
  const v = { ...PASS, ...verdicts };
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: new Date().toISOString(),
            source: 'bounce@example.org',
            messageId: sesMessageId,
            destination: [INBOUND],
            headersTruncated: false,
            headers: [
              { name: 'From', value: header('From') },
              { name: 'Message-ID', value: header('Message-ID') },
            ],
            commonHeaders: { from: [header('From')], messageId: header('Message-ID'), subject: header('Subject'), date: '', returnPath: '' },
          },
          receipt: {
            timestamp: new Date().toISOString(),
            processingTimeMillis: 1,
            recipients: [INBOUND],
            spamVerdict: { status: v.spam },
            virusVerdict: { status: v.virus },
            spfVerdict: { status: v.spf },
            dkimVerdict: { status: v.dkim },
            dmarcVerdict: { status: v.dmarc },
            action: { type: 'Lambda', functionArn: 'arn', invocationType: 'Event' },
          },
        },
      },
    ],
  } as unknown as SESEvent;
}

const recorded = async (messageId: string) => (await ctx.stores.inquiries.list(t, { limit: 100 })).items.filter((i) => i.messageId === messageId);

describe('the inbound function on DynamoDB', () => {
  it('records an accepted message once when SES delivers the same event again', async () => {
    const event = delivery(portalInquiry('a@example.org', { messageId: '<redeliver-1@mail.immobilienscout24.de>' }));
    const [first] = await handle(event);
    const [second] = await handle(event);
    expect(first).toMatchObject({ created: true, inquiry: { status: 'received', authenticated: true, fromAddress: 'noreply@immobilienscout24.de', propertyId: expect.any(String) } });
    expect(second).toMatchObject({ created: false, inquiry: { id: first!.inquiry.id } });
    expect(await recorded('<redeliver-1@mail.immobilienscout24.de>')).toHaveLength(1);
  });

  it('records a refused message once per delivery, whatever its Message-ID', async () => {
    const event = delivery(portalInquiry('b@example.org', { messageId: '<redeliver-2@mail.immobilienscout24.de>' }), { spam: 'FAIL' });
    const [first] = await handle(event);
    const [second] = await handle(event);
    expect(first).toMatchObject({ created: true, inquiry: { status: 'refused', refusedReason: 'Spam verdict FAIL', authenticated: true } });
    expect(second).toMatchObject({ created: false, inquiry: { id: first!.inquiry.id } });
    // The refusal holds no Message-ID: the portal's clean message with it is recorded.
    const [clean] = await handle(delivery(portalInquiry('b@example.org', { messageId: '<redeliver-2@mail.immobilienscout24.de>' })));
    expect(clean).toMatchObject({ created: true, inquiry: { status: 'received' } });
    expect((await recorded('<redeliver-2@mail.immobilienscout24.de>')).map((i) => i.status).sort()).toEqual(['received', 'refused']);
  });

  it('records mail over the bounds as refused, once per delivery, never throwing', async () => {
    const long = delivery(longMessageIdMessage(2048));
    const [first] = await handle(long);
    expect(first).toMatchObject({ created: true, inquiry: { status: 'refused', refusedReason: 'The Message-ID of 2048 bytes exceeds the limit of 998 bytes', messageId: expect.stringMatching(/^sha256:/) } });
    expect((await handle(long))[0]).toMatchObject({ created: false });
    const [headers] = await handle(delivery(manyHeadersMessage(50_000)));
    expect(headers).toMatchObject({ created: true, inquiry: { status: 'refused', refusedReason: 'The message has more than 1000 header fields' } });
  });

  it('keeps one accepted inquiry per Message-ID and authenticated domain: unauthenticated ones apart, the local part case-sensitive', async () => {
    const id = '<Squat-3@Mail.ImmobilienScout24.de>';
    const [squatter] = await handle(delivery(portalInquiry('squatter@example.com', { messageId: id }), { dmarc: 'FAIL' }));
    const [portal] = await handle(delivery(portalInquiry('prospect@example.org', { messageId: id })));
    const [again] = await handle(delivery(portalInquiry('prospect@example.org', { messageId: '<Squat-3@mail.immobilienscout24.de>' })));
    const [other] = await handle(delivery(portalInquiry('other@example.org', { messageId: '<squat-3@mail.immobilienscout24.de>' })));
    expect(squatter).toMatchObject({ created: true, inquiry: { authenticated: false, fromAddress: null } });
    expect(portal).toMatchObject({ created: true, inquiry: { authenticated: true } });
    expect(again).toMatchObject({ created: false, inquiry: { id: portal!.inquiry.id } });
    expect(other).toMatchObject({ created: true });
    expect((await ctx.stores.inquiries.findByMessageId(t, '<Squat-3@MAIL.immobilienscout24.de>', 'immobilienscout24.de'))?.id).toBe(portal!.inquiry.id);
    expect((await ctx.stores.inquiries.findByMessageId(t, id))?.id).toBe(squatter!.inquiry.id);
  });

  it('records the verdicts as SES sent them, and takes the sender of an unread message from SES\'s headers', async () => {
    const [inquiry] = await handle(delivery(portalInquiry('c@example.org', { messageId: '<verdicts@mail.immobilienscout24.de>' }), { spam: 'FAIL', spf: 'GRAY', dkim: 'FAIL', dmarc: 'PROCESSING_FAILED' }));
    expect(inquiry!.inquiry).toMatchObject({
      status: 'refused',
      verdicts: { spam: 'FAIL', virus: 'PASS', spf: 'GRAY', dkim: 'FAIL', dmarc: 'PROCESSING_FAILED' },
      authenticated: false,
      from: 'ImmobilienScout24 <noreply@immobilienscout24.de>',
      authenticationReason: 'SPF GRAY, DKIM FAIL, DMARC PROCESSING_FAILED: immobilienscout24.de is not authenticated',
    });
  });
});
