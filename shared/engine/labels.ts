/**
 * How skip and failure reasons name the record they are about, so an admin reading "Zuletzt
 * ausgeführt" knows which one without looking up an id: a contact by name (or e-mail, or company),
 * a property by its own reference (`unitId`), a user by name; the id always follows.
 */

type Named = { id: string; firstName?: string; lastName?: string; email?: string; company?: string };

export function contactLabel(contact: Named): string {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.company || contact.email;
  return name ? `the contact ${name} (${contact.id})` : `the contact ${contact.id}`;
}

export function propertyLabel(property: { id: string; unitId?: string; title?: string }): string {
  return property.unitId ? `the property ${property.unitId}${property.title ? ` "${property.title}"` : ''} (${property.id})` : `the property ${property.id}`;
}

export function userLabel(user: Named): string {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return name ? `the user ${name} (${user.id})` : `the user ${user.id}`;
}

/** First letter upper-cased, for a label at the start of a sentence. */
export const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
