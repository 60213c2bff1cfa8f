import { composeBirthdayCheck } from '#shared/wiring/birthday-check';
import { lambdaHandler } from '#shared/wiring/lambda';

/** EventBridge Scheduler, daily 07:00 Europe/Berlin -> ContactBirthday for that day's birthdays. */
export const handler = lambdaHandler('birthday-check', composeBirthdayCheck);
