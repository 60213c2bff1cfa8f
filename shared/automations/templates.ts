import Handlebars from 'handlebars';
import { PermanentError } from '../engine/errors.ts';
import type { EntityName } from '#events/registry';
import { closest } from './suggest.ts';
import { describeRule, HELPERS, isEmpty, literalFits, syntaxError, type HelperSpec } from './template-helpers.ts';
import { truncate } from '../text.ts';

export { RequiredFieldMissingError, TEMPLATE_HELPERS } from './template-helpers.ts';

/**
 * Templates are Handlebars over the event's entities, with a small set of documented helpers. On
 * save every field, helper and argument a template names is checked against what its trigger
 * provides, so a typo is a 400 with a reason, not an empty or broken e-mail. Rendering refuses the
 * same constructs again, since a stored template may predate today's check.
 */

/** How deep helpers may nest in one another, and #if/#unless blocks (far more than any mail needs). */
const MAX_NESTING = 4;
const MAX_BLOCK_NESTING = 50;

/** What a template names at its first segment: an entity the trigger provides, the tenant or the event. */
export type Namespace = EntityName | 'tenant' | 'event';

/** What a template may name: per namespace (contact, property, deal, activity, rejection, inquiry, owner, contactPerson, tenant, event) the dotted field paths it has. */
export interface TemplateScope {
  fields: Readonly<Record<string, ReadonlySet<string>>>;
  /** Namespaces that are a person as a whole, for {{greeting contact}} / {{salutation owner}}. */
  persons: ReadonlySet<string>;
}

/** One problem of a template: a stable snake_case `code`, an English `message`, and the values it names (with `line` and `column`). */
export interface TemplateProblem {
  code: string;
  message: string;
  params?: Record<string, unknown>;
}

const HELPER_NAMES = [...HELPERS.keys(), '#if', '#unless'];
/** Handlebars' built-ins: named as helpers even when written without arguments. */
const BUILTINS = new Set(['if', 'unless', 'each', 'with', 'log', 'lookup', 'helperMissing', 'blockHelperMissing']);
const MAX_PROBLEMS = 20; // enough to fix a template by; a hostile one cannot make the answer huge

type Expression = hbs.AST.Expression;
type Path = hbs.AST.PathExpression;
type Call = hbs.AST.MustacheStatement | hbs.AST.SubExpression;
type Literal = hbs.AST.StringLiteral | hbs.AST.NumberLiteral | hbs.AST.BooleanLiteral;

const isPath = (node: Expression): node is Path => node.type === 'PathExpression';
/** The name of a helper call: a bare identifier, never `this.date` or `../date`. */
const bareName = (node: Expression) => (isPath(node) && !node.data && node.depth === 0 && node.parts.length === 1 && node.original === node.parts[0] ? node.parts[0] : undefined);
const literal = (node: Expression): unknown => ('value' in node ? (node as Literal).value : node.type === 'NullLiteral' ? null : undefined);
const describeArg = (node: Expression) => (node.type === 'SubExpression' ? 'a sub-expression' : isPath(node) ? `the field ${node.original}` : `the literal ${JSON.stringify(literal(node)) ?? 'undefined'}`);

/** Walks a template; without a scope it checks the structure only (what rendering refuses). */
function check(ast: hbs.AST.Program, scope?: TemplateScope): TemplateProblem[] {
  const found = new Map<string, TemplateProblem>();
  const add = (node: hbs.AST.Node, code: string, message: string, params: Record<string, unknown> = {}) => {
    if (found.size < MAX_PROBLEMS && !found.has(message)) found.set(message, { code, message, params: { ...params, line: node.loc.start.line, column: node.loc.start.column + 1 } });
  };
  const namespaces = Object.keys(scope?.fields ?? {});
  let candidates: string[] | undefined; // built on the first unknown path, if there is one
  const suggestions = new Map<string, string | undefined>(); // one search per distinct unknown path
  const suggest = (name: string) => {
    if (found.size >= MAX_PROBLEMS) return undefined; // the problem will not be reported: spare the search
    if (!suggestions.has(name)) {
      candidates ??= Object.entries(scope?.fields ?? {}).flatMap(([n, fields]) => [n, ...[...fields].map((f) => `${n}.${f}`)]);
      suggestions.set(name, closest(name, candidates));
    }
    return suggestions.get(name);
  };
  const unknownHelper = (node: hbs.AST.Node, helper: string) => add(node, 'unknown_helper', `Unknown helper "${helper}"; use ${HELPER_NAMES.join(', ')}`, { helper, helpers: HELPER_NAMES });
  const argument = (node: hbs.AST.Node, helper: string, reason: string, message: string, params: Record<string, unknown> = {}) => add(node, 'helper_arguments', message, { helper, reason, ...params });

  /** False for the paths that step outside the event's entities: @data, ../ and this. */
  const inside = (path: Path): boolean => {
    const construct = path.data ? 'data_variable' : path.depth > 0 ? 'parent_path' : path.parts.length === 0 || /^(this\b|\.)/.test(path.original) ? 'this' : undefined;
    if (construct) add(path, 'not_allowed', `"${path.original}" is not allowed; name a field such as contact.firstName`, { construct, path: path.original });
    return !construct;
  };
  /** The fields of a path's namespace, or undefined after reporting the path as unknown. */
  const fieldsOf = (path: Path, scope: TemplateScope): ReadonlySet<string> | undefined => {
    const [namespace = '', ...rest] = path.parts;
    const fields = Object.hasOwn(scope.fields, namespace) ? scope.fields[namespace] : undefined;
    const name = path.parts.join('.');
    if (fields && (rest.length === 0 || fields.has(rest.join('.')))) return fields;
    const suggestion = suggest(name);
    const message = fields ? `"${name}" is not a field of ${namespace}` : `"${name}" is unknown; this trigger provides ${namespaces.join(', ')}`;
    add(path, 'unknown_variable', suggestion ? `${message}; did you mean ${suggestion}?` : message, { path: name, namespaces, ...(suggestion ? { suggestion } : {}) });
    return undefined;
  };
  /** A field to print or format: one value, never a whole entity or a group of fields. */
  const value = (path: Path, whole = false) => {
    if (!inside(path) || !scope) return;
    const fields = fieldsOf(path, scope);
    const name = path.parts.slice(1).join('.');
    const child = fields && [...fields].find((f) => (name ? f.startsWith(`${name}.`) : true));
    if (fields && !whole && child) add(path, 'not_allowed', `"${path.parts.join('.')}" is a group of fields; name one of them, such as ${path.parts[0]}.${child}`, { construct: 'object', path: path.parts.join('.') });
  };
  const person = (helper: string, arg: Expression) => {
    const persons = [...(scope?.persons ?? [])].filter((n) => namespaces.includes(n));
    const wrong = () => argument(arg, helper, 'person_required', `${helper} takes a person as a whole, such as ${persons[0] ?? 'contact'}; not ${describeArg(arg)}`, { persons });
    if (!isPath(arg)) return wrong();
    if (!inside(arg) || !scope || !fieldsOf(arg, scope)) return undefined;
    return arg.parts.length === 1 && persons.includes(arg.parts[0]!) ? undefined : wrong();
  };
  /** A field handed to a helper or #if; `(required x)` passes its value on unchanged, so it counts as one. */
  const field = (helper: string, arg: Expression, position: number, whole = false) => {
    if (isPath(arg)) return value(arg, whole);
    if (arg.type === 'SubExpression' && bareName((arg as Call).path) === 'required' && !whole) return call(arg as Call);
    argument(arg, helper, 'field_required', `${helper} needs a field as argument ${position}, not ${describeArg(arg)}`, { position });
    if (arg.type === 'SubExpression') call(arg as Call); // names an unknown helper inside, too
    return undefined;
  };
  const hash = (helper: string, rules: HelperSpec['hash'], pairs: hbs.AST.HashPair[]) => {
    for (const pair of pairs) {
      const rule = Object.hasOwn(rules, pair.key) ? rules[pair.key] : undefined;
      const got = literal(pair.value);
      if (!rule) argument(pair, helper, 'unknown_key', `${helper} has no argument "${pair.key}"${Object.keys(rules).length ? `; use ${Object.keys(rules).join(', ')}` : ''}`, { key: pair.key, allowed: Object.keys(rules) });
      else if (isPath(pair.value) || pair.value.type === 'SubExpression') argument(pair, helper, 'literal_required', `${helper}'s ${pair.key} must be ${describeRule(rule)}, written out, not ${describeArg(pair.value)}`, { key: pair.key, expected: describeRule(rule) });
      else if (!literalFits(rule, got)) argument(pair, helper, 'literal_type', `${helper}'s ${pair.key} must be ${describeRule(rule)}, not ${JSON.stringify(got) ?? 'undefined'}`, { key: pair.key, expected: describeRule(rule), got });
      if (pair.value.type === 'SubExpression') call(pair.value as Call);
    }
  };
  let depth = 0;
  const call = (node: Call): void => {
    // A helper inside a helper is useful one or two levels deep ({{date (required x)}}); far deeper
    // nesting only exhausts the stack of the check and of Handlebars' compiler.
    if (depth >= MAX_NESTING) return add(node, 'not_allowed', `Helpers nest at most ${MAX_NESTING} deep`, { construct: 'deep_nesting', max: MAX_NESTING });
    depth++;
    try {
      callOnce(node);
    } finally {
      depth--;
    }
  };
  const callOnce = (node: Call): void => {
    const name = bareName(node.path);
    const spec = name === undefined ? undefined : HELPERS.get(name);
    const pairs = node.hash?.pairs ?? [];
    if (!spec && node.type === 'MustacheStatement' && node.params.length === 0 && pairs.length === 0) {
      if (!isPath(node.path)) return add(node, 'not_allowed', `A literal cannot be printed; name a field such as contact.firstName`, { construct: 'literal_output' });
      return name && BUILTINS.has(name) ? unknownHelper(node, name) : value(node.path);
    }
    if (!spec) return unknownHelper(node, name ?? String((node.path as Path).original ?? literal(node.path)));
    const [want, got] = [spec.params.length, node.params.length];
    if (got !== want) argument(node, name!, got < want ? 'too_few' : 'too_many', `${name} takes ${want} argument${want === 1 ? '' : 's'}, not ${got}`, { expected: want, got });
    node.params.slice(0, want).forEach((arg, i) => (spec.params[i] === 'person' ? person(name!, arg) : field(name!, arg, i + 1)));
    hash(name!, spec.hash, pairs);
  };
  const block = (node: hbs.AST.BlockStatement) => {
    const name = bareName(node.path);
    // Raw blocks ({{{{x}}}}) are the only blocks the parser builds without strip flags.
    if (node.openStrip?.open === undefined) return add(node, 'not_allowed', 'Raw blocks ({{{{ }}}}) are not allowed', { construct: 'raw_block' });
    if (name !== 'if' && name !== 'unless') return unknownHelper(node, `#${(node.path as Path).original ?? literal(node.path)}`);
    if (node.program?.blockParams?.length) add(node, 'not_allowed', 'Block parameters (as |x|) are not allowed', { construct: 'block_params' });
    if (node.params.length !== 1) argument(node, `#${name}`, node.params.length < 1 ? 'too_few' : 'too_many', `#${name} takes one field, not ${node.params.length}`, { expected: 1, got: node.params.length });
    if (node.params[0]) field(`#${name}`, node.params[0], 1, true);
    return hash(`#${name}`, {}, node.hash?.pairs ?? []);
  };
  let blocks = 0;
  const visit = (program: hbs.AST.Program | undefined) => {
    for (const statement of program?.body ?? []) {
      if (statement.type === 'MustacheStatement') {
        const mustache = statement as hbs.AST.MustacheStatement;
        if (!mustache.escaped) add(mustache, 'not_allowed', 'Unescaped output ({{{ }}} or {{& }}) is not allowed', { construct: 'unescaped' });
        call(mustache);
      } else if (statement.type === 'BlockStatement') {
        if (blocks >= MAX_BLOCK_NESTING) {
          add(statement, 'not_allowed', `#if and #unless nest at most ${MAX_BLOCK_NESTING} deep`, { construct: 'deep_nesting', max: MAX_BLOCK_NESTING });
          continue;
        }
        block(statement as hbs.AST.BlockStatement);
        blocks++;
        visit((statement as hbs.AST.BlockStatement).program);
        visit((statement as hbs.AST.BlockStatement).inverse);
        blocks--;
      } else if (/^Partial/.test(statement.type)) add(statement, 'not_allowed', 'Partials ({{> }}) are not allowed', { construct: 'partial' });
      else if (/^Decorator/.test(statement.type)) add(statement, 'not_allowed', 'Decorators ({{* }}) are not allowed', { construct: 'decorator' });
      else if (statement.type !== 'ContentStatement' && statement.type !== 'CommentStatement') add(statement, 'not_allowed', `${statement.type} is not allowed`, { construct: statement.type });
    }
  };
  visit(ast);
  return [...found.values()];
}

function parse(source: string): hbs.AST.Program | TemplateProblem {
  try {
    return Handlebars.parse(source);
  } catch (error) {
    const { line, column, cause } = syntaxError(error, source);
    return { code: 'template_syntax', message: `Line ${line}, column ${column}: ${cause}`, params: { line, column, cause } };
  }
}

/** The problems of a template for the given scope; empty when it is fine. */
export function templateProblems(source: string, scope: TemplateScope): TemplateProblem[] {
  const ast = parse(source);
  return 'code' in ast ? [ast] : check(ast, scope);
}

/** Paths the template prints outside any #if/#unless guard whose value is empty (undefined, null, '') in data; the engine records them as step warnings. */
export function emptyVariables(source: string, data: TemplateData): string[] {
  const ast = parse(source);
  if ('code' in ast) return [];
  const printed = (node: Expression): Path[] => {
    if (node.type !== 'MustacheStatement' && node.type !== 'SubExpression') return isPath(node) ? [node] : [];
    const { path, params } = node as unknown as Call;
    const spec = HELPERS.get(bareName(path) ?? '');
    // greeting copes with a missing person, and required skips the run rather than print a gap.
    if (!spec) return params.length === 0 && isPath(path) ? [path] : [];
    return bareName(path) === 'required' ? [] : params.filter((_, i) => spec.params[i] === 'value').flatMap(printed);
  };
  const resolve = (parts: string[]) => parts.reduce<unknown>((at, part) => (at && typeof at === 'object' && Object.hasOwn(at, part) ? (at as Record<string, unknown>)[part] : undefined), data);
  const paths = ast.body
    .filter((s) => s.type === 'MustacheStatement')
    .flatMap((s) => printed(s as unknown as Expression))
    .filter((p) => !p.data && p.depth === 0 && p.parts.length > 0 && isEmpty(resolve(p.parts)));
  return [...new Set(paths.map((p) => p.parts.join('.')))];
}

const env = Handlebars.create();
// Handlebars ships log, lookup, each, with and the *Missing hooks: a template reaches none of them.
for (const name of Object.keys(env.helpers)) env.unregisterHelper(name);
for (const name of Object.keys(env.decorators)) env.unregisterDecorator(name);
const truthy = (value: unknown) => Boolean(value) && !(Array.isArray(value) && value.length === 0);
env.registerHelper('if', function (this: unknown, value: unknown, options: Handlebars.HelperOptions) {
  return truthy(value) ? options.fn(this) : options.inverse(this);
});
env.registerHelper('unless', function (this: unknown, value: unknown, options: Handlebars.HelperOptions) {
  return truthy(value) ? options.inverse(this) : options.fn(this);
});
for (const [name, spec] of HELPERS) env.registerHelper(name, spec.fn as Handlebars.HelperDelegate);
const KNOWN_HELPERS = Object.fromEntries([...HELPERS.keys(), 'if', 'unless'].map((name) => [name, true]));
// Explicit defaults also keep Handlebars from logging each denied prototype access.
const RUNTIME: Handlebars.RuntimeOptions = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };

const CACHE_LIMIT = 500;
const cache = new Map<string, Handlebars.TemplateDelegate>();

function compiled(source: string, html: boolean): Handlebars.TemplateDelegate {
  const key = `${html ? 'h' : 't'}:${source}`;
  let template = cache.get(key);
  if (template) {
    cache.delete(key); // re-inserted below: the least recently used entry is the first to go
  } else {
    const ast = parse(source);
    const refused = 'code' in ast ? [ast] : check(ast);
    if (refused.length > 0) throw new PermanentError(`The template is not valid: ${refused.map((p) => p.message).join('; ')}`);
    // trackIds hands helpers the path they were given, so {{required x}} can name it.
    template = env.compile(source, { knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true, noEscape: !html, trackIds: true } as CompileOptions);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  }
  cache.set(key, template);
  return template;
}

export type TemplateData = Partial<Record<Namespace, unknown>>;

/** Plain text on one line, for subjects and titles: no line break can ever reach a header. */
export function renderLine(source: string, data: TemplateData, max = 300): string {
  const line = compiled(source, false)(data, RUNTIME).replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return truncate(line, max);
}

/** Plain text with its line breaks (the text part of an e-mail, a task body). */
export function renderText(source: string, data: TemplateData): string {
  return compiled(source, false)(data, RUNTIME).replace(/\r\n?/g, '\n').trim();
}

/** HTML with every value escaped; line breaks become <br>. */
export function renderHtml(source: string, data: TemplateData): string {
  const html = compiled(source, true)(data, RUNTIME).replace(/\r\n?/g, '\n').trim().replace(/\n/g, '<br>\n');
  return `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${html}</body></html>`;
}
