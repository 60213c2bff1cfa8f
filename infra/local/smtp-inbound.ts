import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { SESEvent } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import type { LocalS3 } from './s3-server.ts';

export interface SmtpInboundOptions {
  port: number;
  s3: LocalS3;
  bucket: string;
  prefix?: string;
  /** Whether any tenant has this inbound address (unknown recipients are refused, as SES does). */
  isInboundAddress: (address: string) => Promise<boolean>;
  handler: (event: SESEvent) => Promise<unknown>;
  log?: (line: string) => void;
}

/** SES accepts messages up to 40 MB; the handler refuses what is over its own 10 MB limit. */
const SES_MAX_BYTES = 40 * 1024 * 1024;

/**
 * Plays SES inbound on this machine: an SMTP server that accepts mail for the tenants' inbound
 * addresses, stores the raw message where the receipt rule's S3 action would (`inbound/<id>`), and
 * calls the inbound handler with an SES receipt event, as the rule's Lambda action does. A local
 * test can set `X-Local-Spam-Verdict` / `X-Local-Virus-Verdict: FAIL` to play SES's scanning.
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

async function deliver(options: SmtpInboundOptions, prefix: string, raw: Buffer, mailFrom: string, recipients: string[]): Promise<string> {
  const sesMessageId = randomBytes(20).toString('hex');
  options.s3.put(options.bucket, `${prefix}${sesMessageId}`, raw);
  const headers = await simpleParser(raw.subarray(0, Math.min(raw.length, 256 * 1024)), { skipHtmlToText: true, skipTextToHtml: true });
  const header = (name: string) => String(headers.headers.get(name) ?? '').toUpperCase();
  const verdict = (name: string) => ({ status: header(name) === 'FAIL' ? 'FAIL' : 'PASS' }) as const;
  const addresses = (value: unknown) => (value ? (Array.isArray(value) ? value : [value]).map((a: { text: string }) => a.text) : []);
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
            headersTruncated: false,
            headers: [],
            commonHeaders: {
              returnPath: mailFrom,
              from: addresses(headers.from),
              to: addresses(headers.to),
              date: headers.date?.toUTCString() ?? now,
              messageId: headers.messageId ?? '',
              subject: headers.subject ?? '',
            },
          },
          receipt: {
            timestamp: now,
            processingTimeMillis: 1,
            recipients,
            spamVerdict: verdict('x-local-spam-verdict'),
            virusVerdict: verdict('x-local-virus-verdict'),
            spfVerdict: { status: 'PASS' },
            dkimVerdict: { status: 'PASS' },
            dmarcVerdict: { status: 'PASS' },
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
