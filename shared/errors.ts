/**
 * Domain errors. Each carries the HTTP status and a stable code, so the HTTP layer maps them
 * without knowing where they came from, and the engine can tell permanent from transient failures.
 */

/**
 * One failing field. `code` is stable and `params` carries the values a message names, so a UI can
 * show its own text (the admin page shows German); `message` is the English text for people.
 */
export interface FieldError {
  /** Dotted path of the failing field, e.g. `address.postalCode`. */
  path: string;
  /** Stable, snake_case: `unknown_field`, `required`, `not_in_pick_list`, `unknown_path`, ... */
  code: string;
  message: string;
  params?: Record<string, unknown>;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, fields: FieldError[] = []) {
    super(400, 'validation_failed', message, fields);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'A valid bearer token is required') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'This action needs the admin role') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class ConflictError extends AppError {
  constructor(code: 'version_conflict' | 'duplicate' | 'pick_list_value_in_use' | 'not_changeable' | 'not_waiting', message: string, fields: FieldError[] = []) {
    super(409, code, message, fields);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `The request body exceeds ${limitBytes} bytes`);
  }
}
