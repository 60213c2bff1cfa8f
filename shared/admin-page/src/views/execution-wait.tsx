import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, unwrap, type Api } from '../api.ts';
import { ago, dateTime, dateTimeLong } from '../format.ts';
import { errorMessage } from '../messages.ts';
import { actionInWords, stepTypeLabel } from '../words.ts';
import type { Execution } from './list-types.ts';

interface WaitProps {
  api: Api;
  execution: Execution;
  actions: Array<Record<string, any>> | undefined;
  timeZone: string;
  /** The run as the API answered the cancel or resume, and what to tell the admin. */
  onChanged(execution: Execution, message: string): void;
  /** The cancel or resume failed (in German); `stale`: the run is no longer waiting, read it again. */
  onFailed(message: string, stale: boolean): void;
}

/**
 * A waiting run: when it goes on ("Wartet bis … (in 2 Tagen)"), what comes next, and the two
 * things an admin can do: resume it now, or cancel it (after a confirmation). A run that stopped
 * waiting meanwhile answers 409 `not_waiting`, shown in German.
 */
export function WaitPanel({ api, execution, actions, timeZone, onChanged, onFailed }: WaitProps) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const act = async (what: 'cancel' | 'resume') => {
    setBusy(true);
    try {
      const updated = await unwrap(api.POST(what === 'cancel' ? '/executions/{id}/cancel' : '/executions/{id}/resume', { params: { path: { id: execution.id } } }));
      setConfirming(false);
      onChanged(
        updated,
        what === 'cancel'
          ? 'Der Lauf wurde abgebrochen. Die restlichen Schritte werden nicht ausgeführt.'
          : 'Der Lauf wird fortgesetzt: er geht innerhalb einer Minute weiter (seine Bedingungen werden dabei noch einmal geprüft).',
      );
    } catch (e) {
      setConfirming(false);
      const stale = e instanceof ApiError && (e.code === 'not_waiting' || e.status === 404);
      onFailed(`${what === 'cancel' ? 'Abbrechen' : 'Fortsetzen'} ist nicht gelungen: ${e instanceof ApiError ? errorMessage(e) : 'Unbekannter Fehler.'}`, stale);
    } finally {
      setBusy(false);
    }
  };

  const waitStep = execution.wait?.step ?? execution.steps.find((s) => s.status === 'waiting')?.index;
  const next = waitStep === undefined ? undefined : execution.steps[waitStep + 1];
  const nextAction = next ? actions?.[next.index] : undefined;
  const nextWords = next ? (nextAction && nextAction.type === next.type ? actionInWords(nextAction) : stepTypeLabel(next.type)) : undefined;
  const waiting = execution.status === 'waiting';

  return (
    <section class="wait-panel" aria-labelledby="wait-heading">
      <h2 id="wait-heading">Wartet</h2>
      {execution.resumeAt && (
        <p class="wait-until">
          Wartet bis{' '}
          <strong>
            <time dateTime={execution.resumeAt} title={dateTimeLong(execution.resumeAt, timeZone)}>
              {dateTime(execution.resumeAt, timeZone)}
            </time>
          </strong>{' '}
          ({ago(execution.resumeAt, timeZone)})
        </p>
      )}
      {nextWords && (
        <p>
          Danach: Schritt {next!.index + 1}, {nextWords}
        </p>
      )}
      {execution.wait?.now && <p>Fortsetzen ist angefordert: der Lauf geht innerhalb einer Minute weiter.</p>}
      {waiting && !confirming && (
        <div class="buttons">
          <button type="button" class="primary" onClick={() => act('resume')} disabled={busy}>
            Jetzt fortsetzen
          </button>
          <button type="button" class="danger" ref={cancelRef} onClick={() => setConfirming(true)} disabled={busy}>
            Abbrechen
          </button>
        </div>
      )}
      {waiting && confirming && (
        <div class="confirm" role="group" aria-labelledby="confirm-question">
          <p id="confirm-question">
            <strong>Diesen Lauf wirklich abbrechen?</strong> Er endet dann als „übersprungen“, die restlichen Schritte werden nicht ausgeführt.
          </p>
          <div class="buttons">
            <button type="button" class="danger" ref={confirmRef} onClick={() => act('cancel')} disabled={busy}>
              Ja, Lauf abbrechen
            </button>
            <button
              type="button"
              onClick={() => {
                setConfirming(false);
                setTimeout(() => cancelRef.current?.focus(), 0);
              }}
              disabled={busy}
            >
              Nein, weiter warten lassen
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
