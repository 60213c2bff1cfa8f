import type { FieldRef, HelperRef, TriggerRef } from '../editor/reference.ts';

/**
 * "Platzhalter": the template variables the trigger provides, by namespace, and the template
 * helpers; a click inserts one (`{{contact.firstName}}`) at the cursor of the chosen field.
 */

const NAMESPACE_LABELS: Record<string, string> = { tenant: 'Maklerbüro', event: 'Ereignis' };

interface Variable {
  name: string;
  field: FieldRef;
}

function variablesOf(trigger: TriggerRef): Array<{ namespace: string; label: string; variables: Variable[] }> {
  return Object.entries(trigger.templateVariables).map(([namespace, fields]) => ({
    namespace,
    label: trigger.entities.find((e) => e.name === namespace)?.label ?? NAMESPACE_LABELS[namespace] ?? namespace,
    variables: fields.filter((f) => f.type !== 'object' && !f.path.includes('*')).map((field) => ({ name: `${namespace}.${field.path}`, field })),
  }));
}

/** What a helper inserts: its example, with fields the trigger has (`{{date deal.createdAt}}` where there is no activity). */
export function helperSnippet(helper: HelperRef, trigger: TriggerRef): string {
  const all = variablesOf(trigger).flatMap((g) => g.variables);
  const subjectFirst = (list: Variable[]) => [...list.filter((v) => v.name.startsWith(`${trigger.subject}.`)), ...list.filter((v) => !v.name.startsWith(`${trigger.subject}.`))];
  const has = (name: string) => all.some((v) => v.name === name);
  const date = has('activity.startsAt') ? 'activity.startsAt' : subjectFirst(all.filter((v) => v.field.format)).at(0)?.name;
  const number = has('property.price') ? 'property.price' : subjectFirst(all.filter((v) => v.field.type === 'number' && !/version|depth/.test(v.name))).at(0)?.name;
  const person = ['contact', 'owner', 'contactPerson'].find((p) => p in trigger.templateVariables);
  const text = has('contact.firstName') ? 'contact.firstName' : subjectFirst(all.filter((v) => v.field.type === 'string' && !/\.(id|tenantId)$/.test(v.name))).at(0)?.name;
  const name = helper.name;
  const pick = (): string | undefined => {
    switch (name) {
      case 'date':
      case 'time':
      case 'datetime':
      case 'weekday':
        return date && `{{${name} ${date}}}`;
      case 'number':
      case 'money':
        return number && `{{${name} ${number}}}`;
      case 'greeting':
      case 'salutation':
        return person && `{{${name} ${person}}}`;
      case 'required':
        return text && `{{required ${text}}}`;
      case '#if':
      case '#unless':
        return text && `{{${name} ${text}}}…{{/${name.slice(1)}}}`;
      default:
        return undefined;
    }
  };
  return pick() ?? helper.example;
}

export function Placeholders({
  idPrefix,
  trigger,
  helpers,
  fields,
  target,
  onTarget,
  onInsert,
}: {
  idPrefix: string;
  trigger?: TriggerRef;
  helpers: HelperRef[];
  /** The template fields of the step: [name, label]. */
  fields: Array<[string, string]>;
  target: string;
  onTarget(name: string): void;
  onInsert(text: string): void;
}) {
  if (!trigger) return null;
  const groups = variablesOf(trigger);
  return (
    <details class="placeholders">
      <summary>Platzhalter</summary>
      <div class="field">
        <label for={`${idPrefix}-target`}>Einfügen in</label>
        <select id={`${idPrefix}-target`} value={target} onChange={(e) => onTarget(e.currentTarget.value)}>
          {fields.map(([name, label]) => (
            <option key={name} value={name} selected={name === target}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <p class="muted">Ein Klick fügt den Platzhalter an der Cursorposition ein.</p>
      {groups.map((group) => (
        <div key={group.namespace} class="placeholder-group">
          <h4>{group.label}</h4>
          <ul>
            {group.variables.map((v) => (
              <li key={v.name}>
                <button type="button" class="chip" title={v.field.example !== undefined ? `Beispiel: ${JSON.stringify(v.field.example)}` : undefined} onClick={() => onInsert(`{{${v.name}}}`)}>
                  {`{{${v.name}}}`}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
      <div class="placeholder-group">
        <h4>Funktionen</h4>
        <ul>
          {helpers.map((h) => {
            const snippet = helperSnippet(h, trigger);
            return (
              <li key={h.name}>
                <button type="button" class="chip" title={`${snippet} → ${h.output}`} onClick={() => onInsert(snippet)}>
                  {snippet}
                </button>
              </li>
            );
          })}
        </ul>
      </div>
    </details>
  );
}
