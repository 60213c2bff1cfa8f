import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { renderHtml, renderLine, renderText, templateProblems } from '#shared/automations/templates';
import { composeMime } from '#shared/engine/mailer';
import { buildIcs, escapeText, fold } from '#shared/engine/ics';

const data = {
  contact: { salutation: 'ms', firstName: 'Erika', lastName: '<script>alert(1)</script>', email: 'erika@example.com' },
  property: { title: 'Altbau & Garten', address: { city: 'Berlin' } },
  activity: { startsAt: '2026-12-03T13:00:00Z' },
  tenant: { name: 'Acme', timeZone: 'Europe/Berlin' },
  event: { date: '2026-11-27', age: 46 },
};

describe('templates', () => {
  it('escapes every value in HTML and keeps text as text', () => {
    const html = renderHtml('Hallo {{contact.lastName}}, {{property.title}}\nZeile 2', data);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Altbau &amp; Garten<br>');
    expect(html).not.toContain('<script>');
    expect(renderText('Hallo {{contact.lastName}}', data)).toBe('Hallo <script>alert(1)</script>');
  });

  it('renders a subject on one line, whatever the data holds', () => {
    const subject = renderLine('Termin für {{contact.firstName}}', { ...data, contact: { ...data.contact, firstName: 'Eve\r\nBcc: victim@example.com' } });
    expect(subject).toBe('Termin für Eve Bcc: victim@example.com');
  });

  it('never lets a line break in a value become a mail header', async () => {
    const mime = await composeMime({
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

  it('accepts the fields a trigger provides and names every problem otherwise', () => {
    expect(templateProblems('{{greeting contact}} {{property.address.city}} {{event.toStage}} {{date activity.startsAt}}', 'ActivityCreated')).toEqual([]);
    expect(templateProblems('{{contact.vorname}}', 'ContactCreated')).toEqual(['"contact.vorname" is not a field of contact']);
    expect(templateProblems('{{property.title}}', 'ContactBirthday')[0]).toMatch(/provides contact, owner, tenant, event/);
    expect(templateProblems('{{{contact.lastName}}}', 'ContactCreated')).toEqual(['Unescaped output ({{{ }}}) is not allowed']);
    expect(templateProblems('{{> header}}', 'ContactCreated')).toEqual(['Partials are not allowed']);
    expect(templateProblems('{{#each contact.email}}x{{/each}}', 'ContactCreated')[0]).toMatch(/Unknown block "each"/);
    expect(templateProblems('{{lookup contact "email"}}', 'ContactCreated')[0]).toMatch(/Unknown helper "lookup"/);
    expect(templateProblems('{{constructor.name}}', 'ContactCreated')[0]).toMatch(/provides/);
    expect(templateProblems('{{#if}}', 'ContactCreated')[0]).toMatch(/Not a valid template/);
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
