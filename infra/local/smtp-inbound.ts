import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { SESEvent } from 'aws-lambda';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { headerValue, scanHeaderBlock } from '#shared/inbound/mime-scan';
import type { LocalS3 } from './s3-server.ts';

export interface SmtpInboundOptions {
  port: number;
  s3: LocalS3;
  bucket: string;
  prefix?: string;
  /** Whether any tenant has this inbound address (unknown recipients are refused, as SES does). */
  isInboundAddress: (address: string) => Promise<boolean>;
  handler: (event: SESEvent) => Promise<unknown>;
  /**
   * The SPF, DKIM and DMARC verdicts of a message without X-Local-…-Verdict headers. @default GRAY
   * for all three: what SES reports for an unsigned message from a domain without SPF or DMARC
   * records, so local mail is unauthenticated unless it says otherwise.
   */
  authVerdicts?: Partial<Record<'spf' | 'dkim' | 'dmarc', SesVerdict>>;
  log?: (line: string) => void;
}

export type SesVerdict = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED';
const VERDICTS = new Set<string>(['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED']);

/** SES accepts messages up to 40 MB; the handler refuses what is over its own 10 MB limit. */
const SES_MAX_BYTES = 40 * 1024 * 1024;
/** How much of the header the event's `headers` carry; beyond it `headersTruncated` is true, as SES does. */
const EVENT_HEADER_LIMITS = { maxHeaderFields: 500, maxHeaderBytes: 64 * 1024 };

/**
 * Plays SES inbound on this machine: an SMTP server that accepts mail for the tenants' inbound
 * addresses, stores the raw message where the receipt rule's S3 action would (`inbound/<id>`), and
 * calls the inbound handler with an SES receipt event, as the rule's Lambda action does.
 *
 * SES's verdicts are played by headers in the message, which the stand-in reads and removes
 * before storing it: `X-Local-Spam-Verdict` / `X-Local-Virus-Verdict: FAIL` (else PASS), and
 * `X-Local-Spf-Verdict`, `X-Local-Dkim-Verdict`, `X-Local-Dmarc-Verdict`: PASS, FAIL, GRAY or
 * PROCESSING_FAILED (else `authVerdicts`, GRAY by default). A DKIM PASS authenticates the sender
 * only with a `DKIM-Signature: … d=<the From domain>` in the message (the signature is not checked
 * here, as SES would). The header is read with the same linear scanner the handler uses, so a
 * message with a hostile header reaches the handler (which refuses it) instead of failing here.
 */
export async function startSmtpInbound(options: SmtpInboundOptions): Promise<{ port: number; close(): Promise<void> }> {
  const prefix = options.prefix ?? 'inbound/';
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: SES_MAX_BYTES,
    banner: 'crm local inbound',
    logger: false,
    async onRcptTo(address: SMTPServerAddress, _session, callback) {
      try {
        if (await options.isInboundAddress(address.address)) return callback();
        const error = Object.assign(new Error(`No inbound address ${address.address}`), { responseCode: 550 });
        return callback(error);
      } catch (error) {
        return callback(Object.assign(new Error(String(error)), { responseCode: 451 }));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          return callback(Object.assign(new Error('Message exceeds the 40 MB limit'), { responseCode: 552 }));
        }
        const raw = Buffer.concat(chunks);
        const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        deliver(options, prefix, raw, mailFrom, recipients)
          .then((id) => callback(null, `Ok: queued as ${id}`))
          .catch((error) => {
            options.log?.(`[smtp] delivery failed: ${String(error)}`);
            callback(Object.assign(new Error('Temporary failure, try again'), { responseCode: 451 }));
          });
      });
    },
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', ok);
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, close: () => new Promise((ok) => server.close(() => ok())) };
}

async function deliver(options: SmtpInboundOptions, prefix: string, received: Buffer, mailFrom: string, recipients: string[]): Promise<string> {
  const sesMessageId = randomBytes(20).toString('hex');
  const { raw, fields, truncated, local } = readHeader(received);
  options.s3.put(options.bucket, `${prefix}${sesMessageId}`, raw);
  const values = (name: string) => fields.filter((f) => f.name.toLowerCase() === name).map((f) => f.value);
  const scan = (name: string) => ({ status: local.get(name) === 'FAIL' ? 'FAIL' : 'PASS' }) as const;
  const auth = (name: 'spf' | 'dkim' | 'dmarc') => {
    const value = local.get(`x-local-${name}-verdict`);
    return { status: value && VERDICTS.has(value) ? value : (options.authVerdicts?.[name] ?? 'GRAY') };
  };
  const now = new Date().toISOString();
  const event = {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: now,
            source: mailFrom,
            messageId: sesMessageId,
            destination: recipients,
            headersTruncated: truncated,
            headers: fields,
            commonHeaders: {
              returnPath: mailFrom,
              from: values('from'),
              to: values('to'),
              date: values('date')[0] ?? now,
              messageId: values('message-id')[0] ?? '',
              subject: values('subject')[0] ?? '',
            },
          },
          receipt: {
            timestamp: now,
            processingTimeMillis: 1,
            recipients,
            spamVerdict: scan('x-local-spam-verdict'),
            virusVerdict: scan('x-local-virus-verdict'),
            spfVerdict: auth('spf'),
            dkimVerdict: auth('dkim'),
            dmarcVerdict: auth('dmarc'),
            ...(auth('dmarc').status === 'FAIL' ? { dmarcPolicy: 'none' } : {}),
            action: { type: 'Lambda', functionArn: 'arn:aws:lambda:local:000000000000:function:inbound-mail', invocationType: 'Event' },
          },
        },
      },
    ],
  } as unknown as SESEvent;
  await options.handler(event);
  options.log?.(`[smtp] ${recipients.join(',')} <- ${mailFrom || '(no sender)'} ${raw.length} bytes as ${sesMessageId}`);
  return sesMessageId;
}

/**
 * The message's own header, read as SES does for the event (at most EVENT_HEADER_LIMITS of it;
 * `truncated` beyond), its X-Local-… fields (name lower-cased, value upper-cased; only those within
 * the limits, so tests put them first), and the message without them, as it is stored.
 */
function readHeader(received: Buffer) {
  const block = scanHeaderBlock(received, 0, { fields: 0, bytes: 0 }, EVENT_HEADER_LIMITS);
  const local = new Map<string, string>();
  const kept: Buffer[] = [];
  let from = 0;
  const fields: Array<{ name: string; value: string }> = [];
  for (const field of block.fields) {
    const value = headerValue(received, field);
    if (field.key.startsWith('x-local-')) {
      local.set(field.key, value.toUpperCase());
      kept.push(received.subarray(from, field.start));
      from = field.next;
      continue;
    }
    fields.push({ name: field.key === '' ? '' : received.toString('latin1', field.start, field.valueStart - 1).trim(), value });
  }
  kept.push(received.subarray(from));
  return { raw: kept.length === 1 ? received : Buffer.concat(kept), fields, truncated: block.overflow !== undefined, local };
}
