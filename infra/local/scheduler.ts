import { addDays, dateInZone, zonedInstant } from '#shared/birthdays/dates';

/**
 * Runs a job on an EventBridge Scheduler cron expression in a time zone, on this machine. Supports
 * the daily form the system uses: fixed minute and hour, every day (`cron(M H * * ? *)`).
 */
export function parseDailyCron(expression: string): { minute: number; hour: number } {
  const match = /^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$/.exec(expression.trim());
  if (!match) throw new Error(`Only daily cron(M H * * ? *) expressions are supported locally, not ${expression}`);
  return { minute: Number(match[1]), hour: Number(match[2]) };
}

/** The first time after `from` that the expression fires in `timeZone`. */
export function nextRun(expression: string, timeZone: string, from: Date): Date {
  const { minute, hour } = parseDailyCron(expression);
  let date = dateInZone(from, timeZone);
  for (;;) {
    const candidate = zonedInstant(date, hour, minute, timeZone);
    if (candidate.getTime() > from.getTime()) return candidate;
    date = addDays(date, 1);
  }
}

export function startSchedule(
  expression: string,
  timeZone: string,
  job: (scheduledTime: Date) => Promise<unknown>,
  log: (line: string) => void = () => undefined,
): { next: () => Date; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let next = nextRun(expression, timeZone, new Date());
  const arm = () => {
    // setTimeout caps at ~24.8 days; a daily schedule is far below it.
    timer = setTimeout(async () => {
      const scheduled = next;
      next = nextRun(expression, timeZone, new Date(scheduled.getTime() + 1000));
      try {
        await job(scheduled);
      } catch (error) {
        log(`[schedule] run for ${scheduled.toISOString()} failed: ${String(error)}`);
      }
      arm();
    }, Math.max(0, next.getTime() - Date.now()));
    timer.unref();
  };
  arm();
  return { next: () => next, stop: () => clearTimeout(timer) };
}
