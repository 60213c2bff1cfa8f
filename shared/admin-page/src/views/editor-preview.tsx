import { useEffect, useState } from 'preact/hooks';
import { unwrap, type Api, type ApiError } from '../api.ts';
import type { Agency } from '../context.ts';
import type { Option } from '../editor/fields.tsx';
import { actionTypeLabel, fieldWords } from '../editor/labels.ts';
import type { StoredAutomation, TriggerRef } from '../editor/reference.ts';
import { dateTime } from '../format.ts';
import { errorMessage, fieldMessage } from '../messages.ts';

/**
 * The live preview: the dry run (`POST /automations/{id}/test`) against a chosen record of the
 * trigger's subject, or the trigger's example. It renders the saved automation, so unsaved changes
 * are saved first ("Speichern und Vorschau"); it never sends or changes anything.
 */

interface DryRun {
  matched: boolean;
  failedConditions?: Mismatch[];
  actions: Array<{ index: number; type: string; outcome: 'would run' | 'would skip' | 'would fail'; preview?: Record<string, any>; reason?: string }>;
}

type Mismatch = { path: string; condition?: unknown[]; saw?: unknown[] | null; anyOf?: Mismatch[][]; message: string };

/** The latest 50 records of a trigger's subject. */
const SUBJECT_LISTS: Record<string, (api: Api) => Promise<{ items: Row[] }>> = {
  contact: (api) => unwrap(api.GET('/contacts', LATEST)),
  property: (api) => unwrap(api.GET('/properties', LATEST)),
  deal: (api) => unwrap(api.GET('/deals', LATEST)),
  activity: (api) => unwrap(api.GET('/activities', LATEST)),
  rejection: (api) => unwrap(api.GET('/rejections', LATEST)),
  inquiry: (api) => unwrap(api.GET('/inquiries', LATEST)),
};
const LATEST = { params: { query: { limit: 50 } } };
const SUBJECT_WORDS: Record<string, string> = { contact: 'Kontakt', property: 'Objekt', deal: 'Deal', activity: 'Aktivität', rejection: 'Absage', inquiry: 'Anfrage' };

const OUTCOMES: Record<string, [string, string]> = {
  'would run': ['würde ausgeführt', 'succeeded'],
  'would skip': ['würde übersprungen', 'skipped'],
  'would fail': ['würde fehlschlagen', 'failed'],
};

type Row = Record<string, any>;

/** The records of the trigger's subject to choose from, named as an agent knows them. */
async function recordsOf(api: Api, subject: string, timeZone: string): Promise<Option[]> {
  const listOf = SUBJECT_LISTS[subject];
  if (!listOf) return [];
  const list = async (of: (api: Api) => Promise<{ items: Row[] }>) => (await of(api)).items;
  const needsNames = subject !== 'contact' && subject !== 'property';
  const [items, contacts, properties] = await Promise.all([
    list(listOf),
    needsNames ? list(SUBJECT_LISTS.contact!).catch(() => []) : [],
    needsNames ? list(SUBJECT_LISTS.property!).catch(() => []) : [],
  ]);
  const contact = (id: unknown) => {
    const c = contacts.find((x) => x.id === id);
    return c ? [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email : undefined;
  };
  const property = (id: unknown) => properties.find((x) => x.id === id)?.unitId as string | undefined;
  const name = (r: Row): string => {
    switch (subject) {
      case 'contact':
        return `${[r.firstName, r.lastName].filter(Boolean).join(' ') || r.company || r.id}${r.email ? ` (${r.email})` : ''}`;
      case 'property':
        return `${r.unitId}${r.title ? ` – ${r.title}` : ''}`;
      case 'deal':
        return [contact(r.contactId), property(r.propertyId), r.stage].filter(Boolean).join(' · ');
      case 'activity':
        return [r.category ?? r.type, r.title, r.startsAt ? dateTime(r.startsAt, timeZone) : undefined, contact(r.contactIds?.[0])].filter(Boolean).join(' · ');
      case 'rejection':
        return [r.reason, contact(r.contactId), property(r.propertyId)].filter(Boolean).join(' · ');
      case 'inquiry':
        return [r.subject, r.fromAddress].filter(Boolean).join(' · ');
      default:
        return r.id;
    }
  };
  return items.map((r) => ({ value: String(r.id), label: name(r) || String(r.id) }));
}

export function Preview({
  api,
  agency,
  trigger,
  current,
  dirty,
  saving,
  onSave,
}: {
  api: Api;
  agency: Agency;
  trigger?: TriggerRef;
  current?: StoredAutomation;
  dirty: boolean;
  saving: boolean;
  onSave(): Promise<StoredAutomation | undefined>;
}) {
  const subject = trigger?.subject ?? '';
  const [records, setRecords] = useState<Option[]>([]);
  const [record, setRecord] = useState('');
  const [typed, setTyped] = useState('');
  const [result, setResult] = useState<DryRun>();
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    setRecord('');
    setResult(undefined);
    if (subject) recordsOf(api, subject, agency.timeZone).then((r) => live && setRecords(r), () => live && setRecords([]));
    return () => {
      live = false;
    };
  }, [subject]);

  const run = async () => {
    setFailure(undefined);
    setBusy(true);
    try {
      const saved = dirty ? await onSave() : current;
      if (!saved) {
        setFailure('Die Vorschau braucht eine gespeicherte Fassung, und das Speichern ist nicht gelungen (siehe oben).');
        return;
      }
      const entityId = typed.trim() || record;
      setResult(await unwrap(api.POST('/automations/{id}/test', { params: { path: { id: saved.id } }, body: entityId ? { entityId } : {} })));
    } catch (e) {
      const error = e as ApiError;
      setResult(undefined);
      setFailure([errorMessage(error), ...error.fields.map((f) => fieldMessage(f))].join(' '));
    } finally {
      setBusy(false);
    }
  };

  const words = SUBJECT_WORDS[subject] ?? 'Datensatz';
  return (
    <section aria-labelledby="preview-title" class="preview">
      <h2 id="preview-title">Vorschau</h2>
      <p class="muted">
        Zeigt, was die Automatisierung mit einem Datensatz täte: ob der Auslöser zutrifft und was jeder Schritt senden oder ändern würde. Es wird nichts gesendet oder geändert.
      </p>
      <div class="inline">
        <div class="field">
          <label for="f-preview-record">{words}</label>
          <select id="f-preview-record" value={record} onChange={(e) => setRecord(e.currentTarget.value)}>
            <option value="" selected={record === ''}>
              Beispiel (Musterdaten)
            </option>
            {records.map((r) => (
              <option key={r.value} value={r.value} selected={r.value === record}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-preview-id">oder ID</label>
          <input id="f-preview-id" type="text" autocomplete="off" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
        </div>
      </div>
      {dirty && (
        <p class="muted" id="preview-note">
          Die Vorschau zeigt die gespeicherte Fassung:{' '}
          {current ? 'Ihre Änderungen werden daher zuerst gespeichert.' : 'die neue Automatisierung wird daher zuerst gespeichert (mit dem Schalter „aktiv“ wie eingestellt).'}
        </p>
      )}
      <button type="button" class="primary" disabled={busy || saving} onClick={() => void run()} {...(dirty ? { 'aria-describedby': 'preview-note' } : {})}>
        {dirty ? 'Speichern und Vorschau' : 'Vorschau'}
      </button>
      <div aria-live="polite">
        {failure && (
          <p role="alert" class="error">
            {failure}
          </p>
        )}
        {result && <DryRunResult result={result} timeZone={agency.timeZone} />}
      </div>
    </section>
  );
}

const shown = (values: unknown) => (Array.isArray(values) ? values.map((v) => (typeof v === 'string' ? `„${v}“` : JSON.stringify(v))).join(' oder ') : JSON.stringify(values));

function MismatchItem({ m }: { m: Mismatch }) {
  if (m.anyOf) {
    return (
      <li>
        Keine der Alternativen trifft zu:
        <ul>
          {m.anyOf.map((alternative, i) => (
            <li key={i}>
              Alternative {i + 1}:
              <ul>
                {alternative.map((inner, j) => (
                  <MismatchItem key={j} m={inner} />
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </li>
    );
  }
  return (
    <li>
      <strong>{fieldWords(m.path)}</strong> ({m.path}): verlangt {shown(m.condition)}, {m.saw?.length ? `war ${shown(m.saw)}` : 'das Ereignis hat dieses Feld nicht'}.
    </li>
  );
}

function DryRunResult({ result, timeZone }: { result: DryRun; timeZone: string }) {
  return (
    <div class="preview-result">
      <h3>Ergebnis</h3>
      <p class={result.matched ? 'ok' : 'warning'}>
        {result.matched ? 'Der Auslöser trifft zu: die Automatisierung würde laufen.' : 'Der Auslöser trifft nicht zu: die Automatisierung würde nicht laufen.'}
      </p>
      {result.failedConditions && result.failedConditions.length > 0 && (
        <>
          <p>Nicht erfüllte Bedingungen:</p>
          <ul class="failed-conditions">
            {result.failedConditions.map((m, i) => (
              <MismatchItem key={i} m={m} />
            ))}
          </ul>
        </>
      )}
      {!result.matched && <p class="muted">Die Schritte zeigen, was bei passendem Ereignis geschähe.</p>}
      <ol class="preview-steps">
        {result.actions.map((a) => {
          const [outcome, badge] = OUTCOMES[a.outcome] ?? [a.outcome, ''];
          return (
            <li key={a.index}>
              <h4>
                Schritt {a.index + 1}: {actionTypeLabel(a.type)} <span class={`badge ${badge}`}>{outcome}</span>
              </h4>
              {a.reason && <p>Grund: {a.reason}</p>}
              {a.preview && <StepPreview type={a.type} preview={a.preview} timeZone={timeZone} />}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function StepPreview({ type, preview, timeZone }: { type: string; preview: Record<string, any>; timeZone: string }) {
  const rows: Array<[string, unknown]> = [];
  switch (type) {
    case 'send_email':
      rows.push(['An', preview.to], ['Von', preview.from], ['Antwort an', preview.replyTo], ['Betreff', preview.subject], ['Anhänge', (preview.attachments ?? []).join(', ')]);
      break;
    case 'create_task':
      rows.push(['Titel', preview.title], ['Beschreibung', preview.body], ['Fällig', dateTime(preview.dueAt, timeZone)]);
      break;
    case 'wait':
      rows.push(['Geht weiter am', dateTime(preview.resumeAt, timeZone)], ['Wartet', preview.waits === false ? 'nein (der Zeitpunkt ist schon erreicht)' : 'ja']);
      if (preview.while) rows.push(['Solange', JSON.stringify(preview.while)]);
      break;
    case 'move_deal':
      rows.push(['Von', preview.fromStage], ['Nach', preview.toStage]);
      break;
    case 'update_contact':
    case 'update_property':
      rows.push(['Änderungen', Object.keys(preview.set ?? {}).length ? JSON.stringify(preview.set) : 'keine (schon so)']);
      break;
    case 'create_contact':
      rows.push(['E-Mail', preview.email], ['Neuer Kontakt', preview.newContact ? 'ja' : 'nein (vorhanden)'], ['Deal', preview.openDeal ? `ja${preview.dealStage ? `, Phase „${preview.dealStage}“` : ''}` : 'nein']);
      break;
    default:
      return <pre>{JSON.stringify(preview, null, 2)}</pre>;
  }
  return (
    <>
      <dl class="preview-fields">
        {rows
          .filter(([, v]) => v !== undefined && v !== '')
          .map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{String(value)}</dd>
            </div>
          ))}
      </dl>
      {type === 'send_email' && preview.text && (
        <>
          <p class="label">Text</p>
          <pre class="mail-text">{preview.text}</pre>
        </>
      )}
    </>
  );
}
