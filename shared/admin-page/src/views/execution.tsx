import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, unwrap } from '../api.ts';
import { StatusBadge } from '../components/badge.tsx';
import { Reason, useMinuteTick } from '../components/reason.tsx';
import type { ViewProps } from '../context.ts';
import { ago, dateTime, dateTimeLong, elapsed } from '../format.ts';
import { errorMessage } from '../messages.ts';
import { EventSection } from './execution-event.tsx';
import { HistorySection } from './execution-history.tsx';
import { RecordsSection, recordsOf, useRecords, type Kind } from './execution-records.tsx';
import { StepsSection } from './execution-steps.tsx';
import { WaitPanel } from './execution-wait.tsx';
import { labelsOf, type AutomationItem, type Execution, } from './list-types.ts';

/** While a run runs (or was asked to resume now), the page reads it again this often. */
const POLL_MS = 2_000;

type Notice = { kind: 'status' | 'alert'; text: string };

/**
 * One run of an automation (`#/executions/<id>`): its outcome first (the error as an alert), a
 * waiting run's wake-up time with "Jetzt fortsetzen" and "Abbrechen", the event in words and as
 * data, each step, the records it acted on, its timing, and the automation's earlier runs.
 */
export function ExecutionView({ api, agency, id }: ViewProps & { id: string }) {
  const [execution, setExecution] = useState<Execution>();
  const [failure, setFailure] = useState<string>();
  // undefined: not read yet; null: deleted since.
  const [automation, setAutomation] = useState<AutomationItem | null>();
  // Whether the automation was read (or could not be): the run shows after that, its steps described by their actions.
  const [automationSettled, setAutomationSettled] = useState(false);
  const [labels, setLabels] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<Notice>();
  const [revision, setRevision] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const timeZone = agency.timeZone;
  useMinuteTick();

  const read = () =>
    unwrap(api.GET('/executions/{id}', { params: { path: { id: id } } }))
      .then((e) => {
        setExecution(e);
        setFailure(undefined);
      })
      .catch((e) => setFailure(e instanceof ApiError ? errorMessage(e) : 'Unbekannter Fehler.'));

  useEffect(() => {
    void read();
    unwrap(api.GET('/automation-triggers'))
      .then((r) => setLabels(labelsOf(r.items)))
      .catch(() => undefined);
  }, [id]);

  const automationId = execution?.automationId;
  useEffect(() => {
    if (!automationId) return;
    unwrap(api.GET('/automations/{id}', { params: { path: { id: automationId } } }))
      .then(setAutomation)
      .catch((e) => setAutomation(e instanceof ApiError && e.status === 404 ? null : undefined))
      .finally(() => setAutomationSettled(true));
  }, [automationId]);

  // A run under way, or one asked to go on now, is read again until it has moved on.
  const polling = execution && (execution.status === 'running' || (execution.status === 'waiting' && execution.wait?.now));
  useEffect(() => {
    if (!polling) return;
    const timer = setTimeout(() => void read().then(() => setRevision((r) => r + 1)), POLL_MS);
    return () => clearTimeout(timer);
  }, [execution]);

  useEffect(() => {
    if (!execution) return;
    document.title = `Lauf von „${execution.automationName}“ – Automatisierungen`;
  }, [execution?.automationName]);
  const loadedOnce = !!execution && automationSettled;
  useEffect(() => {
    if (loadedOnce) heading.current?.focus({ preventScroll: true });
  }, [loadedOnce]);

  const refs = useMemo(() => (execution ? recordsOf(execution) : []), [execution]);
  const loaded = useRecords(api, refs);
  const lookup = (kind: Kind, recordId: string) => loaded[`${kind}:${recordId}`]?.data;

  if (failure && !execution) {
    return (
      <section aria-labelledby="execution-heading">
        <h1 id="execution-heading">Lauf</h1>
        <p role="alert" class="error">
          Der Lauf konnte nicht geladen werden: {failure}
        </p>
        <p>
          <a href="#/">Zurück zu allen Automatisierungen</a>
        </p>
      </section>
    );
  }
  if (!execution || !automationSettled) return <p aria-busy="true">Wird geladen …</p>;

  const actions = automation?.actions;
  const changedSince = automation && automation.version !== execution.automationVersion;
  return (
    <article class="execution" aria-labelledby="execution-heading">
      <p class="back">
        <a href="#/">← Alle Automatisierungen</a>
      </p>
      <h1 id="execution-heading" ref={heading} tabIndex={-1}>
        <span class="visually-hidden">Lauf von </span>„{execution.automationName}“ <StatusBadge status={execution.status} />
      </h1>
      <p class="subtitle muted">
        Lauf vom <time dateTime={execution.startedAt} title={dateTimeLong(execution.startedAt, timeZone)}>{dateTime(execution.startedAt, timeZone)}</time> ({ago(execution.startedAt, timeZone)})
        {automation === null ? (
          <> · die Automatisierung wurde inzwischen gelöscht</>
        ) : (
          <>
            {' '}· <a href={`#/automations/${execution.automationId}`}>Automatisierung bearbeiten</a>
          </>
        )}
      </p>
      {notice && (
        <p role={notice.kind} class={notice.kind === 'alert' ? 'notice error' : 'notice'}>
          {notice.text}
        </p>
      )}
      {failure && (
        <p role="alert" class="error">
          Der Lauf konnte nicht neu geladen werden: {failure}
        </p>
      )}
      <Outcome execution={execution} timeZone={timeZone} />
      {execution.status === 'waiting' && (
        <WaitPanel
          api={api}
          execution={execution}
          actions={actions}
          timeZone={timeZone}
          onChanged={(updated, message) => {
            setExecution(updated);
            setNotice({ kind: 'status', text: message });
            setRevision((r) => r + 1);
          }}
          onFailed={(message, stale) => {
            setNotice({ kind: 'alert', text: message });
            if (stale) void read().then(() => setRevision((r) => r + 1));
          }}
        />
      )}
      <EventSection execution={execution} labels={labels} timeZone={timeZone} lookup={lookup} />
      {changedSince && (
        <p class="muted">
          Die Automatisierung wurde seit diesem Lauf geändert (der Lauf lief mit Version {execution.automationVersion}, jetzt gilt Version {automation.version}). Die Schritte sind nach dem
          heutigen Stand beschrieben, soweit sie noch dieselben sind.
        </p>
      )}
      <StepsSection execution={execution} actions={actions} timeZone={timeZone} lookup={lookup} />
      <RecordsSection api={api} refs={refs} loaded={loaded} timeZone={timeZone} />
      <Timing execution={execution} timeZone={timeZone} />
      <HistorySection
        key={execution.automationId}
        api={api}
        automationId={execution.automationId}
        automationName={automation?.name ?? execution.automationName}
        currentId={execution.id}
        labels={labels}
        timeZone={timeZone}
        revision={revision}
        lookup={lookup}
      />
    </article>
  );
}

/** How the run ended, first on the page: a failure as an alert, a skip or partial run with its reason. */
function Outcome({ execution, timeZone }: { execution: Execution; timeZone: string }) {
  const text = execution.error ?? execution.reason;
  const reason = text ? <Reason text={text} timeZone={timeZone} /> : null;
  switch (execution.status) {
    case 'failed':
      return (
        <div role="alert" class="outcome failed">
          <p>
            <strong>Fehlgeschlagen:</strong> {reason ?? 'ohne Angabe eines Grundes.'}
          </p>
          {execution.retryable && <p>Der Fehler ist vorübergehend: der Lauf wird automatisch wiederholt und setzt nach dem letzten erledigten Schritt fort.</p>}
        </div>
      );
    case 'partial':
      return (
        <div role="alert" class="outcome partial">
          <p>
            <strong>Teilweise ausgeführt:</strong> ein Schritt hat etwas geändert, ein späterer wurde {execution.error ? 'mit einem Fehler abgebrochen' : 'übersprungen'}.
            {reason && <> {execution.error ? 'Fehler' : 'Grund'}: {reason}</>}
          </p>
          {execution.retryable && <p>Der Fehler ist vorübergehend: der Lauf wird automatisch wiederholt.</p>}
        </div>
      );
    case 'skipped':
      return (
        <div class="outcome skipped">
          <p>
            <strong>Übersprungen</strong> (nichts wurde geändert). Grund: {reason ?? 'ohne Angabe.'}
          </p>
        </div>
      );
    case 'uncertain':
      return (
        <div role="alert" class="outcome uncertain">
          <p>
            <strong>Unklar:</strong> ein Versand wurde unterbrochen; ob die E-Mail hinausging, ist nicht bekannt. Sie wird nicht noch einmal gesendet.
            {reason && <> {reason}</>}
          </p>
        </div>
      );
    case 'running':
      return (
        <div class="outcome running">
          <p>Der Lauf läuft gerade. Diese Seite aktualisiert sich von selbst.</p>
        </div>
      );
    case 'succeeded':
      return (
        <div class="outcome succeeded">
          <p>
            <strong>Erfolgreich:</strong> alle Schritte wurden ausgeführt.
          </p>
        </div>
      );
    default:
      return null;
  }
}

/** "Zeitablauf": started, finished, how long, attempts. */
function Timing({ execution, timeZone }: { execution: Execution; timeZone: string }) {
  const took = execution.durationMs ?? (execution.finishedAt ? Date.parse(execution.finishedAt) - Date.parse(execution.startedAt) : undefined);
  const at = (iso: string) => (
    <time dateTime={iso} title={dateTimeLong(iso, timeZone)}>
      {dateTime(iso, timeZone)}
    </time>
  );
  return (
    <section aria-labelledby="timing-heading">
      <h2 id="timing-heading">Zeitablauf</h2>
      <dl class="facts">
        <div>
          <dt>Gestartet</dt>
          <dd>
            {at(execution.startedAt)} <span class="muted">({ago(execution.startedAt, timeZone)})</span>
          </dd>
        </div>
        <div>
          <dt>Beendet</dt>
          <dd>{execution.finishedAt ? at(execution.finishedAt) : execution.status === 'waiting' ? 'noch nicht (wartet)' : 'noch nicht'}</dd>
        </div>
        <div>
          <dt>Dauer</dt>
          <dd>{took !== undefined ? elapsed(took) : '–'}</dd>
        </div>
        <div>
          <dt>Versuche</dt>
          <dd>{execution.attempts}</dd>
        </div>
        {execution.depth > 0 && (
          <div>
            <dt>Kettentiefe</dt>
            <dd>{execution.depth} (von einer anderen Automatisierung ausgelöst)</dd>
          </div>
        )}
        <div>
          <dt>Lauf-ID</dt>
          <dd>
            <code>{execution.id}</code>
          </dd>
        </div>
      </dl>
    </section>
  );
}
