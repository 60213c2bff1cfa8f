import * as z from 'zod';
import { NotFoundError } from '../errors.ts';
import type { RouteImpl } from '../http/types.ts';
import type { SenderDomains } from '../senders/sender-domains.ts';
import { body, ok, PageQuery, query } from './helpers.ts';

/** `POST /sender-domains`: only the domain; its checks beyond being a string are `SenderDomains.assertValid`'s. */
export const SenderDomainBody = z.strictObject({ domain: z.string().describe('Lower-case ASCII domain name (`xn--` form for IDNs), e.g. `acme.example`') });

/**
 * The tenant's sender domains (admins): `POST` registers one (201, or 200 for a domain the tenant
 * already has, whose identity steps are run again) and answers its status and the DKIM CNAME
 * records to publish; `GET` lists them as stored; `GET /sender-domains/{domain}` refreshes one
 * from the identity service. Another tenant's domain is a 409 on `POST` and a 404 on `GET`.
 */
export function senderDomainRoutes(senderDomains: SenderDomains): Record<string, RouteImpl> {
  return {
    'POST /sender-domains': async ({ principal: { tenantId }, body: raw }) => {
      const { domain } = body(SenderDomainBody, raw);
      senderDomains.assertValid(domain);
      const result = await senderDomains.register(tenantId, domain);
      return {
        status: result.created ? 201 : 200,
        body: result.domain,
        headers: { location: `/sender-domains/${result.domain.domain}` },
      };
    },
    'GET /sender-domains': async ({ principal: { tenantId }, query: q }) => ok(await senderDomains.list(tenantId, query(PageQuery, q))),
    'GET /sender-domains/{domain}': async ({ principal: { tenantId }, params }) => {
      const domain = params.domain;
      senderDomains.assertValid(domain);
      const found = await senderDomains.get(tenantId, domain);
      if (!found) throw new NotFoundError(`No sender domain ${domain}`);
      return ok(found);
    },
  };
}
