import { useEffect, useState } from 'preact/hooks';
import { ApiError, unwrap, type Api, type Page, type Schemas } from '../api.ts';

type ExecutionStatus = Schemas['Execution']['status'];
import { StatusBadge } from '../components/badge.tsx';
import { Reason } from '../components/reason.tsx';
import { ago, dateTime, dateTimeLong } from '../format.ts';
import { errorMessage } from '../messages.ts';
import { STATUS_LABELS } from '../words.ts';
import { eventInWords } from './execution-event.tsx';
import type { Kind } from './execution-records.tsx';
import type { Execution } from './list-types.ts';

const PAGE_SIZE = 10;
/** Filtered pages may come back empty with a cursor (the filter applies after the read): read on, up to this many pages. */
const MAX_EMPTY_PAGES = 5;

interface HistoryProps {
  api: Api;
  automationId: string;
  automationName: string;
  currentId: string;
  labels: Record<string, string>;
  timeZone: string;
  /** Changes when the current run changed (cancelled, resumed): the list is read again. */
  revision: number;
  /** The records the page has read (those of the current run): names for the runs that share them. */
  lookup: (kind: Kind, id: string) => Record<string, any> | undefined;
}

/** "Frühere Läufe": the runs of the automation, newest first, filterable by status, with paging. */
export function HistorySection({ api, automationId, automationName, currentId, labels, timeZone, revision, lookup }: HistoryProps) {
  const [status, setStatus] = useState('');
  const [runs, setRuns] = useState<Execution[]>();
  const [cursor, setCursor] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const read = async (from: string | undefined, filter: string): Promise<Page<Execution>> => {
    let next = from;
    const items: Execution[] = [];
    for (let pages = 0; pages < MAX_EMPTY_PAGES; pages++) {
      const query = { limit: PAGE_SIZE, ...(filter ? { status: filter as ExecutionStatus } : {}), ...(next ? { cursor: next } : {}) };
      const page = await unwrap(api.GET('/automations/{id}/executions', { params: { path: { id: automationId }, query } }));
      items.push(...page.items);
      next = page.nextCursor;
      if (items.length > 0 || !next) break;
    }
    return { items, ...(next ? { nextCursor: next } : {}) };
  };

  useEffect(() => {
    let current = true;
    setBusy(true);
    setError(undefined);
    read(undefined, status)
      .then((page) => {
        if (!current) return;
        setRuns(page.items);
        setCursor(page.nextCursor);
      })
      .catch((e) => current && setError(e instanceof ApiError ? errorMessage(e) : 'Unbekannter Fehler.'))
      .finally(() => current && setBusy(false));
    return () => {
      current = false;
    };
  }, [automationId, status, revision]);

  const more = async () => {
    if (!cursor) return;
    setBusy(true);
    setError(undefined);
    try {
      const page = await read(cursor, status);
      setRuns((before) => [...(before ?? []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e instanceof ApiError ? errorMessage(e) : 'Unbekannter Fehler.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="history-heading" class="history">
      <h2 id="history-heading">Frühere Läufe von „{automationName}“</h2>
      <div class="filter">
        <label for="history-status">Status</label>
        <select id="history-status" value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">alle</option>
          {Object.entries(STATUS_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <p class="visually-hidden" role="status">
        {busy ? 'Läufe werden geladen …' : runs ? `${runs.length}${cursor ? ' und weitere' : ''} Läufe${status ? ` mit Status „${STATUS_LABELS[status]}“` : ''}.` : ''}
      </p>
      {error && (
        <p role="alert" class="error">
          Die Läufe konnten nicht geladen werden: {error}
        </p>
      )}
      {runs && runs.length === 0 && !busy && <p class="muted">{status ? `Keine Läufe mit dem Status „${STATUS_LABELS[status]}“.` : 'Noch keine Läufe.'}</p>}
      {runs && runs.length > 0 && (
        <table class="runs" aria-busy={busy}>
          <caption class="visually-hidden">Läufe von „{automationName}“{status ? `, Status ${STATUS_LABELS[status]}` : ''}</caption>
          <thead>
            <tr>
              <th scope="col">Gestartet</th>
              <th scope="col">Status</th>
              <th scope="col">Ereignis</th>
              <th scope="col">Grund oder Fehler</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => {
              const isCurrent = run.id === currentId;
              return (
                <tr key={run.id} class={isCurrent ? 'current' : undefined}>
                  <td>
                    <a href={`#/executions/${run.id}`} aria-current={isCurrent ? 'page' : undefined} title={dateTimeLong(run.startedAt, timeZone)}>
                      {dateTime(run.startedAt, timeZone)}
                    </a>
                    <span class="muted"> ({ago(run.startedAt, timeZone)})</span>
                    {isCurrent && <span class="muted"> – dieser Lauf</span>}
                  </td>
                  <td>
                    <StatusBadge status={run.status} />
                  </td>
                  <td>{eventInWords(run.eventType, run.event ?? {}, labels, timeZone, lookup, false)}</td>
                  <td>
                    {run.status === 'waiting' && run.resumeAt ? (
                      <>wartet bis {dateTime(run.resumeAt, timeZone)}</>
                    ) : run.error || run.reason ? (
                      <Reason text={(run.error ?? run.reason)!} timeZone={timeZone} original={false} />
                    ) : (
                      <span class="muted">–</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {cursor && (
        <p class="more">
          <button type="button" onClick={more} disabled={busy}>
            {busy ? 'Wird geladen …' : 'Weitere Läufe laden'}
          </button>
        </p>
      )}
    </section>
  );
}
