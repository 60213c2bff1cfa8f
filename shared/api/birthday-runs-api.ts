import * as z from 'zod';
import { dateInZone, isValidDate } from '../birthdays/dates.ts';
import type { BirthdayRunInput, BirthdayRunResult } from '../birthdays/birthday-run.ts';
import { ValidationError } from '../errors.ts';
import type { RouteImpl } from '../http/types.ts';
import type { CrmStores } from '../stores/crm-stores.ts';
import { body, ok } from './helpers.ts';

export const BirthdayRunBody = z.strictObject({ date: z.string().refine(isValidDate, 'Use YYYY-MM-DD') });

export type BirthdayRunner = (input: BirthdayRunInput) => Promise<BirthdayRunResult>;

/**
 * A back-fill of the birthday check for the caller's tenant (after an outage, say). Events carry
 * the same keys as the scheduled run's, so running a date twice greets nobody twice. Dates after
 * today (in the tenant's time zone) are refused: greetings are not sent early.
 */
export function birthdayRunRoutes({ settings }: CrmStores, runBirthdays: BirthdayRunner): Record<string, RouteImpl> {
  return {
    'POST /birthday-runs': async ({ principal: { tenantId }, body: raw }) => {
      const { date } = body(BirthdayRunBody, raw);
      const today = dateInZone(new Date(), (await settings.get(tenantId)).timeZone);
      if (date > today) throw new ValidationError('The request body is invalid', [{ path: 'date', code: 'in_future', params: { today }, message: `Must not be after today (${today})` }]);
      return ok(await runBirthdays({ date, tenantId }));
    },
  };
}
