import Handlebars from 'handlebars';
import type * as z from 'zod';
import { Activity } from '../model/activity.ts';
import { Contact } from '../model/contact.ts';
import { Deal } from '../model/deal.ts';
import { Inquiry } from '../model/inquiry.ts';
import { Property } from '../model/property.ts';
import { Rejection } from '../model/rejection.ts';
import { User } from '../model/user.ts';
import type { TriggerEvent } from './model.ts';

/**
 * Templates are Handlebars over the event's entities. On save every field a template names is
 * checked against the entities its trigger provides, so a typo is a 400, not an empty e-mail.
 * Output is HTML-escaped in HTML bodies; unescaped output (`{{{ }}}`), partials and decorators are
 * refused. Subjects and titles are rendered as plain text on one line.
 */

export type Namespace = 'contact' | 'property' | 'deal' | 'activity' | 'rejection' | 'inquiry' | 'owner' | 'contactPerson' | 'tenant' | 'event';

const TENANT_FIELDS = ['name', 'senderAddress', 'timeZone'];
const EVENT_FIELDS = ['date', 'age', 'fromStage', 'toStage', 'changedFields', 'occurredAt'];

/** Which entities a trigger's templates can use. */
export const NAMESPACES: Record<TriggerEvent, Namespace[]> = {
  ContactCreated: ['contact', 'owner', 'tenant', 'event'],
  ContactUpdated: ['contact', 'owner', 'tenant', 'event'],
  ContactBirthday: ['contact', 'owner', 'tenant', 'event'],
  DealCreated: ['deal', 'contact', 'property', 'owner', 'contactPerson', 'tenant', 'event'],
  DealStageChanged: ['deal', 'contact', 'property', 'owner', 'contactPerson', 'tenant', 'event'],
  ActivityCreated: ['activity', 'contact', 'property', 'deal', 'owner', 'contactPerson', 'tenant', 'event'],
  RejectionCreated: ['rejection', 'contact', 'property', 'deal', 'owner', 'contactPerson', 'tenant', 'event'],
  InquiryReceived: ['inquiry', 'property', 'contactPerson', 'tenant', 'event'],
};

/** Every dotted field path of a zod object schema (through optional, default, pipe, ...). */
export function fieldPaths(schema: z.ZodType, prefix = ''): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, any> } })._zod.def;
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, child]) => {
        const path = prefix ? `${prefix}.${key}` : key;
        return [path, ...fieldPaths(child, path)];
      });
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return fieldPaths(def.innerType, prefix);
    case 'pipe':
      return fieldPaths(def.in, prefix);
    default:
      return [];
  }
}

const FIELDS: Record<Namespace, Set<string>> = {
  contact: new Set(fieldPaths(Contact)),
  property: new Set(fieldPaths(Property)),
  deal: new Set(fieldPaths(Deal)),
  activity: new Set(fieldPaths(Activity)),
  rejection: new Set(fieldPaths(Rejection)),
  inquiry: new Set(fieldPaths(Inquiry)),
  owner: new Set(fieldPaths(User)),
  contactPerson: new Set(fieldPaths(User)),
  tenant: new Set(TENANT_FIELDS),
  event: new Set(EVENT_FIELDS),
};

const HELPERS = ['date', 'time', 'datetime', 'greeting', 'salutation'] as const;
const BLOCK_HELPERS = new Set(['if', 'unless']);
const PERSON_HELPERS = new Set(['greeting', 'salutation']);
const PERSONS = new Set(['contact', 'owner', 'contactPerson']);

const env = Handlebars.create();
const timeZoneOf = (options: Handlebars.HelperOptions) => (options.data?.root?.tenant?.timeZone as string | undefined) ?? 'Europe/Berlin';
const format = (value: unknown, options: Handlebars.HelperOptions, parts: Intl.DateTimeFormatOptions) => {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return '';
  // A date without a time (a birthday, an event date) is a calendar day, not an instant.
  const zone = /^\d{4}-\d{2}-\d{2}$/.test(value) ? 'UTC' : timeZoneOf(options);
  return new Intl.DateTimeFormat('de-DE', { timeZone: zone, ...parts }).format(new Date(value));
};
env.registerHelper('date', (value: unknown, options: Handlebars.HelperOptions) => format(value, options, { day: '2-digit', month: '2-digit', year: 'numeric' }));
env.registerHelper('time', (value: unknown, options: Handlebars.HelperOptions) => format(value, options, { hour: '2-digit', minute: '2-digit' }));
env.registerHelper('datetime', (value: unknown, options: Handlebars.HelperOptions) =>
  format(value, options, { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }),
);
env.registerHelper('salutation', (person: { salutation?: string } | undefined) => (person?.salutation === 'ms' ? 'Frau' : person?.salutation === 'mr' ? 'Herr' : ''));
/** "Sehr geehrte Frau Musterfrau", "Sehr geehrter Herr Muster", or "Guten Tag Erika Musterfrau". */
env.registerHelper('greeting', (person: { salutation?: string; firstName?: string; lastName?: string } | undefined) => {
  if (person?.lastName && person.salutation === 'ms') return `Sehr geehrte Frau ${person.lastName}`;
  if (person?.lastName && person.salutation === 'mr') return `Sehr geehrter Herr ${person.lastName}`;
  const name = [person?.firstName, person?.lastName].filter(Boolean).join(' ');
  return name ? `Guten Tag ${name}` : 'Guten Tag';
});

const KNOWN_HELPERS = Object.fromEntries([...HELPERS, ...BLOCK_HELPERS].map((h) => [h, true]));

/** The problems of a template for a trigger; empty when it is fine. */
export function templateProblems(source: string, trigger: TriggerEvent): string[] {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (error) {
    return [`Not a valid template: ${(error as Error).message.split('\n')[0]}`];
  }
  const allowed = new Set(NAMESPACES[trigger]);
  const problems: string[] = [];
  const checkPath = (path: hbs.AST.PathExpression, wholeEntity = false) => {
    if (path.data || path.depth > 0 || path.original === 'this') return problems.push(`"${path.original}" is not allowed; name a field such as contact.firstName`);
    const [namespace, ...rest] = path.parts as [string, ...string[]];
    if (!allowed.has(namespace as Namespace)) return problems.push(`"${path.original}": this trigger provides ${[...allowed].join(', ')}`);
    // greeting and salutation take a person as a whole: {{greeting contact}}.
    if (wholeEntity && rest.length === 0 && PERSONS.has(namespace)) return undefined;
    if (rest.length === 0 || !FIELDS[namespace as Namespace].has(rest.join('.'))) return problems.push(`"${path.original}" is not a field of ${namespace}`);
    return undefined;
  };
  const checkExpression = (node: hbs.AST.Expression, wholeEntity = false) => {
    if (node.type === 'PathExpression') checkPath(node as hbs.AST.PathExpression, wholeEntity);
    else if (node.type === 'SubExpression') checkCall(node as hbs.AST.SubExpression);
  };
  const checkCall = (node: { path: hbs.AST.PathExpression | hbs.AST.Literal; params: hbs.AST.Expression[]; hash?: hbs.AST.Hash }) => {
    const name = (node.path as hbs.AST.PathExpression).original;
    if (node.params.length === 0 && (!node.hash || node.hash.pairs.length === 0)) {
      if ((HELPERS as readonly string[]).includes(name)) return problems.push(`The helper "${name}" needs an argument`);
      return checkExpression(node.path as hbs.AST.Expression);
    }
    if (!(HELPERS as readonly string[]).includes(name)) return problems.push(`Unknown helper "${name}"; use ${HELPERS.join(', ')}`);
    node.params.forEach((param) => checkExpression(param, PERSON_HELPERS.has(name)));
    return undefined;
  };
  const visit = (program: hbs.AST.Program | undefined) => {
    for (const statement of program?.body ?? []) {
      switch (statement.type) {
        case 'ContentStatement':
        case 'CommentStatement':
          break;
        case 'MustacheStatement': {
          const mustache = statement as hbs.AST.MustacheStatement;
          if (!mustache.escaped) problems.push('Unescaped output ({{{ }}}) is not allowed');
          checkCall(mustache);
          break;
        }
        case 'BlockStatement': {
          const block = statement as hbs.AST.BlockStatement;
          const name = (block.path as hbs.AST.PathExpression).original;
          if (!BLOCK_HELPERS.has(name)) problems.push(`Unknown block "${name}"; use #if or #unless`);
          else if (block.params.length !== 1) problems.push(`#${name} takes one field`);
          block.params.forEach((param) => checkExpression(param));
          visit(block.program);
          visit(block.inverse);
          break;
        }
        default:
          problems.push(`${statement.type.replace(/Statement$/, '')}s are not allowed`);
      }
    }
  };
  visit(ast);
  return [...new Set(problems)];
}

const cache = new Map<string, Handlebars.TemplateDelegate>();

function compiled(source: string, escape: boolean): Handlebars.TemplateDelegate {
  const key = `${escape ? 'h' : 't'}:${source}`;
  let template = cache.get(key);
  if (!template) {
    template = env.compile(source, { knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true, noEscape: !escape });
    if (cache.size > 2_000) cache.clear();
    cache.set(key, template);
  }
  return template;
}

export type TemplateData = Partial<Record<Namespace, unknown>>;

/** Plain text on one line, for subjects and titles: no line break can ever reach a header. */
export function renderLine(source: string, data: TemplateData, max = 300): string {
  return compiled(source, false)(data).replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max);
}

/** Plain text with its line breaks (the text part of an e-mail, a task body). */
export function renderText(source: string, data: TemplateData): string {
  return compiled(source, false)(data).replace(/\r\n?/g, '\n').trim();
}

/** HTML with every value escaped; line breaks become <br>. */
export function renderHtml(source: string, data: TemplateData): string {
  const html = compiled(source, true)(data).replace(/\r\n?/g, '\n').trim().replace(/\n/g, '<br>\n');
  return `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${html}</body></html>`;
}
