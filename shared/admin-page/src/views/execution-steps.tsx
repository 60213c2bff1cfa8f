import type { ComponentChildren } from 'preact';
import { StatusBadge } from '../components/badge.tsx';
import { Reason } from '../components/reason.tsx';
import { ago, dateTime, dateTimeLong, elapsed, timeOnly } from '../format.ts';
import { WarningList } from '../components/warnings.tsx';
import { actionInWords, fieldsInWords, personName, stepTypeLabel } from '../words.ts';
import type { Kind } from './execution-records.tsx';
import type { Execution, StepRecord } from './list-types.ts';

type Lookup = (kind: Kind, id: string) => Record<string, any> | undefined;

/** What a step did, in words: the e-mail and its recipient, the task and its assignee, the fields it changed, the moment it waits for. */
function resultInWords(step: StepRecord, timeZone: string, lookup: Lookup): ComponentChildren {
  // A step's result depends on its action: read loosely, each field checked where it is shown.
  const r = step.result as Record<string, any> | undefined;
  if (!r) return null;
  const at = (iso: string) => (
    <time dateTime={iso} title={dateTimeLong(iso, timeZone)}>
      {dateTime(iso, timeZone)}
    </time>
  );
  if (typeof r.note === 'string' && /interrupted after the send/.test(r.note)) return 'Ein Versuch wurde nach dem Versand unterbrochen; die vermerkte E-Mail-Aktivität bestätigt, dass die E-Mail hinausging.';
  switch (step.type) {
    case 'send_email':
      return (
        <>
          E-Mail an <strong>{r.to}</strong>
          {r.subject ? <> mit dem Betreff „{r.subject}“</> : null} gesendet
          {r.messageId && (
            <>
              {' '}
              (Nachrichten-ID <code>{r.messageId}</code>)
            </>
          )}
          .{r.activityId ? ' Beim Kontakt als E-Mail-Aktivität vermerkt.' : ''}
          {r.activityError ? ` Die E-Mail-Aktivität konnte nicht vermerkt werden: ${r.activityError}` : ''}
        </>
      );
    case 'create_task': {
      const who = typeof r.assigneeId === 'string' ? personName(lookup('user', r.assigneeId)) : undefined;
      const task = typeof r.taskId === 'string' ? lookup('task', r.taskId) : undefined;
      return (
        <>
          Aufgabe {task?.title ? `„${task.title}“ ` : ''}angelegt{who ? ` für ${who}` : ''} (Aufgaben-ID <code>{r.taskId}</code>).
        </>
      );
    }
    case 'update_contact':
    case 'update_property': {
      const changed = Array.isArray(r.changed) ? r.changed : [];
      const what = step.type === 'update_contact' ? 'Kontakt' : 'Objekt';
      return changed.length === 0 ? `Nichts zu ändern: der ${what} war schon so.` : `${what} geändert: ${fieldsInWords(changed)}.`;
    }
    case 'move_deal':
      if (Array.isArray(r.changed) && r.changed.length === 0) return 'Nichts zu ändern: der Deal war schon in dieser Phase.';
      return `Deal von „${r.fromStage}“ nach „${r.toStage}“ verschoben.`;
    case 'create_contact': {
      const contact = typeof r.contactId === 'string' ? personName(lookup('contact', r.contactId)) : undefined;
      return `${r.created ? 'Kontakt angelegt' : 'Vorhandener Kontakt verwendet'}${contact ? `: ${contact}` : ''}${r.dealId ? '; Deal zum Objekt eröffnet' : ''}${r.statusNotInPickList ? ` (der Status „${r.statusNotInPickList}“ steht nicht in der Auswahlliste und wurde nicht gesetzt)` : ''}.`;
    }
    case 'wait':
      if (step.status === 'waiting' && typeof r.resumeAt === 'string') return <>Wartet bis {at(r.resumeAt)} ({ago(r.resumeAt, timeZone)}).</>;
      if (typeof r.waitedUntil === 'string') return <>Gewartet bis {at(r.waitedUntil)}.</>;
      if (r.waited === false) return 'Ohne zu warten weiter: der Zeitpunkt war schon erreicht.';
      if (typeof r.resumeAt === 'string') return <>Sollte warten bis {at(r.resumeAt)}.</>;
      return null;
    default:
      return null;
  }
}

/**
 * "Schritte": each step with its action in words (from the automation when it still has that
 * step), its status, what it did, the error or skip reason, its warnings and its timing.
 */
export function StepsSection({ execution, actions, timeZone, lookup }: { execution: Execution; actions: Array<Record<string, any>> | undefined; timeZone: string; lookup: Lookup }) {
  return (
    <section aria-labelledby="steps-heading">
      <h2 id="steps-heading">Schritte</h2>
      {execution.steps.length === 0 && <p class="muted">Der Lauf endete vor dem ersten Schritt.</p>}
      <ol class="steps">
        {execution.steps.map((step) => {
          const action = actions?.[step.index];
          const title = action && action.type === step.type ? actionInWords(action) : stepTypeLabel(step.type);
          const words = resultInWords(step, timeZone, lookup);
          const took = step.startedAt && step.finishedAt ? Date.parse(step.finishedAt) - Date.parse(step.startedAt) : undefined;
          return (
            <li key={step.index} class={`step ${step.status}`}>
              <h3>
                <span class="step-number">Schritt {step.index + 1}:</span> {title} <StatusBadge status={step.status} step />
              </h3>
              {words && <p class="step-result">{words}</p>}
              {step.error && (
                <p class={step.status === 'failed' ? 'step-error error' : 'step-reason'}>
                  <strong>{step.status === 'failed' ? 'Fehler' : step.status === 'uncertain' ? 'Unklar' : 'Grund'}:</strong> <Reason text={step.error} timeZone={timeZone} />
                </p>
              )}
              <WarningList warnings={step.warnings ?? []} />
              <p class="step-meta muted">
                {step.startedAt ? <>Begonnen {timeOnly(step.startedAt, timeZone)}</> : step.finishedAt ? null : 'Nicht begonnen'}
                {step.finishedAt && <>{step.startedAt ? ', beendet' : 'Beendet'} {timeOnly(step.finishedAt, timeZone)}</>}
                {took !== undefined && took >= 0 && <> ({elapsed(took)})</>}
                {step.attempts > 1 && <> · {step.attempts} Versuche</>}
              </p>
              {step.result && (
                <details class="raw">
                  <summary>Ergebnis von Schritt {step.index + 1} als Daten (JSON)</summary>
                  <pre tabIndex={0}>{JSON.stringify(step.result, null, 2)}</pre>
                </details>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
