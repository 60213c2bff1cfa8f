import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { sesTenantName } from '../senders/identity-service.ts';
import { PermanentError } from './errors.ts';
import { composeMessage } from './mime.ts';

export interface OutgoingMail {
  /** The CRM tenant the mail is sent for: SES sends it through that tenant's SES tenant. */
  tenantId: string;
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

/** The message tag naming the CRM tenant of a send; SES events carry it in `mail.tags`. */
export const SES_TENANT_TAG = 'tenantId';

let sesModule: Promise<typeof import('@aws-sdk/client-sesv2')> | undefined;
const loadSes = () => (sesModule ??= import('@aws-sdk/client-sesv2'));

/**
 * Sends through SES v2 (`SendEmail` with raw content, so invitations can be attached) from the
 * tenant's sender address, with `TenantName` set to the tenant's SES tenant (`sesTenantName`).
 * SES refuses (`MessageRejected`) a From identity that is not associated with that SES tenant, so
 * a tenant can send only from its own verified domains, whatever its settings item says. The SES
 * SDK is loaded on the first send, not at start: most runs send no mail, and every cold start is
 * shorter for it. Pass a client to use that one instead.
 */
export class SesMailer implements Mailer {
  private client?: Promise<SESv2Client>;

  constructor(
    client?: SESv2Client,
    private readonly options: { configurationSet?: string; onSend?: () => void } = {},
  ) {
    if (client) this.client = Promise.resolve(client);
  }

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    // A message that cannot be composed was never sent, and never will be: a permanent failure.
    let raw: Buffer;
    try {
      raw = composeMessage(mail);
    } catch (error) {
      throw new PermanentError(`The message could not be composed: ${(error as Error).message}`);
    }
    this.options.onSend?.();
    const { SESv2Client, SendEmailCommand } = await loadSes();
    // One attempt: the SDK would retry a timeout or a broken connection, which may follow a send SES
    // took. The engine decides what is safe to retry (a refusal, never an ambiguous failure).
    this.client ??= Promise.resolve(new SESv2Client({ maxAttempts: 1 }));
    const result = await (await this.client).send(
      new SendEmailCommand({
        FromEmailAddress: mail.from.address,
        Destination: { ToAddresses: [mail.to] },
        Content: { Raw: { Data: raw } },
        TenantName: sesTenantName(mail.tenantId),
        // Bounce and complaint events carry the tags: `tenantId` says whose contacts to mark (shared/senders/ses-events.ts).
        EmailTags: [{ Name: SES_TENANT_TAG, Value: mail.tenantId }],
        ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
      }),
    );
    return { messageId: result.MessageId ?? '' };
  }
}
