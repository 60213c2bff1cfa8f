import type { z } from 'zod';
import { ValidationError, type FieldError } from './errors.ts';

/** zod's issue codes mapped to the API's stable field codes. */
function codeOf(issue: z.core.$ZodIssue): { code: string; params?: Record<string, unknown> } {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? { code: 'required' } : { code: 'invalid_type', params: { expected: issue.expected } };
    case 'too_small':
      return { code: 'too_small', params: { minimum: Number(issue.minimum), origin: issue.origin } };
    case 'too_big':
      return { code: 'too_big', params: { maximum: Number(issue.maximum), origin: issue.origin } };
    case 'invalid_format':
      return { code: 'invalid_format', params: { format: issue.format } };
    case 'invalid_value':
      return { code: 'invalid_value', params: { allowed: issue.values } };
    case 'invalid_union':
      return { code: 'invalid_value' };
    case 'not_multiple_of':
      return { code: 'invalid_value', params: { multipleOf: Number(issue.divisor) } };
    case 'custom': {
      // A refinement may name its own code: `ctx.addIssue({ code: 'custom', params: { code: 'duplicate_value', ... } })`.
      const { code, ...params } = (issue.params ?? {}) as Record<string, unknown>;
      return typeof code === 'string' ? { code, ...(Object.keys(params).length ? { params } : {}) } : { code: 'invalid' };
    }
    default:
      return { code: 'invalid' };
  }
}

/** Maps zod issues to the API's `fields` list: one entry per failing field, with a dotted path and a stable code. */
export function fieldErrors(error: z.ZodError, prefix: string[] = []): FieldError[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path.map(String)];
    // An unknown field is reported under its own name, so the client sees which one to remove.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key].join('.'), code: 'unknown_field', message: 'Unknown field' }));
    }
    return [{ path: path.join('.') || '(body)', message: issue.message, ...codeOf(issue) }];
  });
}

/** Parses `value` or throws a ValidationError that names every failing field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what = 'The request body'): z.output<S> {
  // The input is reported so that a missing field (`required`) can be told from a wrong one.
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw new ValidationError(`${what} is invalid`, fieldErrors(result.error));
  return result.data;
}
