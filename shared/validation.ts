import type { z } from 'zod';
import { ValidationError, type FieldError } from './errors.ts';

/** Maps zod issues to the API's `fields` list: one entry per failing field, with a dotted path. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    // An unknown field is reported under its own name, so the client sees which one to remove.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: 'Unknown field' }));
    }
    return [{ path: path.join('.') || '(body)', message: issue.message }];
  });
}

/** Parses `value` or throws a ValidationError that names every failing field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what = 'The request body'): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(`${what} is invalid`, fieldErrors(result.error));
  return result.data;
}
