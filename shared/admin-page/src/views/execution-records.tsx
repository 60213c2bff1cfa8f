import { useEffect, useState } from 'preact/hooks';
import { ApiError, unwrap, type Api } from '../api.ts';
import { StatusBadge } from '../components/badge.tsx';
import { dateOnly, dateTime, timeOnly } from '../format.ts';
import { errorMessage } from '../messages.ts';
import { ACTIVITY_TYPE_LABELS, personName, propertyName } from '../words.ts';
import type { Execution } from './list-types.ts';

/**
 * The records a run acted on: those its event names (contact, property, deal, activity, Absage,
 * inquiry) and those its steps wrote (a task, a changed contact, the e-mail activity), each read
 * from the API as it is now, so the page shows names rather than ids.
 */

export type Kind = 'contact' | 'property' | 'deal' | 'activity' | 'task' | 'user' | 'rejection' | 'inquiry';

/** A record as it is now, by its kind. */
async function read(api: Api, { kind, id }: RecordRef): Promise<Record<string, any>> {
  const init = { params: { path: { id } } };
  switch (kind) {
    case 'contact':
      return unwrap(api.GET('/contacts/{id}', init));
    case 'property':
      return unwrap(api.GET('/properties/{id}', init));
    case 'deal':
      return unwrap(api.GET('/deals/{id}', init));
    case 'activity':
      return unwrap(api.GET('/activities/{id}', init));
    case 'task':
      return unwrap(api.GET('/tasks/{id}', init));
    case 'user':
      return unwrap(api.GET('/users/{id}', init));
    case 'rejection':
      return unwrap(api.GET('/rejections/{id}', init));
    case 'inquiry':
      return unwrap(api.GET('/inquiries/{id}', init));
  }
}

export const KIND_LABELS: Record<Kind, string> = {
  contact: 'Kontakt',
  property: 'Objekt',
  deal: 'Deal',
  activity: 'Aktivität',
  task: 'Aufgabe',
  user: 'Mitarbeiter',
  rejection: 'Absage',
  inquiry: 'Anfrage',
};

export interface RecordRef {
  kind: Kind;
  id: string;
  /** What the record is to the run: "Auslöser", "von Schritt 2 geändert". */
  roles: string[];
}

export interface Loaded {
  data?: Record<string, any>;
  error?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= 64 ? v : undefined);

/** The records of a run, in a stable order: the event's first, then what the steps wrote. */
export function recordsOf(execution: Execution): RecordRef[] {
  const refs: RecordRef[] = [];
  const add = (kind: Kind, id: unknown, role: string) => {
    const value = str(id);
    if (!value) return;
    const known = refs.find((r) => r.kind === kind && r.id === value);
    if (known) {
      if (!known.roles.includes(role)) known.roles.push(role);
    } else refs.push({ kind, id: value, roles: [role] });
  };
  // The event's fields depend on its type: read loosely, every id checked by `add`.
  const e = (execution.event ?? {}) as Record<string, any>;
  add('activity', e.activity?.id, 'Auslöser');
  add('rejection', e.rejection?.id, 'Auslöser');
  add('inquiry', e.inquiry?.id, 'Auslöser');
  add('deal', e.deal?.id, 'Auslöser');
  add('contact', e.contact?.id, 'Auslöser');
  add('property', e.property?.id, 'Auslöser');
  for (const id of Array.isArray(e.activity?.contactIds) ? e.activity.contactIds : []) add('contact', id, 'im Ereignis genannt');
  add('contact', e.deal?.contactId, 'im Ereignis genannt');
  add('contact', e.rejection?.contactId, 'im Ereignis genannt');
  add('contact', e.inquiry?.contactId, 'im Ereignis genannt');
  add('contact', execution.contactId, 'Kontakt des Laufs');
  add('property', e.activity?.propertyId, 'im Ereignis genannt');
  add('property', e.deal?.propertyId, 'im Ereignis genannt');
  add('property', e.rejection?.propertyId, 'im Ereignis genannt');
  add('property', e.inquiry?.propertyId, 'im Ereignis genannt');
  add('deal', e.activity?.dealId, 'im Ereignis genannt');
  add('deal', e.rejection?.dealId, 'im Ereignis genannt');
  for (const step of execution.steps) {
    const r = step.result ?? {};
    const n = step.index + 1;
    add('task', r.taskId, `von Schritt ${n} angelegt`);
    add('user', r.assigneeId, `Aufgabe aus Schritt ${n} zugewiesen`);
    add('contact', r.contactId, step.type === 'create_contact' ? (r.created ? `von Schritt ${n} angelegt` : `in Schritt ${n} gefunden`) : `von Schritt ${n} geändert`);
    add('property', r.propertyId, `von Schritt ${n} geändert`);
    add('deal', r.dealId, step.type === 'create_contact' ? `von Schritt ${n} eröffnet` : `von Schritt ${n} verschoben`);
    add('activity', r.activityId, `E-Mail aus Schritt ${n}, beim Kontakt vermerkt`);
  }
  return refs;
}

/** Reads each record once; a record deleted since shows as such. */
export function useRecords(api: Api, refs: RecordRef[]): Record<string, Loaded> {
  const [loaded, setLoaded] = useState<Record<string, Loaded>>({});
  const wanted = refs.map((r) => `${r.kind}:${r.id}`).join(',');
  useEffect(() => {
    let current = true;
    for (const ref of refs) {
      const key = `${ref.kind}:${ref.id}`;
      if (loaded[key]) continue;
      read(api, ref)
        .then((data) => current && setLoaded((before) => ({ ...before, [key]: { data } })))
        .catch((error) => current && setLoaded((before) => ({ ...before, [key]: { error: error instanceof ApiError ? (error.status === 404 ? 'gelöscht oder nicht mehr vorhanden' : errorMessage(error)) : 'nicht lesbar' } })));
    }
    return () => {
      current = false;
    };
  }, [wanted]);
  return loaded;
}

/** How a record is named for people, from its data (the event's snapshot or the record read now). */
export function nameOf(kind: Kind, data: Record<string, any> | undefined, timeZone: string, lookup?: (kind: Kind, id: string) => Record<string, any> | undefined): string | undefined {
  if (!data) return undefined;
  switch (kind) {
    case 'contact':
    case 'user':
      return personName(data);
    case 'property':
      return propertyName(data);
    case 'deal': {
      const contact = data.contactId ? personName(lookup?.('contact', data.contactId)) : undefined;
      const property = data.propertyId ? propertyName(lookup?.('property', data.propertyId)) : undefined;
      const parts = [contact, property].filter(Boolean).join(' – ');
      return `${parts || 'Deal'}${data.stage ? ` (Phase „${data.stage}“)` : ''}`;
    }
    case 'activity': {
      const what = data.category ?? ACTIVITY_TYPE_LABELS[data.type] ?? data.type;
      const title = data.title ? ` „${data.title}“` : '';
      const when = data.startsAt ? ` am ${dateOnly(data.startsAt, timeZone)} um ${timeOnly(data.startsAt, timeZone)}` : '';
      return `${what}${title}${when}${data.cancelled ? ' (abgesagt)' : ''}`;
    }
    case 'task':
      return `„${data.title}“${data.dueAt ? `, fällig am ${dateOnly(data.dueAt, timeZone)}` : ''}${data.done ? ' (erledigt)' : ''}`;
    case 'rejection':
      return data.reason ? `„${data.reason}“` : undefined;
    case 'inquiry':
      return [data.fromAddress ?? data.from, data.subject ? `„${data.subject}“` : undefined].filter(Boolean).join(': ') || undefined;
  }
}

/** The main fields of a record, in German, for its details. */
function factsOf(kind: Kind, data: Record<string, any>, timeZone: string): Array<[string, string]> {
  const facts: Array<[string, unknown]> = [];
  const yes = (v: unknown) => (v === true ? 'ja' : v === false ? 'nein' : undefined);
  switch (kind) {
    case 'contact':
    case 'user':
      facts.push(['E-Mail', data.email], ['Telefon', data.phone], ['Status', data.status], ['Newsletter', yes(data.newsletter)], ['Archiviert', yes(data.archived)]);
      break;
    case 'property':
      facts.push(['Objektnummer', data.unitId], ['Titel', data.title], ['Status', data.status], ['Ort', [data.address?.street, data.address?.houseNumber, data.address?.postalCode, data.address?.city].filter(Boolean).join(' ')], ['Archiviert', yes(data.archived)]);
      break;
    case 'deal':
      facts.push(['Phase', data.stage], ['Pipeline', data.pipelineId]);
      break;
    case 'activity':
      facts.push(['Art', ACTIVITY_TYPE_LABELS[data.type] ?? data.type], ['Kategorie', data.category], ['Titel', data.title], ['Beginn', data.startsAt && dateTime(data.startsAt, timeZone)], ['Ende', data.endsAt && dateTime(data.endsAt, timeZone)], ['Ort', data.location], ['Empfänger', data.recipient], ['Abgesagt', yes(data.cancelled)]);
      break;
    case 'task':
      facts.push(['Titel', data.title], ['Fällig', data.dueAt && dateTime(data.dueAt, timeZone)], ['Erledigt', yes(data.done)]);
      break;
    case 'rejection':
      facts.push(['Grund', data.reason], ['Notiz', data.note]);
      break;
    case 'inquiry':
      facts.push(['Von', data.fromAddress ?? data.from], ['Betreff', data.subject], ['Eingegangen', data.receivedAt && dateTime(data.receivedAt, timeZone)]);
      break;
  }
  facts.push(['Geändert', data.updatedAt && dateTime(data.updatedAt, timeZone)]);
  return facts.filter((f): f is [string, string] => typeof f[1] === 'string' && f[1].length > 0);
}

/** "Betroffene Datensätze": each record with its name, what it was to the run, its fields now. */
export function RecordsSection({ api, refs, loaded, timeZone }: { api: Api; refs: RecordRef[]; loaded: Record<string, Loaded>; timeZone: string }) {
  if (refs.length === 0) return null;
  const lookup = (kind: Kind, id: string) => loaded[`${kind}:${id}`]?.data;
  return (
    <section aria-labelledby="records-heading">
      <h2 id="records-heading">Betroffene Datensätze</h2>
      <ul class="records">
        {refs.map((ref) => {
          const state = loaded[`${ref.kind}:${ref.id}`];
          const name = nameOf(ref.kind, state?.data, timeZone, lookup);
          return (
            <li key={`${ref.kind}:${ref.id}`} id={`record-${ref.kind}-${ref.id}`}>
              <details>
                <summary>
                  <span class="record-kind">{KIND_LABELS[ref.kind]}</span>{' '}
                  <span class="record-name">{name ?? (state?.error ? ref.id : 'wird geladen …')}</span>{' '}
                  <span class="muted">({ref.roles.join(', ')}{state?.error ? `; ${state.error}` : ''})</span>
                </summary>
                <div class="record-body">
                  <p class="muted">
                    ID <code>{ref.id}</code>
                  </p>
                  {state?.data && (
                    <dl class="facts">
                      {factsOf(ref.kind, state.data, timeZone).map(([term, value]) => (
                        <div key={term}>
                          <dt>{term}</dt>
                          <dd>{value}</dd>
                        </div>
                      ))}
                    </dl>
                  )}
                  {ref.kind === 'contact' && !state?.error && <ContactRuns api={api} contactId={ref.id} timeZone={timeZone} />}
                  {state?.data && (
                    <details class="raw">
                      <summary>Datensatz als Daten (JSON)</summary>
                      <pre tabIndex={0}>{JSON.stringify(state.data, null, 2)}</pre>
                    </details>
                  )}
                </div>
              </details>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The latest runs of any automation for a contact (GET /contacts/{id}/executions), each a link. */
function ContactRuns({ api, contactId, timeZone }: { api: Api; contactId: string; timeZone: string }) {
  const [runs, setRuns] = useState<Execution[]>();
  useEffect(() => {
    unwrap(api.GET('/contacts/{id}/executions', { params: { path: { id: contactId }, query: { limit: 5 } } }))
      .then((page) => setRuns(page.items))
      .catch(() => setRuns([]));
  }, [contactId]);
  if (!runs || runs.length === 0) return null;
  return (
    <div class="contact-runs">
      <p class="label">Letzte Läufe zu diesem Kontakt</p>
      <ul>
        {runs.map((run) => (
          <li key={run.id}>
            <a href={`#/executions/${run.id}`}>
              „{run.automationName}“, {dateTime(run.startedAt, timeZone)}
            </a>{' '}
            <StatusBadge status={run.status} />
          </li>
        ))}
      </ul>
    </div>
  );
}
