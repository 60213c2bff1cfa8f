import * as z from 'zod';

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** True for a real calendar date `YYYY-MM-DD`, or a year-less `--MM-DD` (29 February allowed). */
export function isValidBirthday(value: string): boolean {
  const match = /^(\d{4}|-)-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const max = DAYS_IN_MONTH[month - 1]!;
  if (day > max) return false;
  if (match[1] !== '-' && month === 2 && day === 29) return isLeapYear(Number(match[1]));
  return true;
}

/** A birthday with its year (`1980-04-12`) or without (`--04-12`). */
export const Birthday = z
  .string()
  .trim()
  .refine(isValidBirthday, 'Use YYYY-MM-DD, or --MM-DD when the year is unknown');
