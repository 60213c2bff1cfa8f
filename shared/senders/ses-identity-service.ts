import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { dkimRecords, SES_TENANT_PREFIX, sesTenantName, statusOfIdentity, type IdentityService, type IdentityState } from './identity-service.ts';

let sesModule: Promise<typeof import('@aws-sdk/client-sesv2')> | undefined;
const loadSes = () => (sesModule ??= import('@aws-sdk/client-sesv2'));

const named = (error: unknown, name: string) => (error as { name?: string } | undefined)?.name === name;

/** Runs `call`; an `AlreadyExistsException` means an earlier attempt did the work. */
async function idempotent(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!named(error, 'AlreadyExistsException')) throw error;
  }
}

export interface SesIdentityServiceOptions {
  /**
   * The ARN of the identity named `domain` (CreateTenantResourceAssociation takes an ARN): in the
   * Lambda `SES_IDENTITY_ARN_PREFIX` + domain, which the CDK stack sets to
   * `arn:<partition>:ses:<region>:<account>:identity/`.
   */
  identityArn: (domain: string) => string;
  /**
   * The configuration set the runners send with (bounce and complaint events): SES sends through a
   * tenant only with resources associated with it, so each SES tenant gets it associated too. In
   * the Lambda `SES_CONFIGURATION_SET_ARN`; none locally (the local mailer names no configuration set).
   */
  configurationSetArn?: string;
}

/**
 * Sending identities in SES v2: `CreateEmailIdentity` with Easy DKIM (2048-bit keys SES rotates),
 * one SES tenant per CRM tenant (`CreateTenant`, named by `sesTenantName`),
 * `CreateTenantResourceAssociation` of the identity with that tenant only, `GetEmailIdentity` for
 * the status. The SDK is loaded on first use, so API cold starts do not pay for it.
 */
export class SesIdentityService implements IdentityService {
  private client?: Promise<SESv2Client>;

  constructor(
    client: SESv2Client | undefined,
    private readonly options: SesIdentityServiceOptions,
  ) {
    if (client) this.client = Promise.resolve(client);
  }

  private async ses() {
    const sdk = await loadSes();
    this.client ??= Promise.resolve(new sdk.SESv2Client({}));
    return { sdk, client: await this.client };
  }

  async register(tenantId: string, domain: string): Promise<IdentityState> {
    const { sdk, client } = await this.ses();
    const TenantName = sesTenantName(tenantId);
    await idempotent(() => client.send(new sdk.CreateTenantCommand({ TenantName })));
    await idempotent(() =>
      client.send(new sdk.CreateEmailIdentityCommand({ EmailIdentity: domain, DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' } })),
    );
    await idempotent(() => client.send(new sdk.CreateTenantResourceAssociationCommand({ TenantName, ResourceArn: this.options.identityArn(domain) })));
    const configurationSet = this.options.configurationSetArn;
    if (configurationSet) await idempotent(() => client.send(new sdk.CreateTenantResourceAssociationCommand({ TenantName, ResourceArn: configurationSet })));
    const state = await this.describe(domain);
    if (!state) throw new Error(`SES has no identity ${domain} right after creating it`);
    return state;
  }

  /**
   * Associates the configuration set with every CRM tenant in SES (`crm_*`), for tenants created
   * before the stack had one: SES refuses their sends with it otherwise. Idempotent: a tenant that
   * has it already is counted, not changed. Run once after the first deploy with the configuration
   * set (`npm run ses-backfill`).
   */
  async associateConfigurationSetWithAllTenants(): Promise<{ associated: string[]; already: number; gone: number }> {
    const configurationSet = this.options.configurationSetArn;
    if (!configurationSet) throw new Error('No configuration set to associate: pass its ARN');
    const { sdk, client } = await this.ses();
    const result = { associated: [] as string[], already: 0, gone: 0 };
    let NextToken: string | undefined;
    do {
      const page = await client.send(new sdk.ListTenantsCommand({ PageSize: 100, ...(NextToken ? { NextToken } : {}) }));
      for (const { TenantName } of page.Tenants ?? []) {
        if (!TenantName?.startsWith(SES_TENANT_PREFIX)) continue;
        try {
          await client.send(new sdk.CreateTenantResourceAssociationCommand({ TenantName, ResourceArn: configurationSet }));
          result.associated.push(TenantName);
        } catch (error) {
          // Already done by an earlier run; or the tenant was deleted since it was listed: nothing to do for it.
          if (named(error, 'AlreadyExistsException')) result.already += 1;
          else if (named(error, 'NotFoundException')) result.gone += 1;
          else throw error;
        }
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return result;
  }

  async describe(domain: string): Promise<IdentityState | undefined> {
    const { sdk, client } = await this.ses();
    try {
      const identity = await client.send(new sdk.GetEmailIdentityCommand({ EmailIdentity: domain }));
      return { status: statusOfIdentity(identity), dkimRecords: dkimRecords(domain, identity.DkimAttributes?.Tokens ?? []) };
    } catch (error) {
      if (named(error, 'NotFoundException')) return undefined;
      throw error;
    }
  }
}
