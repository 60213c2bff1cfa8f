import { useEffect, useState } from 'preact/hooks';
import { unwrap, type ApiError } from '../api.ts';
import type { ViewProps } from '../context.ts';
import type { PickLists, PresetRef, Reference, StoredAutomation, UserRef } from '../editor/reference.ts';
import { errorMessage } from '../messages.ts';
import { AutomationForm } from './editor-form.tsx';
import { PresetForm } from './editor-preset.tsx';

/**
 * Creating and editing an automation. `#/new`: from a preset ("Aus Vorlage") or blank ("Leer");
 * `#/new?preset=<key>`: the preset's parameters; `#/automations/<id>`: the whole automation, with
 * its conditions, steps, placeholders, a live preview (the dry run) and its problems at the fields.
 */

export interface EditorData {
  reference: Reference;
  presets: PresetRef[];
  lists: PickLists;
  users: UserRef[];
}

export function Editor(props: ViewProps & { id?: string; preset?: string }) {
  const { api, id, preset } = props;
  const [data, setData] = useState<EditorData>();
  const [automation, setAutomation] = useState<StoredAutomation>();
  const [failure, setFailure] = useState<string>();
  const [blank, setBlank] = useState(false);

  useEffect(() => {
    let live = true;
    Promise.all([
      unwrap(api.GET('/automation-triggers')),
      unwrap(api.GET('/automation-presets')),
      unwrap(api.GET('/pick-lists')),
      unwrap(api.GET('/users', { params: { query: { limit: 100 } } })).catch(() => ({ items: [] as UserRef[] })),
      id ? unwrap(api.GET('/automations/{id}', { params: { path: { id: id } } })) : Promise.resolve(undefined),
    ])
      .then(([reference, presets, lists, users, stored]) => {
        if (!live) return;
        setData({ reference, presets: presets.items, lists, users: users.items.filter((u) => !u.archived) });
        setAutomation(stored);
      })
      .catch((e: ApiError) => live && setFailure(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [id]);

  const title = id ? 'Automatisierung bearbeiten' : preset ? 'Neue Automatisierung aus Vorlage' : 'Neue Automatisierung';
  if (failure) {
    return (
      <section class="editor">
        <h1>{title}</h1>
        <p role="alert" class="error">
          {failure}
        </p>
        <p>
          <a href="#/">Zurück zur Übersicht</a>
        </p>
      </section>
    );
  }
  if (!data) {
    return (
      <section class="editor" aria-busy="true">
        <h1>{title}</h1>
        <p>Wird geladen …</p>
      </section>
    );
  }
  if (id && automation) return <AutomationForm {...props} data={data} stored={automation} />;
  if (preset) {
    const chosen = data.presets.find((p) => p.key === preset);
    if (!chosen) {
      return (
        <section class="editor">
          <h1>{title}</h1>
          <p role="alert" class="error">
            Unbekannte Vorlage „{preset}“.
          </p>
          <p>
            <a href="#/new">Andere Vorlage wählen</a>
          </p>
        </section>
      );
    }
    return <PresetForm {...props} data={data} preset={chosen} />;
  }
  if (blank) return <AutomationForm {...props} data={data} />;
  return <Chooser presets={data.presets} onBlank={() => setBlank(true)} />;
}

/** "Aus Vorlage" (every preset with its name and description) or "Leer". */
function Chooser({ presets, onBlank }: { presets: PresetRef[]; onBlank(): void }) {
  return (
    <section class="editor">
      <h1>Neue Automatisierung</h1>
      <p>
        <a href="#/">Zurück zur Übersicht</a>
      </p>
      <section aria-labelledby="from-preset">
        <h2 id="from-preset">Aus Vorlage</h2>
        <p class="muted">Fertige Automatisierungen für die häufigsten Fälle: nur noch die Parameter wählen.</p>
        <ul class="presets">
          {presets.map((p) => (
            <li key={p.key} class="preset">
              <h3 id={`preset-${p.key}`}>{p.name}</h3>
              <p>{p.description}</p>
              <a class="button" href={`#/new?preset=${encodeURIComponent(p.key)}`} aria-label={`Vorlage verwenden: ${p.name}`}>
                Vorlage verwenden
              </a>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="from-blank">
        <h2 id="from-blank">Leer</h2>
        <p class="muted">Auslöser, Bedingungen und Schritte selbst zusammenstellen.</p>
        <button type="button" class="primary" onClick={onBlank}>
          Leer beginnen
        </button>
      </section>
    </section>
  );
}
