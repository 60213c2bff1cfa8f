import { CreateTenantCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailer, type OutgoingMail } from '#shared/engine/mailer';
import { sesTenantName } from '#shared/senders/identity-service';
import { SesIdentityService } from '#shared/senders/ses-identity-service';
import { startLocalSes, type LocalSes } from '#infra/local/ses-v2';
import { tenant } from '../support/dynamo.ts';

/**
 * Tenants registered before the stack had its configuration set lack its association, and SES
 * refuses their sends with it: the backfill (`npm run ses-backfill`) associates it with every CRM
 * tenant, through the SES v2 stand-in, which checks the association on every send as SES does.
 */
let ses: LocalSes;
let client: SESv2Client;
const CONFIGURATION_SET = 'crm-events';

beforeAll(async () => {
  ses = await startLocalSes({ port: 0, region: 'eu-central-1' });
  client = new SESv2Client({ endpoint: ses.url, region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await ses.stop();
});

const identityArn = (domain: string) => `${ses.identityArnPrefix}${domain}`;
const mailFrom = (t: string): OutgoingMail => ({ tenantId: t, from: { address: `info@${t}.example` }, to: 'max@example.com', subject: 'Hallo', html: '<p>Hallo</p>', text: 'Hallo' });

/** A tenant whose domain was registered and verified before the configuration set existed. */
async function registeredBefore(): Promise<string> {
  const t = tenant();
  await new SesIdentityService(client, { identityArn }).register(t, `${t}.example`);
  ses.verify(`${t}.example`);
  return t;
}

describe('the configuration-set backfill', () => {
  it('associates the configuration set with every CRM tenant once, so their sends with it go out', async () => {
    const [a, b] = [await registeredBefore(), await registeredBefore()];
    // Not a CRM tenant: left alone.
    await client.send(new CreateTenantCommand({ TenantName: `other_${a}` }));
    const mailer = new SesMailer(client, { configurationSet: CONFIGURATION_SET });
    await expect(mailer.send(mailFrom(a))).rejects.toMatchObject({ name: 'MessageRejected', message: expect.stringContaining(`${CONFIGURATION_SET} is not associated`) });

    const service = new SesIdentityService(client, { identityArn, configurationSetArn: `${ses.configurationSetArnPrefix}${CONFIGURATION_SET}` });
    const first = await service.associateConfigurationSetWithAllTenants();
    expect(first.associated).toEqual(expect.arrayContaining([sesTenantName(a), sesTenantName(b)]));
    expect(first.associated.every((name) => name.startsWith('crm_'))).toBe(true);

    expect((await mailer.send(mailFrom(a))).messageId).not.toBe('');
    expect((await mailer.send(mailFrom(b))).messageId).not.toBe('');
    // Again: nothing left to do.
    const second = await service.associateConfigurationSetWithAllTenants();
    expect(second).toEqual({ associated: [], already: first.associated.length, gone: 0 });
  });

  it('pages through more tenants than one page holds', async () => {
    const names = await Promise.all(Array.from({ length: 120 }, async () => {
      const name = sesTenantName(tenant());
      await client.send(new CreateTenantCommand({ TenantName: name }));
      return name;
    }));
    const service = new SesIdentityService(client, { identityArn, configurationSetArn: `${ses.configurationSetArnPrefix}${CONFIGURATION_SET}` });
    const { associated } = await service.associateConfigurationSetWithAllTenants();
    expect(associated).toEqual(expect.arrayContaining(names));
  });

  it('refuses to run without a configuration set', async () => {
    await expect(new SesIdentityService(client, { identityArn }).associateConfigurationSetWithAllTenants()).rejects.toThrow('No configuration set');
  });
});
