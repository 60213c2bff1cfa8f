import { dateOnly, dateTime, dateTimeLong, timeOnly } from '../format.ts';
import { ACTIVITY_TYPE_LABELS, fieldsInWords, personName, propertyName } from '../words.ts';
import type { Kind } from './execution-records.tsx';
import type { Execution } from './list-types.ts';

type Lookup = (kind: Kind, id: string) => Record<string, any> | undefined;

const quoted = (v: unknown) => (typeof v === 'string' && v ? `„${v}“` : '');

/**
 * The event in words, per trigger, from the event's own fields and the records read now:
 * "Aktivität erfasst: Besichtigung am 03.12.2026 um 14:00 für Erika Musterfrau, Objekt MI-2026-014 „Altbau in Mitte“".
 */
export function eventInWords(
  type: string,
  event: Record<string, any>,
  labels: Record<string, string>,
  timeZone: string,
  lookup: Lookup = () => undefined,
  /** false: a record whose name is not at hand is left out rather than shown by its id (compact lists). */
  ids = true,
): string {
  const orId = (name: string | undefined, id: unknown) => name ?? (ids && typeof id === 'string' ? id : undefined);
  const label = labels[type] ?? type;
  const contact = (id: unknown, snapshot?: Record<string, any>) =>
    personName(snapshot && (snapshot.firstName || snapshot.lastName || snapshot.company || snapshot.email) ? snapshot : typeof id === 'string' ? lookup('contact', id) : undefined);
  const property = (id: unknown, snapshot?: Record<string, any>) =>
    propertyName(snapshot && (snapshot.unitId || snapshot.title) ? snapshot : typeof id === 'string' ? lookup('property', id) : undefined);
  const changed = Array.isArray(event.changedFields) && event.changedFields.length > 0 ? ` – geändert: ${fieldsInWords(event.changedFields)}` : '';
  const join = (...parts: Array<string | undefined | false>) => parts.filter(Boolean).join(', ');

  switch (type) {
    case 'ContactCreated':
    case 'ContactUpdated': {
      const c = event.contact ?? {};
      return `${label}: ${contact(c.id, c) ?? c.id ?? 'ein Kontakt'}${changed}`;
    }
    case 'ContactBirthday': {
      const c = event.contact ?? {};
      const age = typeof event.age === 'number' ? ` wird ${event.age}` : '';
      return `${label}: ${contact(c.id, c) ?? c.id ?? 'ein Kontakt'}${age}${event.date ? ` (am ${dateOnly(`${event.date}T12:00:00Z`, 'UTC')})` : ''}`;
    }
    case 'PropertyCreated':
    case 'PropertyUpdated': {
      const p = event.property ?? {};
      return `${label}: ${property(p.id, p) ?? p.id ?? 'ein Objekt'}${changed}`;
    }
    case 'DealCreated':
    case 'DealStageChanged': {
      const d = event.deal ?? {};
      const who = join(contact(d.contactId), property(d.propertyId) && `Objekt ${property(d.propertyId)}`);
      const move = type === 'DealStageChanged' ? ` von ${quoted(event.fromStage) || '?'} zu ${quoted(event.toStage) || '?'}` : d.stage ? ` in Phase ${quoted(d.stage)}` : '';
      return `${label}:${move}${who ? ` – ${who}` : ''}`;
    }
    case 'ActivityCreated':
    case 'ActivityUpdated': {
      const a = event.activity ?? {};
      const what = a.category ?? ACTIVITY_TYPE_LABELS[a.type] ?? a.type ?? 'Aktivität';
      const title = a.title && a.title !== a.category ? ` „${a.title}“` : '';
      const when = a.startsAt ? ` am ${dateOnly(a.startsAt, timeZone)} um ${timeOnly(a.startsAt, timeZone)}` : '';
      const people = (Array.isArray(a.contactIds) ? a.contactIds : []).map((id: string) => orId(contact(id), id)).filter(Boolean);
      const whom = people.length ? ` für ${people.join(', ')}` : '';
      const place = orId(property(a.propertyId), a.propertyId);
      const where = place ? `, Objekt ${place}` : '';
      const cancelled = a.cancelled ? ' (abgesagt)' : '';
      return `${label}: ${what}${title}${when}${whom}${where}${cancelled}${changed}`;
    }
    case 'RejectionCreated': {
      const r = event.rejection ?? {};
      const who = contact(r.contactId);
      const where = r.propertyId ? property(r.propertyId) : undefined;
      return `${label}: ${quoted(r.reason) || 'ohne Grund'}${who ? ` von ${who}` : ''}${where ? `, Objekt ${where}` : ''}`;
    }
    case 'InquiryReceived': {
      const i = event.inquiry ?? {};
      const from = i.extracted?.email ?? i.fromAddress ?? i.from;
      const name = personName(i.extracted);
      const where = i.propertyId ? property(i.propertyId) : undefined;
      return `${label}: ${name ? `${name} ` : ''}${from ? `<${from}>` : ''}${i.subject ? ` „${i.subject}“` : ''}${where ? `, Objekt ${where}` : ''}`.replace(/:\s*$/, '');
    }
    default:
      return label;
  }
}

/** "Ereignis": in words, when it happened, whether an automation caused it, and the data it carried. */
export function EventSection({ execution, labels, timeZone, lookup }: { execution: Execution; labels: Record<string, string>; timeZone: string; lookup: Lookup }) {
  const event = execution.event ?? {};
  const caused = event.causedBy as { executionId?: string; automationId?: string; depth?: number } | undefined;
  return (
    <section aria-labelledby="event-heading">
      <h2 id="event-heading">Ereignis</h2>
      <p class="event-words">{eventInWords(execution.eventType, event, labels, timeZone, lookup)}</p>
      <dl class="facts">
        <div>
          <dt>Auslöser</dt>
          <dd>
            {labels[execution.eventType] ?? execution.eventType} <span class="muted">(<code>{execution.eventType}</code>)</span>
          </dd>
        </div>
        {typeof event.occurredAt === 'string' && (
          <div>
            <dt>Eingetreten</dt>
            <dd>
              <time dateTime={event.occurredAt} title={dateTimeLong(event.occurredAt, timeZone)}>{dateTime(event.occurredAt, timeZone)}</time>
            </dd>
          </div>
        )}
        {caused?.executionId && (
          <div>
            <dt>Verursacht von</dt>
            <dd>
              einer Automatisierung: <a href={`#/executions/${caused.executionId}`}>auslösender Lauf</a>
              {typeof caused.depth === 'number' && <span class="muted"> (Kettentiefe {caused.depth})</span>}
            </dd>
          </div>
        )}
      </dl>
      <details class="raw">
        <summary>Ereignis als Daten (JSON, mit den Datensätzen zum Zeitpunkt des Ereignisses)</summary>
        <pre tabIndex={0}>{JSON.stringify(event, null, 2)}</pre>
      </details>
    </section>
  );
}
