import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, unwrap } from '../api.ts';
import { useMinuteTick } from '../components/reason.tsx';
import type { ViewProps } from '../context.ts';
import { takeFlash } from '../editor/flash.ts';
import { errorMessage } from '../messages.ts';
import { AutomationRow } from './list-row.tsx';
import { labelsOf, type AutomationItem, type PresetInfo, } from './list-types.ts';
import { WaitingRuns } from './list-waiting.tsx';

const PAGE_SIZE = 25;

const failureOf = (error: unknown) => (error instanceof ApiError ? errorMessage(error) : 'Unbekannter Fehler.');

/**
 * The list of automations ("Verwaltung › Automatisierungen"): per automation its name, trigger and
 * actions in words, the switch, "Zuletzt ausgeführt" with the status badge and the counters, and
 * its warnings; more pages through the API's cursor; an empty state that offers the presets.
 */
export function AutomationList({ api, agency }: ViewProps) {
  const [items, setItems] = useState<AutomationItem[]>();
  const [cursor, setCursor] = useState<string>();
  const [labels, setLabels] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [moreError, setMoreError] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  // What the previous view left to say ("„…“ wurde gelöscht."), shown and announced once.
  const [notice] = useState(() => takeFlash());
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (notice) heading.current?.focus();
  }, []);
  const [reloads, setReloads] = useState(0);
  useMinuteTick();

  useEffect(() => {
    let current = true;
    setError(undefined);
    unwrap(api.GET('/automations', { params: { query: { limit: PAGE_SIZE } } }))
      .then((page) => {
        if (!current) return;
        setItems(page.items);
        setCursor(page.nextCursor);
      })
      .catch((e) => current && setError(failureOf(e)));
    return () => {
      current = false;
    };
  }, [reloads]);

  useEffect(() => {
    // Without the trigger reference the list still works: triggers then show by their event name.
    unwrap(api.GET('/automation-triggers'))
      .then((reference) => setLabels(labelsOf(reference.items)))
      .catch(() => undefined);
  }, []);

  const more = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await unwrap(api.GET('/automations', { params: { query: { limit: PAGE_SIZE, cursor } } }));
      setItems((before) => [...(before ?? []), ...page.items.filter((i) => !(before ?? []).some((b) => b.id === i.id))]);
      setCursor(page.nextCursor);
    } catch (e) {
      setMoreError(failureOf(e));
    } finally {
      setLoadingMore(false);
    }
  };

  const replace = (updated: AutomationItem) => {
    setItems((before) => before?.map((i) => (i.id === updated.id ? { ...i, ...updated } : i)));
    setAnnouncement(`„${updated.name}“ ist jetzt ${updated.enabled ? 'aktiv' : 'ausgeschaltet'}.`);
  };

  return (
    <section class="automation-list" aria-labelledby="list-heading">
      <div class="title-row">
        <h1 id="list-heading" ref={heading} tabIndex={-1}>Automatisierungen</h1>
        <div class="title-actions">
          <button type="button" onClick={() => setReloads((n) => n + 1)}>Aktualisieren</button>
          <a class="button primary" href="#/new">Neue Automatisierung</a>
        </div>
      </div>
      <p class="visually-hidden" role="status">{announcement}</p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" class="error">
          Die Automatisierungen konnten nicht geladen werden: {error}{' '}
          <button type="button" class="link" onClick={() => setReloads((n) => n + 1)}>Erneut versuchen</button>
        </p>
      )}
      {!items && !error && <p aria-busy="true">Wird geladen …</p>}
      {items && items.length === 0 && !cursor && <EmptyState {...{ api }} />}
      {items && items.length > 0 && (
        <table class="automations">
          <caption class="visually-hidden">Automatisierungen mit Auslöser, Aktionen, Schalter und letztem Lauf</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Auslöser</th>
              <th scope="col">Aktionen</th>
              <th scope="col">Aktiv</th>
              <th scope="col">Zuletzt ausgeführt</th>
              <th scope="col"><span class="visually-hidden">Bearbeiten</span></th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <AutomationRow key={item.id} item={item} labels={labels} api={api} timeZone={agency.timeZone} onChange={replace} />
            ))}
          </tbody>
        </table>
      )}
      {cursor && items && (
        <p class="more">
          <button type="button" onClick={more} disabled={loadingMore}>{loadingMore ? 'Wird geladen …' : 'Weitere Automatisierungen laden'}</button>
          {moreError && <span role="alert" class="error"> {moreError}</span>}
        </p>
      )}
      {items && <WaitingRuns api={api} timeZone={agency.timeZone} reloads={reloads} />}
    </section>
  );
}

/** No automation yet: the presets, each a link into the editor, and a blank one. */
function EmptyState({ api }: Pick<ViewProps, 'api'>) {
  const [presets, setPresets] = useState<PresetInfo[]>();
  useEffect(() => {
    unwrap(api.GET('/automation-presets'))
      .then((r) => setPresets(r.items))
      .catch(() => setPresets([]));
  }, []);
  return (
    <section class="empty" aria-labelledby="empty-heading">
      <h2 id="empty-heading">Noch keine Automatisierungen – aus einer Vorlage anlegen</h2>
      <p>
        Eine Automatisierung erledigt wiederkehrende Arbeit von selbst: eine Bestätigung zur Besichtigung, eine Aufgabe bei einer
        Reservierung, ein Geburtstagsgruß. Die Vorlagen sind fertig eingerichtet und lassen sich vor dem Speichern anpassen.
      </p>
      {presets && presets.length > 0 && (
        <ul class="presets">
          {presets.map((p) => (
            <li key={p.key}>
              <a href={`#/new?preset=${encodeURIComponent(p.key)}`}>{p.name}</a>
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="#/new">Ohne Vorlage neu anlegen</a>
      </p>
    </section>
  );
}
