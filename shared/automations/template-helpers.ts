import Handlebars from 'handlebars';
import { SkipError } from '../engine/errors.ts';

/**
 * The helpers a template may call, each with the arguments it accepts. The save-time check in
 * templates.ts reads the argument rules from here and the API's trigger reference reads the
 * documentation from here: one list, so what is documented is what is accepted and rendered.
 * Output is German, in the tenant's time zone.
 */

/** Thrown while rendering when `{{required x.y}}` meets an empty value: the run is skipped with this reason. */
export class RequiredFieldMissingError extends SkipError {
  override name = 'RequiredFieldMissingError';
  constructor(readonly path: string) {
    super(`The template requires ${path}, which is empty`);
  }
}

/** What prints as nothing. */
export const isEmpty = (value: unknown): boolean => value === undefined || value === null || value === '';

/** A hash argument's rule; hash arguments are always literals, so the check on save is complete. */
export type HashRule = { type: 'integer'; min: number; max: number } | { type: 'one_of'; values: readonly string[] } | { type: 'currency' };

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function literalFits(rule: HashRule, value: unknown): boolean {
  if (rule.type === 'integer') return typeof value === 'number' && Number.isInteger(value) && value >= rule.min && value <= rule.max;
  if (rule.type === 'one_of') return typeof value === 'string' && rule.values.includes(value);
  return typeof value === 'string' && /^[A-Z]{3}$/.test(value) && CURRENCIES.has(value);
}

export function describeRule(rule: HashRule): string {
  if (rule.type === 'integer') return `a whole number from ${rule.min} to ${rule.max}`;
  if (rule.type === 'one_of') return rule.values.map((v) => `"${v}"`).join(' or ');
  return 'a three-letter ISO currency code in capitals, such as "EUR"';
}

/** A positional argument is a field's value, or a person as a whole (for greeting and salutation). */
export type ArgKind = 'value' | 'person';

export interface HelperSpec {
  readonly params: readonly ArgKind[];
  readonly hash: Readonly<Record<string, HashRule>>;
  readonly args: string;
  readonly description: string;
  readonly example: string;
  readonly output: string;
  readonly fn: (...args: any[]) => unknown;
}

// Intl's non-breaking spaces would survive into subjects and tests as look-alikes of a space.
const tidy = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

const DEFAULT_ZONE = 'Europe/Berlin';
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(zone: string, parts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${zone}|${JSON.stringify(parts)}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('de-DE', { timeZone: zone, ...parts }); // throws for an unknown zone: nothing cached
    dateFormats.set(key, format);
  }
  return format;
}

function zoneOf(options: Handlebars.HelperOptions): string {
  const zone: unknown = options?.data?.root?.tenant?.timeZone;
  if (typeof zone !== 'string') return DEFAULT_ZONE;
  try {
    return dateFormat(zone, {}).resolvedOptions().timeZone;
  } catch {
    return DEFAULT_ZONE; // a misconfigured tenant still gets readable dates
  }
}

interface Moment {
  at: Date;
  zone: string;
  year: boolean;
  time: boolean;
}

const DAY = /^(\d{4}|-)-(\d{2})-(\d{2})$/;
const STAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A calendar day (`2026-11-27`, a birthday `--11-27`) is no instant: it is shown as written in
 * every time zone. So is a time without offset. A time with an offset is shown in the tenant's zone.
 */
function moment(value: unknown, zone: string): Moment | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toUpperCase();
  const match = DAY.exec(text) ?? STAMP.exec(text);
  if (!match) return undefined;
  const year = match[1] === '-' ? 2000 : Number(match[1]); // a leap year, so that --02-29 exists
  const [month, day, hour, minute] = [match[2], match[3], match[4] ?? 0, match[5] ?? 0].map(Number) as [number, number, number, number];
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute, Number(match[6] ?? 0)));
  // Date.UTC rolls 30 February into March; a value that does not come back unchanged is no date.
  const same = wall.getUTCFullYear() === year && wall.getUTCMonth() === month - 1 && wall.getUTCDate() === day && wall.getUTCHours() === hour && wall.getUTCMinutes() === minute;
  if (!same) return undefined;
  const hasTime = match.length > 4;
  if (!hasTime || !match[7]) return { at: wall, zone: 'UTC', year: match[1] !== '-', time: hasTime };
  return { at: new Date(text.replace(' ', 'T')), zone, year: true, time: true };
}

const DAY_PARTS = { short: { day: '2-digit', month: '2-digit' }, long: { day: 'numeric', month: 'long' } } as const;

function formatDate(value: unknown, options: Handlebars.HelperOptions, withTime: boolean): string {
  const m = moment(value, zoneOf(options));
  if (!m) return '';
  const style = options.hash?.style === 'long' ? 'long' : 'short';
  const parts: Intl.DateTimeFormatOptions = { ...DAY_PARTS[style], ...(m.year ? { year: 'numeric' } : {}) };
  if (withTime && m.time) Object.assign(parts, { hour: '2-digit', minute: '2-digit' });
  return tidy(dateFormat(m.zone, parts).format(m.at));
}

function formatPart(value: unknown, options: Handlebars.HelperOptions, part: 'time' | 'weekday'): string {
  const m = moment(value, zoneOf(options));
  if (!m || (part === 'time' ? !m.time : !m.year)) return '';
  return tidy(dateFormat(m.zone, part === 'time' ? { hour: '2-digit', minute: '2-digit' } : { weekday: 'long' }).format(m.at));
}

/** A number, or a string that is plainly one (`"489000"`, `"1234.5"`); anything else is no number. */
function toNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = JSON.stringify(options);
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat('de-DE', options)));
  return format;
}

const DECIMALS: HashRule = { type: 'integer', min: 0, max: 6 };
const STYLE: HashRule = { type: 'one_of', values: ['short', 'long'] };
const CURRENCY: HashRule = { type: 'currency' };

function formatNumber(value: unknown, options: Handlebars.HelperOptions): string {
  const n = toNumber(value);
  if (n === undefined) return '';
  const decimals: unknown = options.hash?.decimals;
  const digits = literalFits(DECIMALS, decimals) ? { minimumFractionDigits: decimals as number, maximumFractionDigits: decimals as number } : { maximumFractionDigits: 2 };
  return tidy(numberFormat(digits).format(n));
}

/** Whole amounts without decimals (489.000 €), others with the currency's (1.234,50 €). */
function formatMoney(value: unknown, options: Handlebars.HelperOptions): string {
  const n = toNumber(value);
  if (n === undefined) return '';
  const currency = literalFits(CURRENCY, options.hash?.currency) ? (options.hash.currency as string) : 'EUR';
  const digits = numberFormat({ style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const whole = Math.round(n * 10 ** digits) % 10 ** digits === 0;
  const shown = whole ? 0 : digits;
  return tidy(numberFormat({ style: 'currency', currency, minimumFractionDigits: shown, maximumFractionDigits: shown }).format(whole ? Math.round(n) + 0 : n));
}

type Person = { salutation?: string; firstName?: string; lastName?: string } | undefined;
const personOf = (value: unknown): Person => (value && typeof value === 'object' ? (value as Person) : undefined);

/** "Sehr geehrte Frau Musterfrau", "Sehr geehrter Herr Muster", or "Guten Tag Erika Musterfrau". */
function greeting(value: unknown): string {
  const person = personOf(value);
  if (person?.lastName && person.salutation === 'ms') return `Sehr geehrte Frau ${person.lastName}`;
  if (person?.lastName && person.salutation === 'mr') return `Sehr geehrter Herr ${person.lastName}`;
  const name = [person?.firstName, person?.lastName].filter((part) => typeof part === 'string' && part).join(' ');
  return name ? `Guten Tag ${name}` : 'Guten Tag';
}

function required(value: unknown, options: Handlebars.HelperOptions & { ids?: unknown[] }): unknown {
  // The path comes from the compiler (trackIds), so the skip reason names the field.
  if (isEmpty(value)) throw new RequiredFieldMissingError(typeof options.ids?.[0] === 'string' ? options.ids[0] : 'a field');
  return value;
}

const VALUE = ['value'] as const;

/** Every helper a template may call; `#if` and `#unless` are Handlebars' own, documented below. */
export const HELPERS: ReadonlyMap<string, HelperSpec> = new Map<string, HelperSpec>([
  ['date', { params: VALUE, hash: { style: STYLE }, args: 'field [style="short"|"long"]', description: 'The day, short (27.11.2026) or long (27. November 2026); a date without time (a birthday, --11-27 without year) keeps its day in every time zone.', example: '{{date activity.startsAt style="long"}}', output: '27. November 2026', fn: (v: unknown, o: Handlebars.HelperOptions) => formatDate(v, o, false) }],
  ['time', { params: VALUE, hash: {}, args: 'field', description: 'Hours and minutes in the agency\'s time zone; empty for a date without time.', example: '{{time activity.startsAt}}', output: '14:30', fn: (v: unknown, o: Handlebars.HelperOptions) => formatPart(v, o, 'time') }],
  ['datetime', { params: VALUE, hash: {}, args: 'field', description: 'Day and time in the agency\'s time zone; the day alone for a date without time.', example: '{{datetime activity.startsAt}}', output: '27.11.2026, 14:30', fn: (v: unknown, o: Handlebars.HelperOptions) => formatDate(v, o, true) }],
  ['weekday', { params: VALUE, hash: {}, args: 'field', description: 'The day of the week; empty for a birthday without year.', example: '{{weekday activity.startsAt}}', output: 'Freitag', fn: (v: unknown, o: Handlebars.HelperOptions) => formatPart(v, o, 'weekday') }],
  ['number', { params: VALUE, hash: { decimals: DECIMALS }, args: 'field [decimals=0…6]', description: 'A number with German separators; up to two decimals unless decimals is given.', example: '{{number property.price decimals=2}}', output: '489.000,00', fn: formatNumber }],
  ['money', { params: VALUE, hash: { currency: CURRENCY }, args: 'field [currency="EUR"]', description: 'An amount (EUR unless currency is given); whole amounts without decimals, others with cents.', example: '{{money property.price}}', output: '489.000 €', fn: formatMoney }],
  ['greeting', { params: ['person'], hash: {}, args: 'person', description: 'The letter\'s greeting by salutation and last name, else by name.', example: '{{greeting contact}}', output: 'Sehr geehrte Frau Musterfrau', fn: greeting }],
  ['salutation', { params: ['person'], hash: {}, args: 'person', description: '"Frau" or "Herr" by the salutation; empty otherwise.', example: '{{salutation contact}} {{contact.lastName}}', output: 'Frau Musterfrau', fn: (v: unknown) => (personOf(v)?.salutation === 'ms' ? 'Frau' : personOf(v)?.salutation === 'mr' ? 'Herr' : '') }],
  ['required', { params: VALUE, hash: {}, args: 'field', description: 'Prints the field; when it is empty, the run is skipped instead of sending a gap.', example: '{{required contact.firstName}}', output: 'Erika', fn: required }],
]);

/** The documented helpers with their description, arguments and an example, for the API's trigger reference and the README. */
export const TEMPLATE_HELPERS: ReadonlyArray<{ name: string; args: string; description: string; example: string; output: string }> = [
  ...[...HELPERS].map(([name, { args, description, example, output }]) => ({ name, args, description, example, output })),
  { name: '#if', args: 'field … {{else}} … {{/if}}', description: 'Shows its content when the field is not empty (else the {{else}} part).', example: '{{#if contact.firstName}}Hallo {{contact.firstName}}{{else}}Hallo{{/if}}', output: 'Hallo Erika' },
  { name: '#unless', args: 'field … {{else}} … {{/unless}}', description: 'Shows its content when the field is empty.', example: '{{#unless contact.phone}}Bitte nennen Sie uns Ihre Telefonnummer.{{/unless}}', output: 'Bitte nennen Sie uns Ihre Telefonnummer.' },
];

/** Handlebars' token names as an admin would call them. */
const TOKENS: Record<string, string> = {
  CLOSE: '"}}"', CLOSE_UNESCAPED: '"}}}"', CLOSE_SEXPR: '")"', OPEN_SEXPR: '"("', EQUALS: '"="', SEP: '"."', OPEN: '"{{"', OPEN_BLOCK: '"{{#"',
  OPEN_ENDBLOCK: 'a closing "{{/…}}"', OPEN_INVERSE: '"{{^"', INVERSE: '"{{else}}"', OPEN_INVERSE_CHAIN: '"{{else …}}"', OPEN_UNESCAPED: '"{{{"',
  OPEN_PARTIAL: '"{{>"', OPEN_PARTIAL_BLOCK: '"{{#>"', OPEN_RAW_BLOCK: '"{{{{"', ID: 'a field name', STRING: 'a quoted text', NUMBER: 'a number',
  CONTENT: 'text', COMMENT: 'a comment', EOF: 'the end of the template', INVALID: 'an unexpected character',
};

const lineAndColumn = (source: string, offset: number) => {
  const before = source.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
};

/**
 * Where and why Handlebars refused a template. The position comes from the parser's lexer, not
 * from the caret in the message: that excerpt is cut to 20 characters and loses line breaks.
 */
export function syntaxError(error: unknown, source: string): { line: number; column: number; cause: string } {
  const e = error as { message?: string; lineNumber?: number; column?: number };
  const message = String(e?.message ?? error);
  // Handlebars' own checks (a block closed by another name, an invalid path) carry their position.
  if (typeof e?.lineNumber === 'number') {
    const text = message.replace(/ - \d+:\d+$/, '');
    const mismatch = /^(\S+) doesn't match (\S+)$/.exec(text);
    const invalid = /^Invalid path: (.+)$/.exec(text);
    const cause = mismatch ? `"{{/${mismatch[2]}}}" does not close "{{#${mismatch[1]}}}"` : invalid ? `"${invalid[1]}" is not a valid path` : text;
    return { line: e.lineNumber, column: (e.column ?? 0) + 1, cause };
  }
  const lexer = (Handlebars as unknown as { Parser?: { lexer?: { yylloc?: { first_line: number; first_column: number }; yytext?: string; _input?: string } } }).Parser?.lexer;
  const opened = source.lastIndexOf('{{');
  if (message.startsWith('Lexical error')) {
    const rest = lexer?._input ?? '';
    const cause = rest.startsWith('{{!--') ? 'a comment "{{!--" is never closed with "--}}"' : 'unrecognized text';
    return { ...lineAndColumn(source, source.length - rest.length), cause };
  }
  const [, expected = '', got = ''] = /Expecting (.*), got '(\w+)'/.exec(message) ?? [];
  const wanted = new Set(expected.match(/\w+/g) ?? []);
  // A "{{" never closed shows up as a stray character or the end; name the real mistake, where it starts.
  if ((got === 'INVALID' || got === 'EOF') && opened > source.lastIndexOf('}}')) return { ...lineAndColumn(source, opened), cause: '"{{" is never closed with "}}"' };
  const at = lexer?.yylloc ? { line: lexer.yylloc.first_line, column: lexer.yylloc.first_column + 1 } : { line: Number(/line (\d+)/.exec(message)?.[1] ?? 1), column: (message.split('\n')[2]?.indexOf('^') ?? 0) + 1 };
  const found = got === 'EOF' ? TOKENS.EOF : lexer?.yytext ? `"${lexer.yytext.slice(0, 20)}"` : (TOKENS[got] ?? got);
  if (!wanted.has('OPEN_ENDBLOCK') && (got === 'INVERSE' || got === 'OPEN_INVERSE_CHAIN')) return { ...at, cause: `${found} outside an "{{#if}}" or "{{#unless}}" block` };
  if (!wanted.has('OPEN_ENDBLOCK') && got === 'OPEN_ENDBLOCK') return { ...at, cause: '"{{/…}}" closes no block' };
  // One phrase per kind of thing: a field name stands for every token that can start an argument.
  const phrases = wanted.has('OPEN_ENDBLOCK') ? [TOKENS.OPEN_ENDBLOCK] : (['CLOSE', 'CLOSE_SEXPR', 'ID'] as const).filter((t) => wanted.has(t)).map((t) => TOKENS[t]);
  const expecting = phrases.length ? phrases.join(' or ') : [...wanted].slice(0, 3).map((t) => TOKENS[t] ?? t).join(' or ');
  return { ...at, cause: expected ? `expected ${expecting} but found ${found}` : message.split('\n')[0]! };
}
