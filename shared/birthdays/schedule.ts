/**
 * The daily birthday check's schedule: one constant for the CDK schedule and the local scheduler.
 * 07:00 in Berlin is outside the 02:00-03:00 gap and the repeated hour of the DST switches, so the
 * run happens exactly once a day. Format: EventBridge Scheduler cron (minute hour day month weekday year).
 */
export const BIRTHDAY_SCHEDULE = {
  cron: 'cron(0 7 * * ? *)',
  timeZone: 'Europe/Berlin',
} as const;
