import { createHash } from 'node:crypto';

/** Where a sender domain stands: DKIM records not (yet) found, found, or given up on by SES. */
export type SenderDomainStatus = 'pending' | 'verified' | 'failed';

/** A DNS record the tenant publishes for the domain (Easy DKIM: three CNAMEs). */
export interface DnsRecord {
  name: string;
  type: 'CNAME';
  value: string;
}

/** What the identity service knows about a domain. */
export interface IdentityState {
  status: SenderDomainStatus;
  dkimRecords: DnsRecord[];
}

/**
 * The service that owns sending identities (SES v2 in AWS). Every CRM tenant has its own SES
 * tenant (`sesTenantName`); a domain registered by a CRM tenant is an SES identity associated with
 * that SES tenant only, and SES refuses a send whose From identity is not associated with the
 * send's `TenantName`. This interface is what the sender-domain store needs of it.
 */
export interface IdentityService {
  /**
   * Creates the identity for `domain` (Easy DKIM) if it does not exist, the tenant's SES tenant if
   * it does not exist, and associates the two; each step tolerates having been done before, so a
   * retry after a partial failure completes the work. Answers the identity's state.
   */
  register(tenantId: string, domain: string): Promise<IdentityState>;
  /** The identity's current state, or undefined when no identity exists for the domain. */
  describe(domain: string): Promise<IdentityState | undefined>;
}

export const SES_TENANT_PREFIX = 'crm_';
const SES_TENANT_MAX = 64;

/**
 * The SES tenant of a CRM tenant: `crm_<tenantId>`. SES tenant names have at most 64 letters,
 * digits, `-` and `_`; CRM tenant ids (`[a-z0-9][a-z0-9-]{1,62}`) have no `_`. A tenant id longer
 * than 60 characters becomes `crm_<first 43 characters>_<16 hex digits of its SHA-256>`; since
 * tenant ids never contain `_`, a shortened name never equals a plain one, so two CRM tenants
 * never share an SES tenant.
 */
export function sesTenantName(tenantId: string): string {
  const plain = `${SES_TENANT_PREFIX}${tenantId}`;
  if (plain.length <= SES_TENANT_MAX) return plain;
  const hash = createHash('sha256').update(tenantId).digest('hex').slice(0, 16);
  return `${SES_TENANT_PREFIX}${tenantId.slice(0, SES_TENANT_MAX - SES_TENANT_PREFIX.length - 17)}_${hash}`;
}

/** The CNAME records of Easy DKIM for the tokens SES answers. */
export function dkimRecords(domain: string, tokens: readonly string[]): DnsRecord[] {
  return tokens.map((token) => ({ name: `${token}._domainkey.${domain}`, type: 'CNAME', value: `${token}.dkim.amazonses.com` }));
}

/**
 * The status of an SES identity: verified once SES may send from it, failed when SES gave up on
 * the DKIM records (or the verification failed), pending otherwise (also while SES retries after a
 * temporary failure).
 */
export function statusOfIdentity(identity: { VerifiedForSendingStatus?: boolean; VerificationStatus?: string; DkimAttributes?: { Status?: string } }): SenderDomainStatus {
  if (identity.VerifiedForSendingStatus) return 'verified';
  if (identity.VerificationStatus === 'FAILED' || identity.DkimAttributes?.Status === 'FAILED') return 'failed';
  return 'pending';
}
