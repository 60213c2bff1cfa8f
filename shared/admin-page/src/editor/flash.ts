/** A message for the next view (after a create, the edit view says it was created; after a delete, the list). */
export const flash: { message?: string } = {};

/** Takes the message, once. */
export function takeFlash(): string | undefined {
  const message = flash.message;
  delete flash.message;
  return message;
}
