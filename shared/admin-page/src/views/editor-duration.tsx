import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { durationIso, parseDuration, UNITS, type DurationUnit } from '../editor/duration.ts';
import { FieldError, useProblem } from '../editor/fields.tsx';

/**
 * A duration as a number and a unit (Minuten, Stunden, Tage, Wochen), given and taken as ISO 8601
 * without sign ("P2D", "PT3H"). A stored duration the picker cannot show ("P1M", "P1DT2H") is
 * edited as ISO text. `id` is the number's id (problems of the duration show there).
 */
export function DurationPicker({ id, label, hint, value, onValue }: { id: string; label: ComponentChildren; hint?: ComponentChildren; value: string; onValue(iso: string): void }) {
  const parsed = parseDuration(value);
  const [amount, setAmount] = useState(parsed ? String(parsed.amount) : '');
  const [unit, setUnit] = useState<DurationUnit>(parsed?.unit ?? 'D');
  const [raw, setRaw] = useState(!parsed && value !== '');
  const { props } = useProblem(id, hint ? 'hint' : undefined);

  // A value set from outside (a reload) shows as it is.
  useEffect(() => {
    const now = parseDuration(value);
    if (now && (String(now.amount) !== amount || now.unit !== unit)) {
      setAmount(String(now.amount));
      setUnit(now.unit);
      setRaw(false);
    } else if (!now && value !== '' && !raw) {
      setRaw(true);
    }
  }, [value]);

  const change = (nextAmount: string, nextUnit: DurationUnit) => {
    setAmount(nextAmount);
    setUnit(nextUnit);
    const n = Number(nextAmount);
    onValue(nextAmount.trim() !== '' && Number.isInteger(n) && n >= 0 ? durationIso(n, nextUnit) : '');
  };

  return (
    <fieldset class="field duration" aria-describedby={hint ? `${id}-hint` : undefined}>
      <legend>{label}</legend>
      {hint && (
        <p id={`${id}-hint`} class="hint muted">
          {hint}
        </p>
      )}
      {raw ? (
        <div class="inline">
          <div>
            <label for={id}>Dauer (ISO 8601, z. B. P1D, PT2H)</label>
            <input {...props} type="text" value={value} onInput={(e) => onValue(e.currentTarget.value)} />
          </div>
          <button
            type="button"
            onClick={() => {
              setRaw(false);
              change('1', 'D');
            }}
          >
            Als Zahl und Einheit
          </button>
        </div>
      ) : (
        <div class="inline">
          <div>
            <label for={id}>Anzahl</label>
            <input {...props} type="number" min={0} step={1} inputMode="numeric" class="narrow" value={amount} onInput={(e) => change(e.currentTarget.value, unit)} />
          </div>
          <div>
            <label for={`${id}-unit`}>Einheit</label>
            <select id={`${id}-unit`} value={unit} onChange={(e) => change(amount, e.currentTarget.value as DurationUnit)}>
              {UNITS.map(([u, words]) => (
                <option key={u} value={u} selected={u === unit}>
                  {words}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      <FieldError id={id} />
    </fieldset>
  );
}
