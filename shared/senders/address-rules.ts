import { ValidationError, type FieldError } from '../errors.ts';
import { domainOf, localPartOf } from './domain-name.ts';
import type { SenderDomains } from './sender-domains.ts';

/** A sub-address tag of a platform inbound address (`<tenantId>+<tag>@<platform domain>`). */
const PLATFORM_TAG = /^[a-z0-9][a-z0-9._-]{0,39}$/;

/**
 * The tenant's own addresses on the platform's inbound domain: `<tenantId>@<domain>` and
 * `<tenantId>+<tag>@<domain>` (tag: 1–40 of a–z, 0–9, `.`, `_`, `-`, starting with a letter or
 * digit). Tenant ids contain no `+`, so no tenant's address is another tenant's.
 */
export function isOwnPlatformAddress(tenantId: string, address: string, platformInboundDomain: string): boolean {
  if (domainOf(address) !== platformInboundDomain) return false;
  const local = localPartOf(address);
  if (local === tenantId) return true;
  return local.startsWith(`${tenantId}+`) && PLATFORM_TAG.test(local.slice(tenantId.length + 1));
}

/**
 * Checks the addresses of a settings change against the tenant's sending identities:
 *
 * - `senderAddress` must be on a verified sender domain of the tenant, exactly (a subdomain is a
 *   domain of its own): else 400 `sender_domain_not_verified` with `{ domain, status }` (`status`
 *   `unregistered`, `pending` or `failed`).
 * - each of `inboundAddresses` must be on a verified sender domain of the tenant, or be one of the
 *   tenant's own platform addresses (`isOwnPlatformAddress`): an address on the platform's inbound
 *   domain (or under it) that is not the tenant's own is 400 `not_own_platform_address` with the
 *   allowed form; any other address whose domain is not verified for the tenant is 400
 *   `inbound_domain_not_verified` with `{ domain, status, platformAddress }`.
 *
 * Every problem is reported at once. The unchanged values of stored settings are checked too: a
 * value that is not (or no longer) allowed cannot be saved again.
 */
export async function assertOwnAddresses(
  senderDomains: Pick<SenderDomains, 'statusOf' | 'platformInboundDomain'>,
  tenantId: string,
  input: { senderAddress?: string | undefined; inboundAddresses?: readonly string[] | undefined },
): Promise<void> {
  const platform = senderDomains.platformInboundDomain;
  const statuses = new Map<string, ReturnType<SenderDomains['statusOf']>>();
  const statusOf = (domain: string) => {
    if (!statuses.has(domain)) statuses.set(domain, senderDomains.statusOf(tenantId, domain));
    return statuses.get(domain)!;
  };
  const fields: FieldError[] = [];

  if (input.senderAddress) {
    const domain = domainOf(input.senderAddress);
    const status = await statusOf(domain);
    if (status !== 'verified') {
      fields.push({
        path: 'senderAddress',
        code: 'sender_domain_not_verified',
        message: status === 'unregistered' ? `${domain} is not a sender domain of this tenant; register it with POST /sender-domains and verify it` : `The sender domain ${domain} is ${status}, not verified`,
        params: { domain, status },
      });
    }
  }

  const platformAddress = `${tenantId}@${platform}`;
  for (const [i, address] of (input.inboundAddresses ?? []).entries()) {
    const domain = domainOf(address);
    if (domain === platform || domain.endsWith(`.${platform}`)) {
      if (!isOwnPlatformAddress(tenantId, address, platform)) {
        fields.push({
          path: `inboundAddresses.${i}`,
          code: 'not_own_platform_address',
          message: `On ${platform} the tenant may use ${platformAddress} or ${tenantId}+<tag>@${platform} only`,
          params: { value: address, allowed: [platformAddress, `${tenantId}+<tag>@${platform}`] },
        });
      }
      continue;
    }
    const status = await statusOf(domain);
    if (status !== 'verified') {
      fields.push({
        path: `inboundAddresses.${i}`,
        code: 'inbound_domain_not_verified',
        message: `${domain} is ${status === 'unregistered' ? 'not a sender domain of this tenant' : `${status}, not verified`}; use a verified domain of the tenant or ${platformAddress}`,
        params: { value: address, domain, status, platformAddress },
      });
    }
  }
  if (fields.length) throw new ValidationError('The settings name addresses the tenant may not use', fields);
}
