import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { actionInputId, DEFAULT_ACTIONS, draftAction, type DraftAction } from '../editor/draft.ts';
import { CheckField, FieldError, SelectField, TextField, useProblem, type Option } from '../editor/fields.tsx';
import { ACTION_TYPES, actionTypeLabel, fieldLabel } from '../editor/labels.ts';
import { allStages, unique, userName, type HelperRef, type PickLists, type TriggerRef, type UserRef } from '../editor/reference.ts';
import { DurationPicker } from './editor-duration.tsx';
import { Placeholders } from './editor-placeholders.tsx';

/**
 * The steps of an automation: added, removed and moved with buttons ("nach oben", "nach unten"),
 * each with the fields of its type; the template fields with "Platzhalter" at hand.
 */

interface Shared {
  trigger?: TriggerRef;
  helpers: HelperRef[];
  lists: PickLists;
  users: UserRef[];
}

export function ActionsEditor({ actions, onChange, ...shared }: Shared & { actions: DraftAction[]; onChange(actions: DraftAction[], structural: boolean): void }) {
  const [newType, setNewType] = useState('send_email');
  const { props: addProps } = useProblem('f-actions-add');
  const move = (from: number, to: number) => {
    const next = [...actions];
    const [moved] = next.splice(from, 1);
    next.splice(to, 0, moved!);
    onChange(next, true);
    // The moved step's button keeps the focus where it went.
    requestAnimationFrame(() => document.getElementById(`${actionInputId(to, from < to ? 'down' : 'up')}`)?.focus());
  };
  return (
    <section aria-labelledby="actions-title" class="steps">
      <h2 id="actions-title">Schritte</h2>
      <p class="muted">Die Schritte laufen nacheinander, von oben nach unten.</p>
      <ol class="step-list">
        {actions.map((action, index) => (
          <li key={action.key}>
            <ActionEditor
              {...shared}
              index={index}
              count={actions.length}
              action={action}
              onData={(data, structural = false) => onChange(actions.map((a, i) => (i === index ? { ...a, data } : a)), structural)}
              onWhile={(whileText) => onChange(actions.map((a, i) => (i === index ? { ...a, whileText } : a)), false)}
              onMove={(to) => move(index, to)}
              onRemove={() => onChange(actions.filter((_, i) => i !== index), true)}
            />
          </li>
        ))}
      </ol>
      <div class="add-step">
        <div class="field">
          <label for="f-actions-add">Neuer Schritt</label>
          <select {...addProps} value={newType} onChange={(e) => setNewType(e.currentTarget.value)}>
            {ACTION_TYPES.map(([type, label]) => (
              <option key={type} value={type} selected={type === newType}>
                {label}
              </option>
            ))}
          </select>
          <FieldError id="f-actions-add" />
        </div>
        <button type="button" onClick={() => onChange([...actions, draftAction(DEFAULT_ACTIONS[newType]!())], true)}>
          Schritt hinzufügen
        </button>
      </div>
    </section>
  );
}

const RECIPIENTS: Option[] = [
  { value: 'contact', label: 'Kontakt' },
  { value: 'property_contact_person', label: 'Ansprechpartner des Objekts' },
  { value: 'contact_owner', label: 'Betreuer des Kontakts' },
  { value: 'address', label: 'Adresse' },
];

const ASSIGNEES: Option[] = [
  { value: 'property_contact_person', label: 'Ansprechpartner des Objekts' },
  { value: 'contact_owner', label: 'Betreuer des Kontakts' },
  { value: 'user', label: 'Bestimmter Mitarbeiter' },
];

const TEMPLATE_FIELDS: Record<string, Array<[string, string]>> = {
  send_email: [
    ['subject', 'Betreff'],
    ['body', 'Text'],
  ],
  create_task: [
    ['title', 'Titel'],
    ['body', 'Beschreibung'],
  ],
};

const withCurrent = (values: string[], current: unknown): Option[] =>
  unique([...values, ...(typeof current === 'string' && current ? [current] : [])]).map((v) => ({ value: v, label: v }));

const triState = (value: unknown) => (value === true ? 'true' : value === false ? 'false' : '');
const fromTriState = (value: string) => (value === 'true' ? true : value === 'false' ? false : undefined);

/** `set` without the fields left "unverändert". */
const withSet = (set: Record<string, unknown>, key: string, value: unknown) => {
  const next = { ...set };
  if (value === undefined || value === '') delete next[key];
  else next[key] = value;
  return next;
};

function ActionEditor({
  index,
  count,
  action,
  onData,
  onWhile,
  onMove,
  onRemove,
  trigger,
  helpers,
  lists,
  users,
}: Shared & {
  index: number;
  count: number;
  action: DraftAction;
  onData(data: Record<string, any>, structural?: boolean): void;
  onWhile(text: string): void;
  onMove(to: number): void;
  onRemove(): void;
}) {
  const data = action.data;
  const id = (input: string) => actionInputId(index, input);
  const step = `Schritt ${index + 1}`;
  const templates = TEMPLATE_FIELDS[data.type] ?? [];
  const [target, setTarget] = useState(templates[0]?.[0] ?? '');
  const cursors = useRef<Record<string, [number, number]>>({});
  const set = (key: string, value: unknown) => onData({ ...data, [key]: value });
  const userOptions = users.map((u) => ({ value: u.id, label: userName(u) }));

  const cursorOf = (name: string) => (start: number, end: number) => {
    cursors.current[name] = [start, end];
    if (templates.some(([t]) => t === name)) setTarget(name);
  };
  const insert = (text: string) => {
    const field = templates.some(([t]) => t === target) ? target : templates[0]![0];
    const value = String(data[field] ?? '');
    const [start, end] = cursors.current[field] ?? [value.length, value.length];
    const at = Math.min(start, value.length);
    const next = value.slice(0, at) + text + value.slice(Math.min(Math.max(end, at), value.length));
    const caret = at + text.length;
    cursors.current[field] = [caret, caret];
    onData({ ...data, [field]: next });
    requestAnimationFrame(() => {
      const element = document.getElementById(id(field)) as HTMLInputElement | HTMLTextAreaElement | null;
      element?.focus();
      element?.setSelectionRange(caret, caret);
    });
  };
  const template = (name: string, label: string, multiline = false, hint?: string) => (
    <TextField id={id(name)} class="wide" label={label} {...(hint ? { hint } : {})} multiline={multiline} rows={multiline ? 8 : undefined} value={String(data[name] ?? '')} onValue={(v) => set(name, v)} onCursor={cursorOf(name)} />
  );
  const placeholders = templates.length > 0 && (
    <Placeholders idPrefix={id('ph')} trigger={trigger} helpers={helpers} fields={templates} target={target} onTarget={setTarget} onInsert={insert} />
  );

  let body: ComponentChildren;
  switch (data.type) {
    case 'send_email': {
      const to = typeof data.to === 'object' ? 'address' : String(data.to);
      body = (
        <>
          <SelectField id={id('to')} label="An" value={to} options={RECIPIENTS} onValue={(v) => onData({ ...data, to: v === 'address' ? { address: '' } : v }, true)} />
          {to === 'address' && <TextField id={id('address')} label="E-Mail-Adresse" type="email" autocomplete="off" value={String(data.to?.address ?? '')} onValue={(address) => set('to', { address })} />}
          {template('subject', 'Betreff')}
          {template('body', 'Text', true)}
          {placeholders}
          <SelectField
            id={id('purpose')}
            label="Zweck"
            value={String(data.purpose ?? 'transactional')}
            options={[
              { value: 'transactional', label: 'Geschäftlich (an jeden Kontakt mit E-Mail-Adresse)' },
              { value: 'marketing', label: 'Werbung (nur mit Einwilligung und Newsletter)' },
            ]}
            onValue={(v) => set('purpose', v)}
          />
          <CheckField id={id('attachIcs')} label="Termin als Kalendereinladung (.ics) anhängen" checked={Boolean(data.attachIcs)} onChecked={(v) => set('attachIcs', v)} />
        </>
      );
      break;
    }
    case 'create_task': {
      const assignee = typeof data.assignee === 'object' ? 'user' : String(data.assignee);
      body = (
        <>
          <SelectField
            id={id('assignee')}
            label="Zuständig"
            value={assignee}
            options={ASSIGNEES}
            onValue={(v) => onData({ ...data, assignee: v === 'user' ? { userId: users[0]?.id ?? '' } : v }, true)}
          />
          {assignee === 'user' && (
            <SelectField
              id={id('assignee-user')}
              label="Mitarbeiter"
              value={String(data.assignee?.userId ?? '')}
              options={[{ value: '', label: '— wählen —' }, ...userOptions]}
              onValue={(userId) => set('assignee', { userId })}
            />
          )}
          {template('title', 'Titel')}
          {template('body', 'Beschreibung (optional)', true)}
          {placeholders}
          <TextField
            id={id('dueInDays')}
            label="Fällig in (Tagen)"
            type="number"
            min={0}
            max={365}
            class="narrow"
            value={String(data.dueInDays ?? '')}
            onValue={(v) => set('dueInDays', v.trim() === '' ? undefined : Number(v))}
          />
        </>
      );
      break;
    }
    case 'update_contact':
    case 'update_property': {
      const setFields = (data.set ?? {}) as Record<string, unknown>;
      const statuses = data.type === 'update_contact' ? lists.contactStatuses : lists.propertyStatuses;
      body = (
        <>
          <SelectField
            id={id('set-status')}
            label="Status"
            value={String(setFields.status ?? '')}
            options={[{ value: '', label: 'unverändert' }, ...withCurrent(statuses, setFields.status)]}
            onValue={(v) => set('set', withSet(setFields, 'status', v))}
          />
          {data.type === 'update_contact' && (
            <SelectField
              id={id('set-newsletter')}
              label="Newsletter"
              value={triState(setFields.newsletter)}
              options={[
                { value: '', label: 'unverändert' },
                { value: 'true', label: 'an' },
                { value: 'false', label: 'aus' },
              ]}
              onValue={(v) => set('set', withSet(setFields, 'newsletter', fromTriState(v)))}
            />
          )}
          <SelectField
            id={id('set-archived')}
            label="Archiv"
            value={triState(setFields.archived)}
            options={[
              { value: '', label: 'unverändert' },
              { value: 'true', label: 'archivieren' },
              { value: 'false', label: 'aus dem Archiv holen' },
            ]}
            onValue={(v) => set('set', withSet(setFields, 'archived', fromTriState(v)))}
          />
          {data.type === 'update_contact' && (
            <SelectField
              id={id('set-ownerId')}
              label="Betreuer"
              value={String(setFields.ownerId ?? '')}
              options={[{ value: '', label: 'unverändert' }, ...userOptions]}
              onValue={(v) => set('set', withSet(setFields, 'ownerId', v))}
            />
          )}
        </>
      );
      break;
    }
    case 'move_deal':
      body = (
        <SelectField
          id={id('stage')}
          label="Neue Phase"
          value={String(data.stage ?? '')}
          options={[{ value: '', label: '— Phase wählen —' }, ...withCurrent(allStages(lists), data.stage)]}
          onValue={(v) => set('stage', v)}
        />
      );
      break;
    case 'create_contact': {
      const defaults = (data.defaults ?? {}) as Record<string, any>;
      const owner = typeof defaults.owner === 'object' ? String(defaults.owner.userId) : String(defaults.owner ?? 'property_contact_person');
      body = (
        <>
          <SelectField
            id={id('defaults-status')}
            label="Status des neuen Kontakts"
            value={String(defaults.status ?? '')}
            options={withCurrent(lists.contactStatuses, defaults.status)}
            onValue={(v) => set('defaults', { ...defaults, status: v })}
          />
          <CheckField id={id('defaults-newsletter')} label="Newsletter an" checked={defaults.newsletter !== false} onChecked={(v) => set('defaults', { ...defaults, newsletter: v })} />
          <SelectField
            id={id('defaults-owner')}
            label="Betreuer"
            value={owner}
            options={[{ value: 'property_contact_person', label: 'Ansprechpartner des Objekts' }, { value: 'none', label: 'niemand' }, ...userOptions]}
            onValue={(v) => set('defaults', { ...defaults, owner: v === 'property_contact_person' || v === 'none' ? v : { userId: v } })}
          />
          <CheckField id={id('openDeal')} label="Deal zum angefragten Objekt eröffnen" checked={data.openDeal !== false} onChecked={(v) => set('openDeal', v)} />
        </>
      );
      break;
    }
    case 'wait':
      body = <WaitFields index={index} action={action} trigger={trigger} onData={onData} onWhile={onWhile} />;
      break;
    default:
      body = <pre>{JSON.stringify(data, null, 2)}</pre>;
  }

  const headingId = `step-${action.key}-title`;
  return (
    <section class="step" aria-labelledby={headingId}>
      <div class="step-head">
        <h3 id={headingId}>
          {step}: {actionTypeLabel(data.type)}
        </h3>
        <div class="step-tools">
          <button type="button" id={id('up')} aria-label={`${step} nach oben`} disabled={index === 0} onClick={() => onMove(index - 1)}>
            nach oben
          </button>
          <button type="button" id={id('down')} aria-label={`${step} nach unten`} disabled={index === count - 1} onClick={() => onMove(index + 1)}>
            nach unten
          </button>
          <button type="button" class="danger" aria-label={`${step} entfernen`} onClick={onRemove}>
            entfernen
          </button>
        </div>
      </div>
      <SelectField
        id={id('type')}
        label="Art"
        value={data.type}
        options={ACTION_TYPES.map(([value, label]) => ({ value, label }))}
        onValue={(type) => onData(DEFAULT_ACTIONS[type]?.() ?? { type }, true)}
      />
      {body}
    </section>
  );
}

/** A wait: for a duration (number and unit), or until a date of the run's records shifted by an offset. */
function WaitFields({
  index,
  action,
  trigger,
  onData,
  onWhile,
}: {
  index: number;
  action: DraftAction;
  trigger?: TriggerRef;
  onData(data: Record<string, any>, structural?: boolean): void;
  onWhile(text: string): void;
}) {
  const data = action.data;
  const id = (input: string) => actionInputId(index, input);
  const mode = data.until ? 'until' : 'for';
  const dates = trigger?.waitDates ?? [];
  const offset = String(data.until?.offset ?? '');
  const [before, setBefore] = useState(offset.startsWith('-'));
  const negative = offset ? offset.startsWith('-') : before;
  const magnitude = offset.replace(/^[-+]/, '');
  const setUntil = (until: Record<string, unknown>) => onData({ ...data, until: { ...data.until, ...until } });
  return (
    <>
      <SelectField
        id={id('wait-mode')}
        label="Warten"
        value={mode}
        options={[
          { value: 'for', label: 'eine Dauer lang' },
          { value: 'until', label: 'bis zu einem Datum' },
        ]}
        onValue={(v) => {
          const { for: _for, until: _until, ...rest } = data;
          onData(v === 'until' ? { ...rest, until: { field: dates[0] ?? '' } } : { ...rest, for: 'P1D' }, true);
        }}
      />
      {mode === 'for' ? (
        <DurationPicker id={id('for')} label="Dauer" hint="Ab dem Moment, in dem der Lauf diesen Schritt erreicht (mindestens 1 Minute, höchstens 1 Jahr)." value={String(data.for ?? '')} onValue={(v) => onData({ ...data, for: v })} />
      ) : (
        <>
          <SelectField
            id={id('until-field')}
            label="Datum"
            value={String(data.until?.field ?? '')}
            options={withCurrent(dates, data.until?.field).map((o) => ({ value: o.value, label: fieldLabel(o.value) }))}
            onValue={(field) => setUntil({ field })}
          />
          <div class="inline">
            <DurationPicker
              id={id('until-offset')}
              label="Abstand (optional)"
              value={magnitude}
              onValue={(v) => setUntil({ offset: v && negative ? `-${v}` : v })}
            />
            <SelectField
              id={id('until-direction')}
              label="vorher oder nachher"
              value={negative ? 'before' : 'after'}
              options={[
                { value: 'before', label: 'vorher' },
                { value: 'after', label: 'nachher' },
              ]}
              onValue={(v) => {
                setBefore(v === 'before');
                setUntil({ offset: magnitude ? `${v === 'before' ? '-' : ''}${magnitude}` : '' });
              }}
            />
          </div>
          <SelectField
            id={id('ifPast')}
            label="Wenn der Zeitpunkt schon vorbei ist"
            value={String(data.ifPast ?? 'continue')}
            options={[
              { value: 'continue', label: 'sofort weitermachen' },
              { value: 'skip', label: 'Lauf überspringen' },
            ]}
            onValue={(v) => onData({ ...data, ifPast: v })}
          />
        </>
      )}
      <CheckField id={id('withinSendWindow')} label="Nur innerhalb der Versandzeiten weitermachen" checked={Boolean(data.withinSendWindow)} onChecked={(v) => onData({ ...data, withinSendWindow: v })} />
      <TextField
        id={id('while')}
        label="Solange (Bedingung als JSON, optional)"
        hint={
          <>
            Beim Aufwachen geprüft; trifft sie nicht mehr zu, endet der Lauf. Z. B. <code>{'{"deal": {"stage": ["Reserviert"]}}'}</code>
          </>
        }
        multiline
        rows={3}
        value={action.whileText}
        onValue={onWhile}
      />
    </>
  );
}
