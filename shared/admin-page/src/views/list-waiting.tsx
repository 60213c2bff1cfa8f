import { useEffect, useState } from 'preact/hooks';
import { unwrap, type Api, type Page } from '../api.ts';
import { ago, dateTime, dateTimeLong } from '../format.ts';
import type { Execution } from './list-types.ts';

/** The runs waiting now (GET /executions?status=waiting): when each goes on, a link to cancel or resume it. */
export function WaitingRuns({ api, timeZone, reloads }: { api: Api; timeZone: string; reloads: number }) {
  const [page, setPage] = useState<Page<Execution>>();
  useEffect(() => {
    unwrap(api.GET('/executions', { params: { query: { status: 'waiting', limit: 10 } } }))
      .then(setPage)
      .catch(() => setPage(undefined));
  }, [reloads]);
  if (!page || page.items.length === 0) return null;
  return (
    <section class="waiting-runs" aria-labelledby="waiting-heading">
      <h2 id="waiting-heading">Wartende Läufe</h2>
      <p class="muted">Diese Läufe warten auf ihren Zeitpunkt; in jedem Lauf lassen sie sich abbrechen oder sofort fortsetzen.</p>
      <ul>
        {page.items.map((run) => (
          <li key={run.id}>
            <a href={`#/executions/${run.id}`}>„{run.automationName}“</a>{' '}
            wartet bis <time dateTime={run.resumeAt} title={dateTimeLong(run.resumeAt, timeZone)}>{dateTime(run.resumeAt, timeZone)}</time>{' '}
            <span class="muted">({ago(run.resumeAt, timeZone)})</span>
          </li>
        ))}
      </ul>
      {page.nextCursor && <p class="muted">Weitere wartende Läufe stehen bei ihrer Automatisierung.</p>}
    </section>
  );
}
