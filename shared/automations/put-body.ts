import { isDeepStrictEqual } from 'node:util';
import { ValidationError } from '../errors.ts';
import { IDENTITY_FIELDS, type Automation } from './model.ts';

/**
 * A PUT accepts the body GET returned: identity fields equal to the stored ones are ignored, one
 * that differs is refused by name, so a client never believes it changed an id. (The version is
 * checked before, so a stale body is a 409, not this.)
 */
export function checkReadOnlyFields(body: Record<string, unknown>, stored: Automation): void {
  const fields = IDENTITY_FIELDS.filter((key) => body[key] !== undefined && !isDeepStrictEqual(body[key], (stored as Record<string, unknown>)[key])).map((key) => ({
    path: key,
    code: 'read_only',
    message: `${key} is kept by the server and cannot be changed; send it as GET returned it, or leave it out`,
    params: { field: key },
  }));
  if (fields.length > 0) throw new ValidationError('The request changes read-only fields', fields);
}
