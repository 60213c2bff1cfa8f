import { useMemo, useState } from 'preact/hooks';
import { unwrap, type ApiError } from '../api.ts';
import type { ViewProps } from '../context.ts';
import { paramInputId } from '../editor/draft.ts';
import { CheckField, ProblemsContext, ProblemSummary, SelectField, TextField, type SummaryItem } from '../editor/fields.tsx';
import { PARAMS } from '../editor/labels.ts';
import { allStages, unique, type JsonSchema, type PickLists, type PresetRef, } from '../editor/reference.ts';
import { errorMessage, fieldMessage } from '../messages.ts';
import type { EditorData } from './editor.tsx';
import { DurationPicker } from './editor-duration.tsx';
import { flash } from '../editor/flash.ts';

/**
 * A preset's parameters as a form built from its JSON Schema: text, whole numbers, lists of
 * addresses (one per line), durations (number and unit), and the tenant's pick-list values where a
 * parameter takes one (stage → deal stages, category → activity categories, reason → Absage reasons).
 */

/** The pick-list values a preset parameter takes, if it takes one (the API names the list in the description). */
export function paramChoices(key: string, schema: JsonSchema, lists: PickLists): string[] | undefined {
  const text = (schema.description ?? '').toLowerCase();
  if (text.includes('deal stage')) return allStages(lists);
  if (text.includes('appointment categor')) return lists.activityCategories.appointment ?? [];
  if (text.includes('note categor')) return lists.activityCategories.note ?? [];
  if (text.includes('reason')) return lists.rejectionReasons;
  if (text.includes('property status')) return lists.propertyStatuses;
  if (text.includes('contact status')) return lists.contactStatuses;
  switch (key) {
    case 'stage':
      return allStages(lists);
    case 'category':
      return unique(Object.values(lists.activityCategories).flat());
    case 'reason':
      return lists.rejectionReasons;
    case 'status':
      return lists.propertyStatuses;
    default:
      return undefined;
  }
}

const isDuration = (key: string, schema: JsonSchema) => schema.type === 'string' && (/iso 8601 duration/i.test(schema.description ?? '') || key === 'before' || key === 'after');

const initialValue = (schema: JsonSchema): string => {
  if (schema.default === undefined) return '';
  if (Array.isArray(schema.default)) return schema.default.join('\n');
  return String(schema.default);
};

export function PresetForm({ api, navigate, data, preset }: ViewProps & { data: EditorData; preset: PresetRef }) {
  const properties = Object.entries(preset.params.properties ?? {});
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(properties.map(([key, schema]) => [key, initialValue(schema)])));
  const [name, setName] = useState('');
  const [enabled, setEnabled] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const { problems, summary } = useMemo(() => {
    const problems = new Map<string, string[]>();
    const summary: SummaryItem[] = [];
    for (const field of error?.fields ?? []) {
      const [head, key] = field.path.split('.');
      const id = head === 'params' && key && properties.some(([k]) => k === key) ? paramInputId(key) : head === 'name' ? 'f-name' : head === 'enabled' ? 'f-enabled' : undefined;
      const message = fieldMessage(field);
      if (id) problems.set(id, [...(problems.get(id) ?? []), message]);
      summary.push({ ...(id ? { id } : {}), label: id === 'f-name' ? 'Name' : key ? (PARAMS[key]?.label ?? key) : field.path, message });
    }
    return { problems, summary };
  }, [error]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const params: Record<string, unknown> = {};
    for (const [key, schema] of properties) {
      const raw = values[key] ?? '';
      if (schema.type === 'array') {
        const items = raw
          .split(/[\n,;]/)
          .map((v) => v.trim())
          .filter(Boolean);
        if (items.length || schema.minItems) params[key] = items;
      } else if (schema.type === 'integer' || schema.type === 'number') {
        if (raw.trim() !== '') params[key] = Number(raw);
      } else if (raw.trim() !== '') {
        params[key] = raw.trim();
      }
    }
    try {
      const created = await unwrap(api.POST('/automations', { body: { preset: preset.key, params, enabled, ...(name.trim() ? { name: name.trim() } : {}) } }));
      flash.message = `„${created.name}“ wurde angelegt${created.enabled ? ' und ist aktiv' : ' (nicht aktiv)'}.`;
      navigate(`/automations/${created.id}`);
    } catch (e) {
      setError(e as ApiError);
      setBusy(false);
    }
  };

  const set = (key: string) => (value: string) => setValues((v) => ({ ...v, [key]: value }));

  return (
    <section class="editor">
      <h1>Neue Automatisierung aus Vorlage</h1>
      <p>
        <a href="#/new">Andere Vorlage wählen</a>
      </p>
      {error && <ProblemSummary title={errorMessage(error)} items={summary} />}
      <h2>{preset.name}</h2>
      <p>{preset.description}</p>
      <ProblemsContext.Provider value={problems}>
        <form onSubmit={submit} noValidate>
          {properties.length > 0 ? (
            <fieldset class="group">
              <legend>Parameter</legend>
              {properties.map(([key, schema]) => {
                const id = paramInputId(key);
                const label = PARAMS[key]?.label ?? key;
                const hint = PARAMS[key]?.hint;
                const choices = schema.type === 'string' ? paramChoices(key, schema, data.lists) : undefined;
                const value = values[key] ?? '';
                if (choices) {
                  const options = unique([...choices, ...(value ? [value] : [])]).map((v) => ({ value: v, label: v }));
                  return <SelectField key={key} id={id} label={label} hint={hint} value={value} options={options} onValue={set(key)} />;
                }
                if (isDuration(key, schema)) return <DurationPicker key={key} id={id} label={label} hint={hint} value={value} onValue={set(key)} />;
                if (schema.type === 'integer' || schema.type === 'number') {
                  return (
                    <TextField
                      key={key}
                      id={id}
                      label={label}
                      hint={hint}
                      type="number"
                      class="narrow"
                      value={value}
                      onValue={set(key)}
                      {...(schema.minimum !== undefined ? { min: schema.minimum } : {})}
                      {...(schema.maximum !== undefined ? { max: schema.maximum } : {})}
                    />
                  );
                }
                if (schema.type === 'array') return <TextField key={key} id={id} label={label} hint={hint ?? 'Ein Eintrag pro Zeile.'} multiline rows={4} value={value} onValue={set(key)} />;
                return <TextField key={key} id={id} label={label} hint={hint} value={value} onValue={set(key)} />;
              })}
            </fieldset>
          ) : (
            <p class="muted">Diese Vorlage hat keine Parameter.</p>
          )}
          <TextField id="f-name" class="wide" label="Name (optional)" hint="Leer lassen für den Namen der Vorlage." value={name} onValue={setName} autocomplete="off" />
          <CheckField id="f-enabled" class="switch" role="switch" label="aktiv" hint="Aktive Automatisierungen laufen sofort bei jedem passenden Ereignis." checked={enabled} onChecked={setEnabled} />
          <div class="actions-bar">
            <button type="submit" class="primary" disabled={busy}>
              Anlegen
            </button>
            <a href="#/">Abbrechen</a>
          </div>
        </form>
      </ProblemsContext.Provider>
    </section>
  );
}
