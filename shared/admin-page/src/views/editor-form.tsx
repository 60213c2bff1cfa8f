import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { unwrap, type ApiError, type FieldProblem, type Schemas } from '../api.ts';
import type { ViewProps } from '../context.ts';
import type { LocalProblem } from '../editor/conditions.ts';
import { definitionOf, draftOf, emptyDraft, targetFor, type Draft } from '../editor/draft.ts';
import { CheckField, ProblemsContext, ProblemSummary, SelectField, TextField, type SummaryItem } from '../editor/fields.tsx';
import { flash, takeFlash } from '../editor/flash.ts';
import type { StoredAutomation } from '../editor/reference.ts';
import { dateTime } from '../format.ts';
import { errorMessage, fieldMessage, warningMessage } from '../messages.ts';
import type { EditorData } from './editor.tsx';
import { ActionsEditor } from './editor-actions.tsx';
import { ConditionsEditor } from './editor-conditions.tsx';
import { Preview } from './editor-preview.tsx';

/**
 * The whole automation: name, description, "aktiv", the trigger and its conditions, the steps, and
 * "Speichern" (POST when new, else PUT with the version it was loaded at), "Löschen", the live
 * preview. Problems of a save show at their fields and in a summary at the top.
 */
export function AutomationForm({ api, agency, navigate, data, stored }: ViewProps & { data: EditorData; stored?: StoredAutomation }) {
  const triggers = data.reference.items;
  const triggerOf = (event: string) => triggers.find((t) => t.event === event);
  const [current, setCurrent] = useState<StoredAutomation | undefined>(stored);
  const [draft, setDraft] = useState<Draft>(() => (stored ? draftOf(stored, triggerOf(stored.trigger.event)) : emptyDraft(triggerOf('DealStageChanged') ?? triggers[0])));
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [problems, setProblems] = useState<{ title: string; fields: Array<FieldProblem | LocalProblem> }>();
  const [conflict, setConflict] = useState<string>();
  const [notice, setNotice] = useState<string | undefined>(() => takeFlash());
  const [confirmDelete, setConfirmDelete] = useState(false);
  const trigger = triggerOf(draft.event);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  // Into the confirmation when it opens; back to "Löschen" when it closes without deleting (before
  // the next keystroke, so a layout effect); Escape closes it wherever the focus is.
  useLayoutEffect(() => {
    if (confirmDelete) confirmButton.current?.focus();
    else if (asked.current) deleteButton.current?.focus();
    asked.current = confirmDelete;
    if (!confirmDelete) return undefined;
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && setConfirmDelete(false);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [confirmDelete]);

  /** A change of the draft; a change of its structure (a row or step added, removed, moved) clears the problems, whose places moved. */
  const change = (next: (d: Draft) => Draft, structural = false) => {
    setDraft(next);
    setDirty(true);
    setNotice(undefined);
    if (structural) setProblems(undefined);
  };

  const { byId, summary } = useMemo(() => {
    const byId = new Map<string, string[]>();
    const summary: SummaryItem[] = [];
    for (const problem of problems?.fields ?? []) {
      const target = targetFor(problem.path, problem.code, draft);
      const message = fieldMessage(problem);
      if (target.id) byId.set(target.id, [...(byId.get(target.id) ?? []), message]);
      summary.push({ ...(target.id ? { id: target.id } : {}), label: target.label, message });
    }
    return { byId, summary };
    // The places are worked out against the draft as it was saved.
  }, [problems]);

  /** Saves the draft: POST when new, PUT with the loaded version else. The saved automation, or undefined with the problems shown. */
  const save = async (): Promise<StoredAutomation | undefined> => {
    const { definition, problems: local } = definitionOf(draft, trigger);
    if (local.length) {
      setProblems({ title: 'Bitte die markierten Felder prüfen.', fields: local });
      return undefined;
    }
    setSaving(true);
    setProblems(undefined);
    setConflict(undefined);
    setNotice(undefined);
    try {
      let saved: StoredAutomation;
      if (current) {
        const body: Record<string, unknown> = { ...current, ...definition, version: current.version };
        if (!definition.description) delete body.description;
        saved = await unwrap(api.PUT('/automations/{id}', { params: { path: { id: current.id } }, body: body as Schemas['AutomationPut'] }));
      } else {
        // The form's trigger event is one of the reference's, a string to the form.
        saved = await unwrap(api.POST('/automations', { body: definition as Schemas['AutomationCreate'] }));
        // The page is now the automation's own (without reloading the form).
        history.replaceState(null, '', `#/automations/${saved.id}`);
      }
      setCurrent(saved);
      setDirty(false);
      setNotice(`Gespeichert (Version ${saved.version}).`);
      return saved;
    } catch (e) {
      const error = e as ApiError;
      if (error.code === 'version_conflict') setConflict(errorMessage(error));
      else setProblems({ title: errorMessage(error), fields: error.fields });
      return undefined;
    } finally {
      setSaving(false);
    }
  };

  const reload = async () => {
    if (!current) return;
    try {
      const fresh = await unwrap(api.GET('/automations/{id}', { params: { path: { id: current.id } } }));
      setCurrent(fresh);
      setDraft(draftOf(fresh, triggerOf(fresh.trigger.event)));
      setDirty(false);
      setConflict(undefined);
      setProblems(undefined);
      setNotice(`Neu geladen: Version ${fresh.version}${typeof fresh.updatedAt === 'string' ? ` vom ${dateTime(fresh.updatedAt, agency.timeZone)}` : ''}.`);
    } catch (e) {
      setConflict(errorMessage(e as ApiError));
    }
  };

  const remove = async () => {
    if (!current) return;
    try {
      await unwrap(api.DELETE('/automations/{id}', { params: { path: { id: current.id } } }));
      flash.message = `„${current.name}“ wurde gelöscht.`;
      navigate('/');
    } catch (e) {
      setConfirmDelete(false);
      setProblems({ title: errorMessage(e as ApiError), fields: [] });
    }
  };

  const eventOptions = triggers.map((t) => ({ value: t.event, label: t.label }));
  if (!trigger) eventOptions.unshift({ value: draft.event, label: draft.event || '— Auslöser wählen —' });

  return (
    <section class="editor">
      <h1>{current ? 'Automatisierung bearbeiten' : 'Neue Automatisierung'}</h1>
      <p>
        <a href="#/">Zurück zur Übersicht</a>
        {!current && (
          <>
            {' · '}
            <a href="#/new">Aus Vorlage anlegen</a>
          </>
        )}
      </p>
      {notice && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      {conflict && (
        <div role="alert" class="problem-summary">
          <p>{conflict}</p>
          <p class="muted">„Neu laden“ zeigt die gespeicherte Fassung; Ihre Änderungen hier gehen dabei verloren.</p>
          <button type="button" onClick={() => void reload()}>
            Neu laden
          </button>
        </div>
      )}
      {problems && <ProblemSummary title={problems.title} items={summary} />}
      {current?.warnings && current.warnings.length > 0 && (
        <section aria-labelledby="warnings-title" class="warnings">
          <h2 id="warnings-title">Hinweise</h2>
          <ul>
            {current.warnings.map((w, i) => (
              <li key={i} class="warning">
                {warningMessage(w)}
              </li>
            ))}
          </ul>
        </section>
      )}
      <ProblemsContext.Provider value={byId}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
          noValidate
        >
          <section aria-labelledby="general-title">
            <h2 id="general-title">Allgemein</h2>
            <TextField id="f-name" class="wide" label="Name" required value={draft.name} onValue={(name) => change((d) => ({ ...d, name }))} autocomplete="off" />
            <TextField id="f-description" label="Beschreibung (optional)" multiline rows={2} value={draft.description} onValue={(description) => change((d) => ({ ...d, description }))} />
            <CheckField
              id="f-enabled"
              class="switch"
              role="switch"
              label="aktiv"
              hint="Aktive Automatisierungen laufen bei jedem passenden Ereignis; gespeichert wird mit „Speichern“."
              checked={draft.enabled}
              onChecked={(enabled) => change((d) => ({ ...d, enabled }))}
            />
          </section>
          <section aria-labelledby="trigger-title">
            <h2 id="trigger-title">Auslöser</h2>
            <SelectField id="f-event" label="Ereignis" value={draft.event} options={eventOptions} onValue={(event) => change((d) => ({ ...d, event }), true)} />
            <ConditionsEditor trigger={trigger} conditions={draft.conditions} onChange={(conditions, structural) => change((d) => ({ ...d, conditions }), structural)} />
          </section>
          <ActionsEditor
            trigger={trigger}
            helpers={data.reference.helpers}
            lists={data.lists}
            users={data.users}
            actions={draft.actions}
            onChange={(actions, structural) => change((d) => ({ ...d, actions }), structural)}
          />
          <div class="actions-bar">
            <button type="submit" class="primary" disabled={saving}>
              Speichern
            </button>
            {dirty && <span class="muted">Ungespeicherte Änderungen</span>}
            {current && !confirmDelete && (
              <button type="button" class="danger" ref={deleteButton} onClick={() => setConfirmDelete(true)}>
                Löschen
              </button>
            )}
          </div>
        </form>
      </ProblemsContext.Provider>
      {current && confirmDelete && (
        <div class="confirm" role="group" aria-labelledby="confirm-delete">
          <p id="confirm-delete">
            „{current.name}“ wirklich löschen? Wartende Läufe werden beendet; die bisherigen Läufe bleiben sichtbar.
          </p>
          <button type="button" class="danger" onClick={() => void remove()} ref={confirmButton}>
            Endgültig löschen
          </button>{' '}
          <button type="button" onClick={() => setConfirmDelete(false)}>
            Abbrechen
          </button>
        </div>
      )}
      <Preview api={api} agency={agency} trigger={trigger} current={current} dirty={dirty || !current} saving={saving} onSave={save} />
    </section>
  );
}
