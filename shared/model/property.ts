import * as z from 'zod';
import { CausedBy, EntityMeta, Id, Line, patchOf } from './common.ts';

export const Address = z.strictObject({
  street: Line(200).optional(),
  houseNumber: Line(20).optional(),
  postalCode: z.string().trim().regex(/^[A-Za-z0-9 -]{3,10}$/, 'Not a postal code').optional(),
  city: Line(100).optional(),
  country: z.string().trim().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2 code, e.g. DE').default('DE'),
});

/** The agent's own object number, e.g. `MI-2026-014`: unique per tenant. */
export const UnitId = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'Letters, digits and . _ / -');

/** Listing ids per portal, e.g. `{ "immoscout24": "143279874" }`; each unique per tenant and portal. */
export const PortalIds = z.record(
  z.string().regex(/^[a-z0-9-]{2,30}$/, 'Portal names are lower-case, e.g. immoscout24'),
  z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'Not a listing id'),
);

export const PropertyFields = z.strictObject({
  unitId: UnitId,
  title: Line(300),
  address: Address.optional(),
  marketingType: z.enum(['buy', 'rent']).optional(),
  price: z.number().nonnegative().max(1e12).optional(),
  status: Line(60).optional(),
  contactPersonId: Id.optional(),
  portalIds: PortalIds,
  archived: z.boolean(),
});

export const PropertyInput = PropertyFields.extend({
  portalIds: PortalIds.default({}),
  archived: z.boolean().default(false),
});
export const PropertyPatch = patchOf(PropertyFields);
export const Property = PropertyFields.extend(EntityMeta.shape).extend({ causedBy: CausedBy.optional() });

export type PropertyInput = z.infer<typeof PropertyInput>;
export type Property = z.infer<typeof Property>;
