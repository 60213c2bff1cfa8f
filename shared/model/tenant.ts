import * as z from 'zod';
import { PickLists, PickListsPatch } from '../settings/pick-lists.ts';
import { DEFAULT_SEND_WINDOW, SendWindowSchema } from '../time/wait-time.ts';
import { Email, Line, TimeZone, VersionField } from './common.ts';

export const DEFAULT_TIME_ZONE = 'Europe/Berlin';

/** A fresh copy of the default send window (weekdays 08:00–20:00). */
export const defaultSendWindow = () => ({ ...DEFAULT_SEND_WINDOW, days: [...DEFAULT_SEND_WINDOW.days] });

const SettingsFields = {
  name: Line(200),
  timeZone: TimeZone.default(DEFAULT_TIME_ZONE),
  /** When a wait held to business hours (`withinSendWindow`) may end, in the tenant's time zone. */
  sendWindow: SendWindowSchema.default(defaultSendWindow),
  senderAddress: Email.optional(),
  /** Addresses inquiry mail is sent to; each belongs to exactly one tenant. */
  inboundAddresses: z.array(Email).max(20).default([]),
};

/**
 * What an admin sets for the agency. `pickLists` names only the lists it changes (see
 * `PickListsPatch`); left out, the lists stay as they are.
 */
export const TenantSettingsInput = z.strictObject({ ...SettingsFields, pickLists: PickListsPatch.optional() });

/** PUT /settings replaces the settings (the pick-lists it does not name excepted); `version` is required once settings exist. */
export const TenantSettingsPut = TenantSettingsInput.extend({ version: VersionField.optional() });

/** The stored settings: always with every pick-list. */
export const TenantSettings = z.strictObject({
  ...SettingsFields,
  pickLists: PickLists,
  tenantId: z.string(),
  version: VersionField,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TenantSettings = z.infer<typeof TenantSettings>;
/** What PUT /settings takes (defaults applied when stored: an older client that sends no `sendWindow` keeps working). */
export type TenantSettingsPut = Omit<z.infer<typeof TenantSettingsPut>, 'sendWindow'> & { sendWindow?: z.infer<typeof SendWindowSchema> };
