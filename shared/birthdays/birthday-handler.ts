import * as z from 'zod';
import { parseOrThrow } from '../validation.ts';
import { runBirthdayCheck, type BirthdayRunDeps, type BirthdayRunResult } from './birthday-run.ts';
import { dateInZone, isValidDate } from './dates.ts';
import { BIRTHDAY_SCHEDULE } from './schedule.ts';
import { log as defaultLog, type Log } from '../log.ts';

/**
 * What the schedule sends: the time it fired (`<aws.scheduler.scheduled-time>`), from which the
 * Berlin calendar date follows; or, for a manual run, the date itself.
 */
export const BirthdayCheckInput = z.object({
  date: z.string().refine(isValidDate, 'Use YYYY-MM-DD').optional(),
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
});

export function createBirthdayHandler(deps: BirthdayRunDeps, log: Log = defaultLog) {
  return async (event: unknown): Promise<BirthdayRunResult> => {
    const input = parseOrThrow(BirthdayCheckInput, event ?? {}, 'The birthday-check input');
    const date = input.date ?? dateInZone(input.scheduledTime ? new Date(input.scheduledTime) : (deps.now?.() ?? new Date()), BIRTHDAY_SCHEDULE.timeZone);
    const result = await runBirthdayCheck(deps, { date });
    log({ level: 'INFO', message: 'Birthday check done', ...result });
    return result;
  };
}
