import type { ComponentChildren, Ref } from 'preact';
import { createContext } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';

/**
 * Labelled inputs that show their problems: each input has an id, the problems of a save are
 * mapped to ids (draft.ts), and an input with a problem gets `aria-invalid` and
 * `aria-describedby` pointing at the German message below it.
 */

/** The German messages per input id. */
export const ProblemsContext = createContext<ReadonlyMap<string, string[]>>(new Map());

export function useProblem(id: string, hint?: string) {
  const problems = useContext(ProblemsContext).get(id);
  const describedBy = [hint ? `${id}-hint` : undefined, problems ? `${id}-error` : undefined].filter(Boolean).join(' ');
  return {
    problems,
    props: { id, 'aria-invalid': problems ? ('true' as const) : undefined, 'aria-describedby': describedBy || undefined },
  };
}

export function FieldError({ id }: { id: string }) {
  const problems = useContext(ProblemsContext).get(id);
  if (!problems) return null;
  return (
    <p id={`${id}-error`} class="field-error">
      {problems.join(' ')}
    </p>
  );
}

const Hint = ({ id, hint }: { id: string; hint?: ComponentChildren }) =>
  hint ? (
    <p id={`${id}-hint`} class="hint muted">
      {hint}
    </p>
  ) : null;

interface Common {
  id: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  class?: string;
}

export function TextField({
  id,
  label,
  hint,
  value,
  onValue,
  multiline,
  type = 'text',
  inputRef,
  rows,
  class: className,
  onCursor,
  ...rest
}: Common & {
  value: string;
  onValue(value: string): void;
  multiline?: boolean;
  type?: string;
  rows?: number;
  required?: boolean;
  min?: number;
  max?: number;
  placeholder?: string;
  autocomplete?: string;
  inputRef?: Ref<HTMLInputElement | HTMLTextAreaElement>;
  /** Where the cursor is (for inserting placeholders). */
  onCursor?(start: number, end: number): void;
}) {
  const { props } = useProblem(id, hint ? 'hint' : undefined);
  const cursor = (e: Event) => {
    const t = e.currentTarget as HTMLInputElement | HTMLTextAreaElement;
    onCursor?.(t.selectionStart ?? t.value.length, t.selectionEnd ?? t.value.length);
  };
  const events = onCursor ? { onSelect: cursor, onKeyUp: cursor, onClick: cursor, onFocus: cursor } : {};
  return (
    <div class={`field ${className ?? ''}`}>
      <label for={id}>{label}</label>
      <Hint id={id} hint={hint} />
      {multiline ? (
        <textarea
          {...props}
          {...events}
          {...(rest.required ? { required: true, 'aria-required': 'true' } : {})}
          {...(rest.placeholder ? { placeholder: rest.placeholder } : {})}
          ref={inputRef as Ref<HTMLTextAreaElement>}
          rows={rows ?? 6}
          value={value}
          onInput={(e) => {
            onValue(e.currentTarget.value);
            cursor(e);
          }}
        />
      ) : (
        <input
          {...props}
          {...events}
          {...rest}
          ref={inputRef as Ref<HTMLInputElement>}
          type={type}
          value={value}
          onInput={(e) => {
            onValue(e.currentTarget.value);
            cursor(e);
          }}
        />
      )}
      <FieldError id={id} />
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField({
  id,
  label,
  hint,
  value,
  options,
  onValue,
  class: className,
  groups,
}: Common & { value: string; options: Option[]; onValue(value: string): void; groups?: Array<{ label: string; options: Option[] }> }) {
  const { props } = useProblem(id, hint ? 'hint' : undefined);
  return (
    <div class={`field ${className ?? ''}`}>
      <label for={id}>{label}</label>
      <Hint id={id} hint={hint} />
      <select {...props} value={value} onChange={(e) => onValue(e.currentTarget.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value} selected={o.value === value}>
            {o.label}
          </option>
        ))}
        {groups?.map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.options.map((o) => (
              <option key={o.value} value={o.value} selected={o.value === value}>
                {o.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      <FieldError id={id} />
    </div>
  );
}

/** A multi-select: the chosen values of a list. */
export function MultiSelectField({ id, label, hint, values, options, onValues, class: className }: Common & { values: string[]; options: Option[]; onValues(values: string[]): void }) {
  const { props } = useProblem(id, 'hint');
  return (
    <div class={`field ${className ?? ''}`}>
      <label for={id}>{label}</label>
      <Hint id={id} hint={hint ?? 'Mehrere mit Strg/⌘ oder Umschalt wählen.'} />
      <select
        {...props}
        multiple
        size={Math.min(6, Math.max(3, options.length))}
        onChange={(e) => onValues([...e.currentTarget.selectedOptions].map((o) => o.value))}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value} selected={values.includes(o.value)}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldError id={id} />
    </div>
  );
}

export function CheckField({ id, label, hint, checked, onChecked, role, class: className }: Common & { checked: boolean; onChecked(checked: boolean): void; role?: 'switch' }) {
  const { props } = useProblem(id, hint ? 'hint' : undefined);
  return (
    <div class={`field check ${className ?? ''}`}>
      <input {...props} type="checkbox" {...(role ? { role } : {})} checked={checked} onChange={(e) => onChecked(e.currentTarget.checked)} />
      <label for={id}>{label}</label>
      <Hint id={id} hint={hint} />
      <FieldError id={id} />
    </div>
  );
}

export interface SummaryItem {
  id?: string;
  label: string;
  message: string;
}

/** The problems of a save at the top of the form, each a button to its field; focused when it appears. */
export function ProblemSummary({ title, items }: { title: string; items: SummaryItem[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [items]);
  const go = (id: string) => {
    const element = document.getElementById(id);
    element?.scrollIntoView({ block: 'center' });
    element?.focus();
  };
  return (
    <div ref={ref} class="problem-summary" role="alert" tabIndex={-1} aria-labelledby="problem-summary-title">
      <h2 id="problem-summary-title">{title}</h2>
      {items.length > 0 && (
        <ul>
          {items.map((item, i) => (
            <li key={i}>
              {item.id ? (
                <button type="button" class="link" onClick={() => go(item.id!)}>
                  {item.label}
                </button>
              ) : (
                <strong>{item.label}</strong>
              )}
              : {item.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
