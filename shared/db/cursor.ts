import { ValidationError } from '../errors.ts';

/**
 * Opaque pagination cursors: the LastEvaluatedKey, base64url-encoded. A cursor is accepted only if
 * its partition key belongs to the tenant presenting it, so a cursor can never open another
 * tenant's data.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

/** The 400 every unusable cursor gets. */
export const invalidCursor = () => new ValidationError('The cursor is invalid', [{ path: 'cursor', code: 'invalid_cursor', message: 'Not a cursor from this list' }]);

/** The key a cursor carries: a plain object of strings, or a 400 `invalid_cursor`. */
export function parseCursor(cursor: string): Record<string, string> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalidCursor();
  const entries = Object.entries(key);
  if (entries.length === 0 || entries.length > 6 || entries.some(([, v]) => typeof v !== 'string')) throw invalidCursor();
  return key as Record<string, string>;
}

/**
 * Reads a cursor of the tenant. With `list`, it must be a cursor of that very list: exactly the
 * table's and the index's keys, with the index partition the list queries (a cursor of another
 * list, or one made up, is a 400, never a DynamoDB error).
 */
export function decodeCursor(cursor: string | undefined, tenantId: string, list?: { index: string; partition: string }): Record<string, string> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const record = parseCursor(cursor);
  if (typeof record.PK !== 'string' || !record.PK.startsWith(`${tenantId}#`)) throw invalidCursor();
  if (list) {
    const expected = ['PK', 'SK', `${list.index}PK`, `${list.index}SK`];
    if (Object.keys(record).length !== expected.length || !expected.every((k) => typeof record[k] === 'string')) throw invalidCursor();
    if (record[`${list.index}PK`] !== list.partition) throw invalidCursor();
  }
  return record;
}
