import { describeFields } from '#events/fields';
import Handlebars from 'handlebars';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  emptyVariables,
  renderHtml,
  renderLine,
  renderText,
  RequiredFieldMissingError,
  TEMPLATE_HELPERS,
  templateProblems,
  type TemplateData,
  type TemplateScope,
} from '#shared/automations/templates';
import { PRESETS } from '#shared/automations/presets';
import { PermanentError, SkipError } from '#shared/engine/errors';
import { composeMessage } from '#shared/engine/mime';
import { buildIcs, escapeText, fold } from '#shared/engine/ics';
import { Activity } from '#shared/model/activity';
import { Contact } from '#shared/model/contact';
import { Property } from '#shared/model/property';
import { User } from '#shared/model/user';
import { STALL_MS } from '../support/stall.ts';

const data = {
  contact: { salutation: 'ms', firstName: 'Erika', lastName: '<script>alert(1)</script>', email: 'erika@example.com' },
  property: { title: 'Altbau & Garten', address: { city: 'Berlin' } },
  activity: { startsAt: '2026-12-03T13:00:00Z' },
  tenant: { name: 'Acme', timeZone: 'Europe/Berlin' },
  event: { date: '2026-11-27', age: 46 },
};

/** The data the documented examples are written against. */
const sample = {
  contact: { salutation: 'ms', firstName: 'Erika', lastName: 'Musterfrau', email: 'erika@example.com' },
  property: { title: 'Altbau in Mitte', price: 489000 },
  activity: { startsAt: '2026-11-27T13:30:00Z' },
  tenant: { name: 'Acme Immobilien', timeZone: 'Europe/Berlin' },
};

const fields = (schema: Parameters<typeof describeFields>[0]) => new Set(describeFields(schema).map((f) => f.path));
/** A viewing's scope, as the trigger registry hands it over. */
const scope: TemplateScope = {
  fields: {
    activity: fields(Activity),
    contact: fields(Contact),
    property: fields(Property),
    owner: fields(User),
    contactPerson: fields(User),
    tenant: new Set(['name', 'senderAddress', 'timeZone']),
    event: new Set(['occurredAt']),
  },
  persons: new Set(['contact', 'owner', 'contactPerson']),
};
/** A birthday's scope: no property, no activity. */
const birthday: TemplateScope = {
  fields: { contact: fields(Contact), owner: fields(User), tenant: new Set(['name', 'timeZone']), event: new Set(['date', 'age']) },
  persons: new Set(['contact', 'owner']),
};

const codes = (source: string, s: TemplateScope = scope) => templateProblems(source, s).map((p) => p.code);
const only = (source: string, s: TemplateScope = scope) => {
  const problems = templateProblems(source, s);
  expect(problems).toHaveLength(1);
  return problems[0]!;
};
const line = (source: string, values: TemplateData) => renderLine(source, values);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('template rendering', () => {
  it('escapes every value in HTML and keeps text as text', () => {
    const html = renderHtml('Hallo {{contact.lastName}}, {{property.title}}\nZeile 2', data);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Altbau &amp; Garten<br>');
    expect(html).not.toContain('<script>');
    expect(renderText('Hallo {{contact.lastName}}', data)).toBe('Hallo <script>alert(1)</script>');
  });

  it('escapes what helpers print in HTML, too', () => {
    const html = renderHtml('{{greeting contact}} {{required contact.lastName}} {{salutation contact}}', { contact: { salutation: 'ms', lastName: '<b onclick="x">M</b>' } });
    expect(html).toContain('Sehr geehrte Frau &lt;b onclick&#x3D;&quot;x&quot;&gt;M&lt;/b&gt; &lt;b');
    expect(html).not.toContain('<b ');
  });

  it('renders a subject on one line, whatever the data holds', () => {
    const subject = renderLine('Termin für {{contact.firstName}}', { ...data, contact: { ...data.contact, firstName: 'Eve\r\nBcc: victim@example.com' } });
    expect(subject).toBe('Termin für Eve Bcc: victim@example.com');
    expect(renderLine('{{contact.firstName}}', { contact: { firstName: 'a\u0000b\u2028c\u007fd' } })).toBe('a b c d');
  });

  it('never lets a line break in a value become a mail header', async () => {
    const mime = composeMessage({
      from: { name: 'Acme\r\nBcc: x@evil.example', address: 'info@acme.example' },
      to: 'erika@example.com',
      subject: renderLine('{{contact.firstName}}', { contact: { firstName: 'A\nBcc: y@evil.example' } }),
      html: '<p>x</p>',
      text: 'x',
    });
    const parsed = await simpleParser(mime);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.subject).toBe('A Bcc: y@evil.example');
  });

  it('formats dates and times in the tenant\'s time zone, and greets by salutation', () => {
    expect(renderLine('{{date activity.startsAt}} {{time activity.startsAt}}', data)).toBe('03.12.2026 14:00');
    expect(renderLine('{{date event.date}}', data)).toBe('27.11.2026');
    expect(renderLine('{{greeting contact}}', { contact: { salutation: 'mr', lastName: 'Muster' } })).toBe('Sehr geehrter Herr Muster');
    expect(renderLine('{{greeting contact}}', { contact: { firstName: 'Kim', lastName: 'Lee' } })).toBe('Guten Tag Kim Lee');
    expect(renderLine('{{#if contact.firstName}}Hi {{contact.firstName}}{{else}}Hallo{{/if}}', { contact: {} })).toBe('Hallo');
  });

  it('reads no property of a prototype, and says nothing about it in the log', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(renderText('[{{contact.constructor.name}}][{{contact.__proto__}}]', { contact: {} })).toBe('[][]');
    expect(log).not.toHaveBeenCalled();
  });

  it('compiles a template once, and keeps the cache bounded by evicting the least recently used', () => {
    const parse = vi.spyOn(Handlebars, 'parse');
    const first = 'Cache {{contact.firstName}}';
    renderText(first, sample);
    renderText(first, sample);
    expect(parse).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 600; i++) renderText(`Filler ${i} {{contact.firstName}}`, sample);
    parse.mockClear();
    renderText(first, sample);
    expect(parse).toHaveBeenCalledTimes(1);
    renderText('Filler 599 {{contact.firstName}}', sample);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('refuses to render what the check refuses, as a permanent failure, whatever was stored', () => {
    for (const source of ['{{> header}}', '{{#each contact}}x{{/each}}', '{{lookup contact "email"}}', '{{{contact.lastName}}}', '{{../x}}', '{{#if}}', '{{date}}']) {
      expect(() => renderText(source, sample), source).toThrow(PermanentError);
    }
    expect(() => renderHtml('{{#with contact}}{{email}}{{/with}}', sample)).toThrow(/not valid: Unknown helper "#with"/);
  });

  it('renders every preset\'s templates, which pass the same structural check', () => {
    const sources = PRESETS.flatMap((preset) => (preset.build(preset.params.parse({}) as Record<string, unknown>).actions as Array<Record<string, unknown>>))
      .flatMap((action) => [action.subject, action.body, action.title])
      .filter((source): source is string => typeof source === 'string');
    expect(sources.length).toBeGreaterThan(4);
    for (const source of sources) expect(() => renderHtml(source, sample), source).not.toThrow();
  });
});

describe('German formatting helpers', () => {
  const at = (startsAt: unknown, timeZone?: string) => ({ activity: { startsAt }, ...(timeZone ? { tenant: { timeZone } } : {}) });
  const all = '{{date activity.startsAt}}|{{date activity.startsAt style="long"}}|{{time activity.startsAt}}|{{datetime activity.startsAt}}|{{weekday activity.startsAt}}';

  it('formats an instant\'s day, time and weekday in the tenant\'s time zone', () => {
    expect(line(all, at('2026-11-27T13:30:00Z', 'Europe/Berlin'))).toBe('27.11.2026|27. November 2026|14:30|27.11.2026, 14:30|Freitag');
    expect(line(all, at('2026-11-27T13:30:00Z', 'America/Los_Angeles'))).toBe('27.11.2026|27. November 2026|05:30|27.11.2026, 05:30|Freitag');
    expect(line(all, at('2026-11-27T13:30:00Z', 'Pacific/Kiritimati'))).toBe('28.11.2026|28. November 2026|03:30|28.11.2026, 03:30|Samstag');
    expect(line(all, at('2026-11-27T13:30:00.123+01:00', 'Europe/Berlin'))).toBe('27.11.2026|27. November 2026|13:30|27.11.2026, 13:30|Freitag');
  });

  it('uses Europe/Berlin when the tenant names no time zone or one that does not exist', () => {
    expect(line('{{time activity.startsAt}}', at('2026-07-01T10:00:00Z'))).toBe('12:00');
    expect(line('{{time activity.startsAt}}', at('2026-07-01T10:00:00Z', 'Mars/Olympus_Mons'))).toBe('12:00');
  });

  it('keeps a date-only value\'s calendar day in every time zone, west and east of UTC', () => {
    for (const zone of ['Europe/Berlin', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      expect(line(all, at('2026-11-27', zone)), zone).toBe('27.11.2026|27. November 2026||27.11.2026|Freitag');
      expect(line(all, at('--11-27', zone)), zone).toBe('27.11.|27. November||27.11.|');
    }
    expect(line('{{date activity.startsAt}}', at('--02-29'))).toBe('29.02.');
  });

  it('shows a time without offset as it is written', () => {
    expect(line('{{datetime activity.startsAt}}', at('2026-11-27T09:15:00', 'America/Los_Angeles'))).toBe('27.11.2026, 09:15');
  });

  it('prints nothing for values that are no date', () => {
    for (const value of ['2026-02-30', '2026-11-27T25:00:00Z', '--13-01', 'tomorrow', '27.11.2026', 1795782600000, true, null, {}, ['2026-11-27']]) {
      expect(line(all, at(value)), JSON.stringify(value)).toBe('||||');
    }
  });

  it('formats numbers with German separators, up to two decimals unless decimals is given', () => {
    const number = (price: unknown, hash = '') => line(`{{number property.price${hash}}}`, { property: { price } });
    expect(number(489000)).toBe('489.000');
    expect(number(1234.5, ' decimals=2')).toBe('1.234,50');
    expect(number(85.456)).toBe('85,46');
    expect(number(1234.5, ' decimals=0')).toBe('1.235');
    expect(number('489000')).toBe('489.000');
    expect(number(0)).toBe('0');
  });

  it('formats money: whole amounts without decimals, others with cents, in the currency given', () => {
    const money = (price: unknown, hash = '') => line(`{{money property.price${hash}}}`, { property: { price } });
    expect(money(489000)).toBe('489.000 €');
    expect(money(1234.5)).toBe('1.234,50 €');
    expect(money(1234.999)).toBe('1.235 €');
    expect(money(-3.004)).toBe('-3 €');
    expect(money(1234.5, ' currency="USD"')).toBe('1.234,50 $');
    expect(money(489000, ' currency="CHF"')).toBe('489.000 CHF');
  });

  it('prints nothing, never NaN, for values that are no number', () => {
    for (const value of ['abc', '12abc', '', Number.NaN, Number.POSITIVE_INFINITY, true, null, undefined, {}, [1]]) {
      expect(line('[{{number property.price}}][{{money property.price}}][{{number property.price decimals=2}}]', { property: { price: value } })).toBe('[][][]');
    }
  });

  it('greets and salutes a person by salutation, and copes with a missing or odd one', () => {
    const greet = (contact: unknown) => line('{{greeting contact}}|{{salutation contact}}', { contact });
    expect(greet({ salutation: 'ms', lastName: 'Musterfrau' })).toBe('Sehr geehrte Frau Musterfrau|Frau');
    expect(greet({ salutation: 'mr', firstName: 'Max', lastName: 'Muster' })).toBe('Sehr geehrter Herr Muster|Herr');
    expect(greet({ salutation: 'mx', firstName: 'Kim', lastName: 'Lee' })).toBe('Guten Tag Kim Lee|');
    expect(greet({ salutation: 'constructor', firstName: 'Kim' })).toBe('Guten Tag Kim|');
    expect(greet(undefined)).toBe('Guten Tag|');
    expect(greet('Erika')).toBe('Guten Tag|');
  });

  it('prints a required field, and skips the run with a RequiredFieldMissingError naming the empty one', () => {
    expect(line('{{required contact.firstName}} {{required event.age}}', { contact: { firstName: 'Erika' }, event: { age: 0 } })).toBe('Erika 0');
    for (const firstName of [undefined, null, '']) {
      let error: unknown;
      try {
        renderText('Hallo {{required contact.firstName}}', { contact: { firstName } });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RequiredFieldMissingError);
      expect(error).toBeInstanceOf(SkipError);
      expect((error as RequiredFieldMissingError).path).toBe('contact.firstName');
      expect((error as Error).message).toBe('The template requires contact.firstName, which is empty');
    }
    expect(() => renderLine('{{date (required activity.startsAt)}}', {})).toThrow(expect.objectContaining({ path: 'activity.startsAt' }));
    expect(renderLine('{{date (required activity.startsAt)}}', sample)).toBe('27.11.2026');
    expect(renderLine('{{#if contact.phone}}{{required contact.phone}}{{/if}}ok', sample)).toBe('ok');
  });
});

describe('the documented helpers, and only those', () => {
  it('renders every documented example to its documented output, and accepts it on save', () => {
    expect(TEMPLATE_HELPERS.map((h) => h.name)).toEqual(['date', 'time', 'datetime', 'weekday', 'number', 'money', 'greeting', 'salutation', 'required', '#if', '#unless']);
    for (const helper of TEMPLATE_HELPERS) {
      expect(templateProblems(helper.example, scope), helper.name).toEqual([]);
      expect(renderText(helper.example, sample), helper.name).toBe(helper.output);
      expect(helper.args && helper.description, helper.name).toBeTruthy();
    }
  });

  it('refuses the log helper on save, and it cannot write to the log when rendered either', () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
    // Handlebars' own environment writes: that is what the template below used to reach.
    Handlebars.compile('{{log "stock Handlebars writes this"}}')({});
    expect(spies.some((s) => s.mock.calls.length > 0)).toBe(true);
    spies.forEach((s) => s.mockClear());

    const source = '{{greeting contact x=(log "written to the server log")}}';
    expect(templateProblems(source, scope)).toEqual([
      expect.objectContaining({ code: 'helper_arguments', params: expect.objectContaining({ helper: 'greeting', reason: 'unknown_key', key: 'x', allowed: [] }) }),
      expect.objectContaining({ code: 'unknown_helper', params: expect.objectContaining({ helper: 'log' }) }),
    ]);
    for (const attempt of [source, '{{log "x"}}', '{{log}}', '{{log "x" level="error"}}', '{{#if (log "x")}}y{{/if}}', '{{#log "x"}}y{{/log}}']) {
      expect(() => renderText(attempt, sample), attempt).toThrow(PermanentError);
    }
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('refuses Handlebars\' built-ins and unknown helpers with unknown_helper and the list of helpers', () => {
    const helpers = ['date', 'time', 'datetime', 'weekday', 'number', 'money', 'greeting', 'salutation', 'required', '#if', '#unless'];
    expect(only('{{lookup contact "email"}}')).toEqual({
      code: 'unknown_helper',
      message: `Unknown helper "lookup"; use ${helpers.join(', ')}`,
      params: { helper: 'lookup', helpers, line: 1, column: 1 },
    });
    for (const [source, helper] of [
      ['{{#each contact.email}}x{{/each}}', '#each'],
      ['{{#with contact}}{{email}}{{/with}}', '#with'],
      ['{{log}}', 'log'],
      ['{{helperMissing contact}}', 'helperMissing'],
      ['{{blockHelperMissing}}', 'blockHelperMissing'],
      ['{{upper contact.firstName}}', 'upper'],
      ['{{if contact.firstName}}', 'if'],
      ['{{#contact}}{{firstName}}{{/contact}}', '#contact'],
      ['{{^contact.phone}}keine Nummer{{/contact.phone}}', '#contact.phone'],
      ['{{date (format contact.birthday)}}', 'format'],
    ] as const) {
      expect(templateProblems(source, scope), source).toContainEqual(expect.objectContaining({ code: 'unknown_helper', params: expect.objectContaining({ helper }) }));
    }
  });

  it('accepts #if and #unless with {{else}} and else-if chains, and renders them', () => {
    const source = '{{#if contact.phone}}Tel.{{else if contact.email}}Mail{{else}}Brief{{/if}}{{#unless owner}}, ohne Betreuer{{/unless}}{{^if contact.firstName}}!{{/if}}';
    expect(templateProblems(source, scope)).toEqual([]);
    expect(renderText(source, { contact: { email: 'e@x.example' } })).toBe('Mail, ohne Betreuer!');
    expect(renderText('{{#if activity.contactIds}}a{{else}}b{{/if}}', { activity: { contactIds: [] } })).toBe('b');
  });
});

describe('arguments, sub-expressions and literals', () => {
  const argumentProblem = (source: string) => {
    const problem = only(source);
    expect(problem.code, source).toBe('helper_arguments');
    return problem.params;
  };

  it('refuses a hash key the helper does not declare', () => {
    expect(argumentProblem('{{date activity.startsAt format="long"}}')).toMatchObject({ helper: 'date', reason: 'unknown_key', key: 'format', allowed: ['style'] });
    expect(argumentProblem('{{time activity.startsAt style="long"}}')).toMatchObject({ helper: 'time', reason: 'unknown_key', allowed: [] });
    expect(argumentProblem('{{#if contact.phone includeZero=true}}x{{/if}}')).toMatchObject({ helper: '#if', reason: 'unknown_key' });
    expect(argumentProblem('{{number property.price constructor=1}}')).toMatchObject({ reason: 'unknown_key', key: 'constructor' });
  });

  it('refuses a literal of the wrong type or out of range, naming what is expected', () => {
    for (const [source, got] of [
      ['{{number property.price decimals=7}}', 7],
      ['{{number property.price decimals=1.5}}', 1.5],
      ['{{number property.price decimals=-1}}', -1],
      ['{{number property.price decimals="2"}}', '2'],
      ['{{number property.price decimals=true}}', true],
    ] as const) {
      expect(argumentProblem(source), source).toMatchObject({ helper: 'number', reason: 'literal_type', key: 'decimals', expected: 'a whole number from 0 to 6', got });
    }
    for (const currency of ['"eur"', '"EURO"', '"XYZ"', '1', '""', 'null']) {
      expect(argumentProblem(`{{money property.price currency=${currency}}}`), currency).toMatchObject({ helper: 'money', reason: 'literal_type', key: 'currency' });
    }
    expect(only('{{date activity.startsAt style="medium"}}')).toMatchObject({ message: 'date\'s style must be "short" or "long", not "medium"', params: { reason: 'literal_type', expected: '"short" or "long"', got: 'medium' } });
  });

  it('refuses a field or a sub-expression where a literal is required', () => {
    expect(argumentProblem('{{number property.price decimals=event.age}}')).toMatchObject({ reason: 'literal_required', key: 'decimals' });
    expect(templateProblems('{{money property.price currency=(required tenant.name)}}', scope)).toEqual([
      expect.objectContaining({ code: 'helper_arguments', params: expect.objectContaining({ helper: 'money', reason: 'literal_required', key: 'currency' }) }),
    ]);
  });

  it('counts positional arguments', () => {
    expect(argumentProblem('{{date}}')).toMatchObject({ helper: 'date', reason: 'too_few', expected: 1, got: 0 });
    expect(argumentProblem('{{greeting}}')).toMatchObject({ helper: 'greeting', reason: 'too_few' });
    expect(argumentProblem('{{date activity.startsAt activity.endsAt}}')).toMatchObject({ helper: 'date', reason: 'too_many', expected: 1, got: 2 });
    expect(argumentProblem('{{#if contact.phone contact.email}}x{{/if}}')).toMatchObject({ helper: '#if', reason: 'too_many' });
  });

  it('refuses a literal or another helper where a field is needed, but lets (required x) through', () => {
    expect(only('{{date "2026-11-27"}}')).toMatchObject({ code: 'helper_arguments', message: 'date needs a field as argument 1, not the literal "2026-11-27"', params: { helper: 'date', reason: 'field_required', position: 1 } });
    expect(argumentProblem('{{money 5}}')).toMatchObject({ helper: 'money', reason: 'field_required' });
    expect(argumentProblem('{{#if true}}x{{/if}}')).toMatchObject({ helper: '#if', reason: 'field_required' });
    expect(argumentProblem('{{number (money property.price)}}')).toMatchObject({ helper: 'number', reason: 'field_required' });
    expect(argumentProblem('{{#if (required contact.phone)}}x{{/if}}')).toMatchObject({ helper: '#if', reason: 'field_required' });
    expect(templateProblems('{{date (required activity.startsAt)}} {{money (required property.price) currency="EUR"}}', scope)).toEqual([]);
    expect(codes('{{date (required activity.nope)}}')).toEqual(['unknown_variable']);
  });

  it('takes a person as a whole for greeting and salutation', () => {
    for (const source of ['{{greeting contact.firstName}}', '{{greeting property}}', '{{salutation "Erika"}}', '{{greeting (required contact)}}']) {
      expect(argumentProblem(source), source).toMatchObject({ reason: 'person_required', persons: ['contact', 'owner', 'contactPerson'] });
    }
    expect(templateProblems('{{greeting owner}} {{salutation contactPerson}}', scope)).toEqual([]);
    expect(only('{{greeting contactPerson}}', birthday)).toMatchObject({ code: 'unknown_variable' });
  });
});

describe('paths', () => {
  it('accepts the fields the scope provides', () => {
    expect(templateProblems('{{greeting contact}} {{property.address.city}} {{event.occurredAt}} {{date activity.startsAt}} {{contact/lastName}}', scope)).toEqual([]);
    expect(templateProblems('{{#if owner}}{{owner.firstName}}{{/if}} {{#unless property.address}}ohne Adresse{{/unless}}', scope)).toEqual([]);
  });

  it('refuses an unknown field, in a block, a helper or a sub-expression, naming the namespaces', () => {
    for (const source of ['{{#if contact.nope}}x{{/if}}', '{{date contact.nope}}', '{{contact.nope}}', '{{date (required contact.nope)}}']) {
      expect(only(source), source).toMatchObject({ code: 'unknown_variable', params: { path: 'contact.nope', namespaces: ['activity', 'contact', 'property', 'owner', 'contactPerson', 'tenant', 'event'] } });
    }
    expect(only('{{contact.xqzvbnmwrt}}')).toMatchObject({ message: '"contact.xqzvbnmwrt" is not a field of contact' });
    expect(only('{{property.title}}', birthday)).toMatchObject({ message: '"property.title" is unknown; this trigger provides contact, owner, tenant, event', params: { namespaces: ['contact', 'owner', 'tenant', 'event'] } });
  });

  it('suggests the closest field when the typo is close, and nothing when it is not', () => {
    expect(only('{{contact.firstname}}')).toMatchObject({ message: '"contact.firstname" is not a field of contact; did you mean contact.firstName?', params: { suggestion: 'contact.firstName' } });
    expect(only('{{contat.email}}').params).toMatchObject({ suggestion: 'contact.email' });
    expect(only('Preis: {{money property.prise}}').params).toMatchObject({ suggestion: 'property.price', line: 1, column: 16 });
    expect(only('{{property.adress.city}}').params).toMatchObject({ suggestion: 'property.address.city' });
    expect(only('{{contact.xqzvbnmwrt}}').params).not.toHaveProperty('suggestion');
  });

  it('never takes what an object inherits for a namespace or a field', () => {
    for (const source of ['{{constructor.name}}', '{{__proto__.polluted}}', '{{contact.constructor}}', '{{hasOwnProperty}}', '{{greeting toString}}']) {
      expect(codes(source), source).toEqual(['unknown_variable']);
    }
  });

  it('refuses paths that step outside the event\'s entities', () => {
    for (const [source, construct] of [
      ['{{../contact.firstName}}', 'parent_path'],
      ['{{this}}', 'this'],
      ['{{this.contact.firstName}}', 'this'],
      ['{{./contact}}', 'this'],
      ['{{@root.contact.firstName}}', 'data_variable'],
      ['{{@index}}', 'data_variable'],
      ['{{date @root.activity.startsAt}}', 'data_variable'],
      ['{{#if ../owner}}x{{/if}}', 'parent_path'],
    ] as const) {
      expect(only(source), source).toMatchObject({ code: 'not_allowed', params: { construct } });
    }
  });

  it('refuses printing a whole entity or a group of fields, which would print [object Object]', () => {
    expect(only('{{contact}}')).toMatchObject({ code: 'not_allowed', params: { construct: 'object', path: 'contact' } });
    expect(only('{{property.address}}')).toMatchObject({ code: 'not_allowed', message: '"property.address" is a group of fields; name one of them, such as property.address.street' });
    expect(only('{{required property.address}}')).toMatchObject({ code: 'not_allowed', params: { construct: 'object' } });
  });

  it('reports at most twenty problems, quickly, however many the template holds', () => {
    const hostile = Array.from({ length: 2000 }, (_, i) => `{{contact.f${i}${'x'.repeat(i % 50)}}}`).join('');
    const started = performance.now();
    expect(templateProblems(hostile, scope)).toHaveLength(20);
    expect(templateProblems(`{{contact.${'a'.repeat(5000)}}}`, scope)).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(STALL_MS);
    expect(templateProblems('{{contact.vorname}} {{contact.vorname}}', scope)).toHaveLength(1);
  });
});

describe('syntax errors', () => {
  const syntax = (source: string) => {
    const problem = only(source);
    expect(problem.code).toBe('template_syntax');
    return problem;
  };

  it('names the line, the column and the cause in readable words', () => {
    expect(syntax('Hallo\n  {{contact.firstName}} {{}}')).toEqual({
      code: 'template_syntax',
      message: 'Line 2, column 27: expected a field name but found "}}"',
      params: { line: 2, column: 27, cause: 'expected a field name but found "}}"' },
    });
    expect(syntax('{{#if contact.phone}}\n  Tel. {{contact.phone}}').params).toEqual({ line: 2, column: 25, cause: 'expected a closing "{{/…}}" but found the end of the template' });
    expect(syntax('{{#if}}').params).toMatchObject({ cause: 'expected a closing "{{/…}}" but found the end of the template' });
    expect(syntax('{{#if contact.phone}}\n {{/if}}}').params).toEqual({ line: 2, column: 7, cause: 'expected "}}" but found "}}}"' });
    expect(syntax('{{date (required activity.startsAt}}').params).toMatchObject({ cause: 'expected ")" or a field name but found "}}"' });
    expect(syntax('{{money property.price currency=}}').params).toMatchObject({ column: 33, cause: 'expected a field name but found "}}"' });
  });

  it('names a block closed by the wrong name, and an invalid path, where Handlebars\' own checks find them', () => {
    expect(syntax('{{#if contact.phone}}x{{/unless}}')).toMatchObject({ message: 'Line 1, column 4: "{{/unless}}" does not close "{{#if}}"', params: { line: 1, column: 4 } });
    expect(syntax('a\n{{#unless owner}}\n{{/if}}').params).toEqual({ line: 2, column: 4, cause: '"{{/if}}" does not close "{{#unless}}"' });
    expect(syntax('{{contact/../owner}}').params).toMatchObject({ cause: '"contact/.." is not a valid path' });
  });

  it('names the usual slips: a "{{" left open, a stray {{else}} or {{/if}}, an unclosed comment', () => {
    expect(syntax('Hallo {{contact.firstName').params).toEqual({ line: 1, column: 7, cause: '"{{" is never closed with "}}"' });
    expect(syntax('Hallo {{contact.firstName}\n').params).toMatchObject({ cause: '"{{" is never closed with "}}"' });
    expect(syntax('x{{else}}y').params).toEqual({ line: 1, column: 2, cause: '"{{else}}" outside an "{{#if}}" or "{{#unless}}" block' });
    expect(syntax('x\n{{/if}}').params).toEqual({ line: 2, column: 1, cause: '"{{/…}}" closes no block' });
    expect(syntax('Hallo\n  {{!-- Notiz').params).toEqual({ line: 2, column: 3, cause: 'a comment "{{!--" is never closed with "--}}"' });
  });
});

describe('refused constructs', () => {
  it('refuses unescaped output, partials, decorators, raw blocks, block parameters and printed literals', () => {
    for (const [source, construct] of [
      ['{{{contact.lastName}}}', 'unescaped'],
      ['{{& contact.lastName}}', 'unescaped'],
      ['{{> header}}', 'partial'],
      ['{{#> layout}}x{{/layout}}', 'partial'],
      ['{{* decorate}}', 'decorator'],
      ['{{#*inline "x"}}y{{/inline}}', 'decorator'],
      ['{{{{raw}}}} {{contact.firstName}} {{{{/raw}}}}', 'raw_block'],
      ['{{{{if contact.phone}}}} {{x}} {{{{/if}}}}', 'raw_block'],
      ['{{#if contact.phone as |phone|}}{{phone}}{{/if}}', 'block_params'],
      ['{{"Erika"}}', 'literal_output'],
      ['{{42}}', 'literal_output'],
    ] as const) {
      expect(templateProblems(source, scope), source).toContainEqual(expect.objectContaining({ code: 'not_allowed', params: expect.objectContaining({ construct }) }));
    }
    expect(only('{{{contact.lastName}}}').message).toBe('Unescaped output ({{{ }}} or {{& }}) is not allowed');
  });

  it('gives every problem a snake_case code, an English message and params with its position', () => {
    const problems = templateProblems('{{{contact.nope}}}\n{{date "x" y=1}} {{> p}} {{#each a}}{{/each}} {{this}}', scope);
    expect(problems.length).toBeGreaterThanOrEqual(6);
    for (const problem of problems) {
      expect(problem.code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(problem.message.length).toBeGreaterThan(10);
      expect(problem.params).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    }
    expect(problems.find((p) => p.code === 'helper_arguments')!.params).toMatchObject({ line: 2, column: 8 });
  });
});

describe('empty variables', () => {
  it('lists what a template prints unguarded while the data has nothing there', () => {
    const source = 'Hallo {{contact.firstName}} {{contact.lastName}}, {{date activity.startsAt}} {{money property.price}} {{contact.firstName}} {{event.age}}';
    expect(emptyVariables(source, { contact: { firstName: '', lastName: 'M' }, property: { price: null }, event: { age: 0 } })).toEqual(['contact.firstName', 'activity.startsAt', 'property.price']);
  });

  it('ignores what #if or #unless guards, what greeting copes with, and what required already skips for', () => {
    const source = '{{#if contact.phone}}{{contact.phone}}{{else}}{{contact.email}}{{/if}}{{#unless owner}}{{owner.email}}{{/unless}} {{greeting contact}} {{required contact.company}} {{date (required activity.startsAt)}}';
    expect(emptyVariables(source, {})).toEqual([]);
  });

  it('counts inherited properties as empty and answers nothing for an unparsable template', () => {
    expect(emptyVariables('{{contact.constructor}} {{tenant.name}}', { contact: {}, tenant: { name: 'Acme' } })).toEqual(['contact.constructor']);
    expect(emptyVariables('{{contact.firstName', {})).toEqual([]);
    expect(emptyVariables('{{../contact.firstName}} {{this}} {{@root.x}}', {})).toEqual([]);
  });
});

describe('.ics invitations', () => {
  it('escapes values and folds long lines', () => {
    expect(escapeText('a,b;c\\d\ne')).toBe('a\\,b\\;c\\\\d\\ne');
    const long = `SUMMARY:${'ä'.repeat(60)}`;
    const folded = fold(long);
    for (const line of folded.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(long);
  });

  it('describes the appointment in UTC with organizer and attendee', () => {
    const ics = buildIcs({
      uid: 'a1@acme.crm',
      startsAt: '2026-12-03T14:00:00+01:00',
      endsAt: '2026-12-03T14:45:00+01:00',
      summary: 'Besichtigung; Altbau',
      location: 'Torstraße 1',
      organizer: { name: 'Acme "Immobilien"', email: 'info@acme.example' },
      attendee: { email: 'erika@example.com' },
      stamp: new Date('2026-11-27T00:00:00Z'),
    });
    expect(ics).toContain('DTSTART:20261203T130000Z\r\nDTEND:20261203T134500Z');
    expect(ics).toContain('SUMMARY:Besichtigung\\; Altbau');
    expect(ics).toContain('ORGANIZER;CN="Acme  Immobilien":mailto:info@acme.example');
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });
});
