import MailComposer from 'nodemailer/lib/mail-composer/index.js';

export interface EmlOptions {
  from?: string;
  replyTo?: string;
  subject?: string;
  messageId?: string;
  text?: string;
  html?: string;
  attachments?: Array<{ filename?: string; contentType: string; content: Buffer | string }>;
}

/** Builds a raw MIME message, as a mail client would send it. */
export function eml(options: EmlOptions): Promise<Buffer> {
  const composer = new MailComposer({
    from: options.from ?? 'Webseite <info@meine-immobilien.de>',
    to: 'anfragen@meine-immobilien.de',
    subject: options.subject ?? 'Anfrage',
    messageId: options.messageId ?? `<${Math.random().toString(36).slice(2)}@test.example>`,
    replyTo: options.replyTo,
    text: options.text,
    html: options.html,
    attachments: options.attachments,
  });
  return new Promise((resolve, reject) => composer.compile().build((error, message) => (error ? reject(error) : resolve(message))));
}
