import { useEffect, useState } from 'preact/hooks';
import { ApiError, unwrap, type Api } from '../api.ts';
import { StatusBadge } from '../components/badge.tsx';
import { Reason } from '../components/reason.tsx';
import { ago, dateTime, dateTimeLong } from '../format.ts';
import { WarningList } from '../components/warnings.tsx';
import { errorWithFields } from '../messages.ts';
import { actionInWords, reasonInGerman, triggerInWords } from '../words.ts';
import type { AutomationItem } from './list-types.ts';

interface RowProps {
  item: AutomationItem;
  labels: Record<string, string>;
  api: Api;
  timeZone: string;
  onChange(updated: AutomationItem): void;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One automation in the list: what it does, its switch, its last run and its warnings. */
export function AutomationRow({ item, labels, api, timeZone, onChange }: RowProps) {
  const [checked, setChecked] = useState(item.enabled);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  useEffect(() => setChecked(item.enabled), [item.enabled]);

  const toggle = async (event: Event) => {
    const want = (event.currentTarget as HTMLInputElement).checked;
    setChecked(want);
    setBusy(true);
    setFailure(undefined);
    try {
      const updated = await unwrap(api.POST(want ? '/automations/{id}/enable' : '/automations/{id}/disable', { params: { path: { id: item.id } } }));
      setChecked(updated.enabled);
      onChange(updated);
    } catch (error) {
      setChecked(!want);
      const why = error instanceof ApiError ? errorWithFields(error) : 'Unbekannter Fehler.';
      setFailure(`„${item.name}“ konnte nicht ${want ? 'eingeschaltet' : 'ausgeschaltet'} werden. ${why}`);
    } finally {
      setBusy(false);
    }
  };

  const warnings = item.warnings ?? [];
  const failureId = `switch-failure-${item.id}`;
  const warningsId = `warnings-${item.id}`;
  return (
    <>
      <tr class={`${item.enabled ? 'on' : 'off'}${failure ? ' has-failure' : ''}`} data-automation={item.id}>
        <th scope="row" class="name">
          <span>{item.name}</span>
          <WarningList warnings={warnings} id={warningsId} label={`Hinweise zu „${item.name}“`} />
        </th>
        <td>{triggerInWords(item.trigger, labels)}</td>
        <td>
          <ol class="actions">
            {item.actions.map((action, i) => (
              <li key={i}>{actionInWords(action)}</li>
            ))}
          </ol>
        </td>
        <td class="switch-cell">
          <label class="switch">
            <input
              type="checkbox"
              role="switch"
              checked={checked}
              aria-checked={checked}
              aria-busy={busy}
              aria-describedby={failure ? failureId : undefined}
              onClick={(e) => busy && e.preventDefault()}
              onChange={toggle}
            />
            <span class="visually-hidden">„{item.name}“ aktiv</span>
            <span aria-hidden="true" class="switch-text">{busy ? '…' : checked ? 'an' : 'aus'}</span>
          </label>
        </td>
        <td class="last-run">
          <LastRun item={item} timeZone={timeZone} />
        </td>
        <td>
          <a class="button" href={`#/automations/${item.id}`}>
            Bearbeiten<span class="visually-hidden"> „{item.name}“</span>
          </a>
        </td>
      </tr>
      {failure && (
        <tr class="row-failure" data-failure-for={item.id}>
          <td colSpan={6}>
            <p role="alert" class="error switch-failure" id={failureId}>
              <span aria-hidden="true">✕ </span>
              {failure}
            </p>
          </td>
        </tr>
      )}
    </>
  );
}

/** "Zuletzt ausgeführt": when (relative, the date as tooltip), how, and the counters. */
function LastRun({ item, timeZone }: { item: AutomationItem; timeZone: string }) {
  if (!item.lastRunAt) return <span class="muted">noch nie</span>;
  const when = ago(item.lastRunAt, timeZone);
  const at = dateTime(item.lastRunAt, timeZone);
  const time = (
    <time dateTime={item.lastRunAt}>
      {when}
      {when !== at && <span class="visually-hidden"> (am {at})</span>}
    </time>
  );
  const counters: string[] = [plural(item.runCount ?? 0, 'Lauf', 'Läufe')];
  if (item.failureCount) counters.push(plural(item.failureCount, 'Fehler', 'Fehler'));
  if (item.partialCount) counters.push(`${item.partialCount} teilweise`);
  if (item.skippedCount) counters.push(`${item.skippedCount} übersprungen`);
  if (item.uncertainCount) counters.push(`${item.uncertainCount} unklar`);
  return (
    <>
      <div class="last-run-line">
        {item.lastExecutionId ? (
          <a href={`#/executions/${item.lastExecutionId}`} title={dateTimeLong(item.lastRunAt, timeZone)}>
            {time}
          </a>
        ) : (
          <span title={dateTimeLong(item.lastRunAt, timeZone)}>{time}</span>
        )}{' '}
        <StatusBadge status={item.lastRunStatus} />
      </div>
      {item.lastError && (
        <p class="last-error" title={reasonInGerman(item.lastError, timeZone) ? item.lastError : undefined}>
          <Reason text={item.lastError} timeZone={timeZone} original={false} />
        </p>
      )}
      <p class="counters">{counters.join(' · ')}</p>
    </>
  );
}
