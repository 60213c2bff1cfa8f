import * as z from 'zod';
import { Email, Line, TimeZone, VersionField } from './common.ts';

export const DEFAULT_TIME_ZONE = 'Europe/Berlin';

/** What an admin sets for the agency. */
export const TenantSettingsInput = z.strictObject({
  name: Line(200),
  timeZone: TimeZone.default(DEFAULT_TIME_ZONE),
  senderAddress: Email.optional(),
  /** Addresses inquiry mail is sent to; each belongs to exactly one tenant. */
  inboundAddresses: z.array(Email).max(20).default([]),
});

/** PUT /settings replaces the settings; `version` is required once settings exist. */
export const TenantSettingsPut = TenantSettingsInput.extend({ version: VersionField.optional() });

export const TenantSettings = TenantSettingsInput.extend({
  tenantId: z.string(),
  version: VersionField,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TenantSettings = z.infer<typeof TenantSettings>;
export type TenantSettingsPut = z.infer<typeof TenantSettingsPut>;
