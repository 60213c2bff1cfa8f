import { SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

export interface OutgoingMail {
  from: { name?: string; address: string };
  to: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  attachments?: Array<{ filename: string; contentType: string; content: string }>;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}

/** Builds the MIME message (headers encoded by nodemailer's composer) for SendRawEmail. */
export function composeMime(mail: OutgoingMail): Promise<Buffer> {
  const composer = new MailComposer({
    from: mail.from.name ? { name: mail.from.name, address: mail.from.address } : mail.from.address,
    to: mail.to,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    attachments: mail.attachments,
  });
  return new Promise((resolve, reject) => composer.compile().build((error, message) => (error ? reject(error) : resolve(message))));
}

/** Sends through SES (SendRawEmail, so invitations can be attached), from the tenant's sender identity. */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESClient,
    private readonly options: { configurationSet?: string; onSend?: () => void } = {},
  ) {}

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    const raw = await composeMime(mail);
    this.options.onSend?.();
    const result = await this.client.send(
      new SendRawEmailCommand({
        RawMessage: { Data: raw },
        Source: mail.from.address,
        Destinations: [mail.to],
        ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
      }),
    );
    return { messageId: result.MessageId ?? '' };
  }
}
