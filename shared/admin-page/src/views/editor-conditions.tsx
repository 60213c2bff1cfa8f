import { useState } from 'preact/hooks';
import { choicesOf, jsonToPattern, newKey, patternToRows, prettyJson, rowFields, rowsToPattern, type ConditionRow, type Conditions } from '../editor/conditions.ts';
import { conditionInputId } from '../editor/draft.ts';
import { FieldError, MultiSelectField, SelectField, TextField, useProblem } from '../editor/fields.tsx';
import { fieldLabel, OPERATORS, valueLabel, type Operator } from '../editor/labels.ts';
import { unique, type TriggerRef } from '../editor/reference.ts';

/**
 * The trigger's conditions: rows of (field, operator, values) for the common cases, the values of
 * pick-list fields chosen from the tenant's list; "Bedingung als JSON" for any EventBridge
 * pattern. A stored pattern the rows cannot show is shown as JSON only.
 */

const LISTS: Record<string, string> = {
  dealStages: 'Deal-Phasen',
  activityCategories: 'Aktivitätskategorien',
  rejectionReasons: 'Absagegründe',
  contactStatuses: 'Kontaktstatus',
  propertyStatuses: 'Objektstatus',
};

export function ConditionsEditor({ trigger, conditions, onChange }: { trigger?: TriggerRef; conditions: Conditions; onChange(conditions: Conditions, structural: boolean): void }) {
  const [note, setNote] = useState<string>();
  const fields = trigger?.conditionFields ?? [];
  const leafFields = rowFields(fields);

  const setRows = (rows: ConditionRow[], structural = false) => onChange({ ...conditions, rows }, structural);
  const setRow = (index: number, row: ConditionRow) => setRows(conditions.rows.map((r, i) => (i === index ? row : r)));

  const toJson = () => {
    const { pattern } = rowsToPattern(conditions.rows, fields);
    setNote(undefined);
    onChange({ mode: 'json', rows: conditions.rows, json: pattern ? prettyJson(pattern) : '' }, true);
  };
  const toRows = () => {
    const { pattern, problem } = jsonToPattern(conditions.json);
    const rows = problem ? undefined : patternToRows(pattern, fields);
    if (!rows) {
      setNote(problem ? 'Das JSON ist nicht gültig: bitte erst korrigieren.' : 'Diese Bedingung lässt sich nicht als Formular darstellen (z. B. „$or“, Zahlenbereiche, Endungen): sie bleibt JSON.');
      return;
    }
    setNote(undefined);
    onChange({ mode: 'rows', rows, json: conditions.json }, true);
  };

  return (
    <section aria-labelledby="conditions-title" class="conditions">
      <h3 id="conditions-title">Bedingungen</h3>
      {conditions.mode === 'rows' ? (
        <>
          {conditions.rows.length === 0 && <p class="muted">Ohne Bedingung löst jedes Ereignis „{trigger?.label ?? 'dieses Auslösers'}“ die Automatisierung aus.</p>}
          {conditions.rows.length > 1 && <p class="muted">Alle Bedingungen müssen zutreffen.</p>}
          {conditions.rows.map((row, index) => {
            const used = new Set(conditions.rows.filter((_, i) => i !== index).map((r) => r.field));
            const options = [
              { value: '', label: '— Feld wählen —' },
              ...(row.field && !leafFields.some((f) => f.path === row.field) ? [{ value: row.field, label: `${row.field} (unbekannt)` }] : []),
              ...leafFields.filter((f) => !used.has(f.path) || f.path === row.field).map((f) => ({ value: f.path, label: fieldLabel(f.path) })),
            ];
            const field = fields.find((f) => f.path === row.field);
            const choices = choicesOf(field);
            const valueId = conditionInputId(index, 'values');
            return (
              <fieldset key={row.key} class="condition-row">
                <legend>Bedingung {index + 1}</legend>
                <SelectField
                  id={conditionInputId(index, 'field')}
                  label="Feld"
                  value={row.field}
                  options={options}
                  onValue={(path) => setRow(index, { ...row, field: path, values: [], text: '' })}
                />
                <SelectField
                  id={conditionInputId(index, 'op')}
                  label="Vergleich"
                  value={row.op}
                  options={OPERATORS.map(([value, label]) => ({ value, label }))}
                  onValue={(op) => setRow(index, { ...row, op: op as Operator })}
                />
                {row.op === 'exists' ? null : choices && row.op !== 'prefix' ? (
                  <MultiSelectField
                    id={valueId}
                    label="Werte"
                    hint={`${field?.pickList ? `Aus der Auswahlliste „${LISTS[field.pickList.list] ?? field.pickList.list}“. ` : ''}Mehrere mit Strg/⌘ oder Umschalt wählen.`}
                    values={row.values}
                    options={unique([...choices, ...row.values]).map((v) => ({ value: v, label: valueLabel(v) }))}
                    onValues={(values) => setRow(index, { ...row, values })}
                  />
                ) : (
                  <TextField
                    id={valueId}
                    label={row.op === 'prefix' ? 'Anfang' : 'Werte'}
                    hint={row.op === 'prefix' ? 'Der Text, mit dem der Wert beginnt.' : `Mehrere Werte mit Komma trennen${field?.type === 'number' ? ' (Zahlen)' : ''}.${field?.example !== undefined && !Array.isArray(field.example) ? ` Beispiel: ${String(field.example)}` : ''}`}
                    value={row.text}
                    onValue={(text) => setRow(index, { ...row, text })}
                  />
                )}
                <button type="button" class="remove" aria-label={`Bedingung ${index + 1} entfernen`} onClick={() => setRows(conditions.rows.filter((_, i) => i !== index), true)}>
                  entfernen
                </button>
              </fieldset>
            );
          })}
          <AddCondition onAdd={() => setRows([...conditions.rows, { key: newKey(), field: '', op: 'in', values: [], text: '' }], true)} />
          <p>
            <button type="button" onClick={toJson}>
              Als JSON bearbeiten
            </button>
          </p>
        </>
      ) : (
        <>
          {conditions.jsonOnly && <p class="muted">Diese Bedingung lässt sich nicht als Formular darstellen; sie wird als JSON bearbeitet.</p>}
          <TextField
            id="f-where-json"
            label="Bedingung als JSON"
            hint={
              <>
                Ein EventBridge-Muster über die Felder des Ereignisses, z. B. <code>{'{"toStage": ["Reserviert"]}'}</code>. Leer: jedes Ereignis.
              </>
            }
            multiline
            rows={8}
            value={conditions.json}
            onValue={(json) => onChange({ ...conditions, json }, false)}
          />
          <p>
            <button type="button" onClick={toRows}>
              Als Formular bearbeiten
            </button>
          </p>
        </>
      )}
      {note && (
        <p role="status" class="warning">
          {note}
        </p>
      )}
    </section>
  );
}

/** "Bedingung hinzufügen": the place of a problem of the conditions as a whole when there is no row. */
function AddCondition({ onAdd }: { onAdd(): void }) {
  const { props } = useProblem('f-cond-add');
  return (
    <div class="field">
      <button type="button" id={props.id} aria-describedby={props['aria-describedby']} onClick={onAdd}>
        Bedingung hinzufügen
      </button>
      <FieldError id="f-cond-add" />
    </div>
  );
}
