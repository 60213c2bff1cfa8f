/**
 * How a run ends when it cannot do its work. A skip and a permanent failure end the run with a
 * readable reason and no retry; anything else is transient and thrown, so that AWS retries.
 */
export class SkipError extends Error {
  override name = 'SkipError';
}

export class PermanentError extends Error {
  override name = 'PermanentError';
}

/**
 * SES and DynamoDB errors that no retry can fix (SES v2 adds `AccountSuspendedException`,
 * `SendingPausedException`, `BadRequestException` and `NotFoundException`, e.g. an unknown tenant).
 */
const PERMANENT_AWS = new Set([
  'MessageRejected', 'MailFromDomainNotVerifiedException', 'ConfigurationSetDoesNotExistException', 'AccountSendingPausedException', 'ValidationException', 'InvalidParameterValue',
  'AccountSuspendedException', 'SendingPausedException', 'BadRequestException', 'NotFoundException',
]);

export function isPermanent(error: unknown): boolean {
  if (error instanceof PermanentError || error instanceof SkipError) return true;
  const name = (error as { name?: string } | undefined)?.name ?? '';
  return PERMANENT_AWS.has(name);
}

/** A readable reason: our own errors by their message, others with their name (e.g. `Throttling: ...`). */
export function describe(error: unknown): string {
  if (error instanceof SkipError || error instanceof PermanentError) return error.message.slice(0, 1_000);
  const e = error as { name?: string; message?: string };
  const text = e?.message ? (e.name && e.name !== 'Error' && !e.message.startsWith(e.name) ? `${e.name}: ${e.message}` : e.message) : String(error);
  return text.slice(0, 1_000);
}

/** Errors SES answers when it is busy: the request was refused, so nothing was sent. */
const REFUSED_FOR_LOAD = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'LimitExceededException']);

/**
 * Whether a failed send certainly sent nothing: SES answered and refused it (a 4xx answer, such as
 * throttling). A timeout, a broken connection or a 5xx leaves it open whether SES took the mail,
 * so such a send is never tried again.
 */
export function provenNotSent(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (e?.name && REFUSED_FOR_LOAD.has(e.name)) return true;
  const status = e?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}
