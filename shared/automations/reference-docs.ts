
import { DETAIL_TYPES, ENTITIES, FAMILIES, PICK_LIST_FIELDS, TRIGGERS, type EntityName } from '#events/registry';
import { describeFields } from '#events/fields';
import { DEFAULT_PICK_LISTS } from '../settings/pick-lists.ts';
import { FINAL_STATUSES, STATUS_DESCRIPTIONS } from './execution.ts';
import { PRESETS, presetParamsSchema } from './presets.ts';
import { TEMPLATE_HELPERS } from './templates.ts';
import { conditionFields, entitiesOf, waitDates } from './trigger-reference.ts';

/**
 * The README's reference sections, generated from the registry, the presets, the pick-list
 * defaults, the run statuses and the template helpers. `npm run docs` writes them between
 * `<!-- generated:NAME -->` markers; a test fails when the README and this output differ.
 */

const cell = (value: unknown) => String(value ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (value: unknown) => (value === undefined || value === '' ? '' : `\`${cell(typeof value === 'string' ? value : JSON.stringify(value))}\``);
const table = (head: string[], rows: unknown[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');

function triggers(): string {
  const rows = DETAIL_TYPES.map((event) => {
    const d = TRIGGERS[event];
    const own = Object.keys(d.eventFields).map((f) => `\`${f}\``);
    return [`\`${event}\``, d.label, `\`${FAMILIES[d.family].source}\``, d.description, [`\`${d.subject}.*\``, ...own].join(', '), entitiesOf(event).map((e) => `\`${e}\``).join(', ')];
  });
  const eventFields = DETAIL_TYPES.flatMap((event) =>
    Object.entries(TRIGGERS[event].eventFields).map(([name, f]) => [`\`${event}\``, `\`${name}\``, f.previousOf ? `${f.previousOf} (all its fields)` : f.type, f.pickList?.list ?? (f.values?.length ? 'field names' : ''), code(conditionFields(event).find((c) => c.path === name)?.example), f.description]),
  );
  return [
    table(['Trigger', 'Name', 'Source', 'When', 'Conditions on', 'Template namespaces'], rows),
    '',
    'Every trigger also carries `occurredAt` and, when an automation made the change, `causedBy.automationId`, `causedBy.executionId` and `causedBy.depth`. Templates also have `tenant.name`, `tenant.senderAddress`, `tenant.timeZone` and `event.occurredAt`.',
    '',
    table(['Trigger', 'Event field', 'Type', 'Values from', 'Example', 'Meaning'], eventFields),
  ].join('\n');
}

function entities(): string {
  const sections = (Object.keys(ENTITIES) as EntityName[])
    .filter((name) => name !== 'contactPerson')
    .map((name) => {
      const fields = describeFields(ENTITIES[name].schema).filter((f) => f.type !== 'object');
      const values = (path: string, own?: readonly string[]) => PICK_LIST_FIELDS[name]?.[path]?.list ?? (own ? own.join(', ') : '');
      const title = name === 'owner' ? '`owner` and `contactPerson` (users)' : `\`${name}\``;
      return `**${title}**: ${fields.map((f) => `\`${f.path}\` (${f.format ?? f.type}${values(f.path, f.values) ? `: ${values(f.path, f.values)}` : ''})`).join(', ')}`;
    });
  return sections.join('\n\n');
}

function pickLists(): string {
  const d = DEFAULT_PICK_LISTS;
  const rows: string[][] = [
    ...Object.entries(d.dealStages).map(([pipeline, stages]) => ['dealStages', `\`${pipeline}\``, stages.join(', ')]),
    ...Object.entries(d.activityCategories).map(([type, categories]) => ['activityCategories', `\`${type}\``, categories.join(', ')]),
    ['rejectionReasons', '', d.rejectionReasons.join(', ')],
    ['contactStatuses', '', d.contactStatuses.join(', ')],
    ['propertyStatuses', '', d.propertyStatuses.join(', ')],
  ];
  return table(['List', 'Key', 'Default values (in order)'], rows);
}

function presets(): string {
  const rows = PRESETS.flatMap((preset) => {
    const schema = presetParamsSchema(preset);
    const params = Object.entries(schema.properties ?? {});
    if (params.length === 0) return [[`\`${preset.key}\``, preset.name, '(none)', '', '', '']];
    return params.map(([name, p]) => [`\`${preset.key}\``, preset.name, `\`${name}\``, p.type ?? '', code(p.default), p.description ?? '']);
  });
  return table(['Preset', 'Name', 'Parameter', 'Type', 'Default', 'Meaning'], rows);
}

function waits(): string {
  return table(
    ['Trigger', 'Dates a wait can follow (`until.field`)'],
    DETAIL_TYPES.map((event) => [`\`${event}\``, waitDates(event).map((f) => `\`${f.path}\``).join(', ')]),
  );
}

function statuses(): string {
  return table(['Status', 'Admin page', 'Meaning'], (['running', 'waiting', ...FINAL_STATUSES] as const).map((s) => [`\`${s}\``, STATUS_DESCRIPTIONS[s].de, STATUS_DESCRIPTIONS[s].meaning]));
}

function helpers(): string {
  return table(['Helper', 'Arguments', 'What it does', 'Example', 'Output'], TEMPLATE_HELPERS.map((h) => [`\`${h.name}\``, h.args, h.description, code(h.example), h.output]));
}

export const REFERENCE_SECTIONS: Record<string, () => string> = { triggers, entities, 'pick-lists': pickLists, presets, waits, statuses, helpers };

/** The README with every generated section replaced by its current text. */
export function withGeneratedSections(readme: string): string {
  let out = readme;
  for (const [name, build] of Object.entries(REFERENCE_SECTIONS)) {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README has no ${start} … ${end} section`);
    out = `${out.slice(0, from + start.length)}\n${build()}\n${out.slice(to)}`;
  }
  return out;
}
