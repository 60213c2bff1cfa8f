import { randomBytes } from 'node:crypto';
import { dkimRecords, sesTenantName, type IdentityService, type IdentityState, type SenderDomainStatus } from './identity-service.ts';

interface LocalIdentity {
  status: SenderDomainStatus;
  tokens: string[];
  /** The SES tenants the identity is associated with. */
  tenants: Set<string>;
}

/** Three Easy-DKIM-like tokens (32 characters of a–z and 0–9). */
export function dkimTokens(): string[] {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: 3 }, () => Array.from(randomBytes(32), (b) => alphabet[b % alphabet.length]).join(''));
}

/**
 * The identity service in memory, for tests that need no SES: it keeps identities, SES tenants
 * and associations as SES does, and a domain becomes verified only when `verify` says so (as DNS
 * would). The local stack uses the SES v2 implementation against its SES v2 stand-in instead, so
 * the runners' sends are checked against the same state.
 */
export class LocalIdentityService implements IdentityService {
  private readonly identities = new Map<string, LocalIdentity>();

  async register(tenantId: string, domain: string): Promise<IdentityState> {
    const identity = this.identities.get(domain) ?? { status: 'pending' as const, tokens: dkimTokens(), tenants: new Set<string>() };
    identity.tenants.add(sesTenantName(tenantId));
    this.identities.set(domain, identity);
    return this.stateOf(domain, identity);
  }

  async describe(domain: string): Promise<IdentityState | undefined> {
    const identity = this.identities.get(domain);
    return identity && this.stateOf(domain, identity);
  }

  /** What DNS would do: the DKIM records are found (`verified`) or SES gives up (`failed`). */
  verify(domain: string, status: Exclude<SenderDomainStatus, 'pending'> = 'verified'): void {
    const identity = this.identities.get(domain);
    if (!identity) throw new Error(`No identity ${domain}`);
    identity.status = status;
  }

  /** Whether the tenant may send from `address`, as SES decides it: a verified identity associated with its SES tenant. */
  maySend(tenantId: string, address: string): boolean {
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    const identity = this.identities.get(address.toLowerCase()) ?? this.identities.get(domain);
    return identity?.status === 'verified' && identity.tenants.has(sesTenantName(tenantId));
  }

  private stateOf(domain: string, identity: LocalIdentity): IdentityState {
    return { status: identity.status, dkimRecords: dkimRecords(domain, identity.tokens) };
  }
}
