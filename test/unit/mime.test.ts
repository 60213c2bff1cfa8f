import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMessage, encodeWords } from '#shared/engine/mime';

const base = { from: { name: 'Acme Immobilien', address: 'info@acme.example' }, to: 'erika@example.com', subject: 'Hallo', text: 'Text', html: '<p>HTML</p>' };

describe('the MIME composer', () => {
  it('writes what a mail reader reads back: names, subject, text, HTML and the invitation', async () => {
    const raw = composeMessage({
      ...base,
      from: { name: 'Müller & Söhne "Immobilien"', address: 'info@acme.example' },
      replyTo: 'anna@acme.example',
      subject: 'Ihr Besichtigungstermin – Torstraße 😀',
      text: 'Sehr geehrte Frau Schäfer,\nbis bald.',
      attachments: [{ filename: 'einladung.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR' }],
    });
    const mail = await simpleParser(raw);
    expect(mail.from?.value).toEqual([{ name: 'Müller & Söhne "Immobilien"', address: 'info@acme.example' }]);
    expect(mail.replyTo?.value[0]?.address).toBe('anna@acme.example');
    expect(mail.subject).toBe('Ihr Besichtigungstermin – Torstraße 😀');
    expect(mail.text).toBe('Sehr geehrte Frau Schäfer,\nbis bald.');
    expect(mail.html).toBe('<p>HTML</p>');
    expect(mail.attachments.map((a) => [a.filename, a.contentType, a.content.toString('utf8')])).toEqual([['einladung.ics', 'text/calendar', 'BEGIN:VCALENDAR\r\nEND:VCALENDAR']]);
    expect(mail.messageId).toMatch(/@acme\.example>$/);
  });

  it('never lets a value start a header: names, addresses, subjects, file names and content types', async () => {
    const raw = composeMessage({
      ...base,
      from: { name: 'Acme\r\nBcc: x@evil.example', address: 'info@acme.example\r\nBcc: y@evil.example' },
      to: 'erika@example.com>\nBcc: z@evil.example',
      subject: 'A\r\nBcc: s@evil.example',
      attachments: [{ filename: 'a"\r\nBcc: f@evil.example.ics', contentType: 'text/plain\r\nBcc: c@evil.example', content: 'x' }],
    });
    const mail = await simpleParser(raw);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(raw.toString('utf8')).not.toMatch(/\r\nBcc:/i);
    expect(mail.subject).toBe('A Bcc: s@evil.example');
  });

  it('keeps every line within the 998 characters mail allows, however long the subject or body', () => {
    const raw = composeMessage({ ...base, subject: 'ä'.repeat(300), text: 'x'.repeat(100_000), html: `<p>${'y'.repeat(100_000)}</p>` });
    const longest = Math.max(...raw.toString('utf8').split('\r\n').map((line) => line.length));
    expect(longest).toBeLessThanOrEqual(998);
  });

  it('encodes words without splitting a character and within 75 characters each', () => {
    const words = encodeWords('😀'.repeat(40)).split('\r\n ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) {
      expect(word.length).toBeLessThanOrEqual(75);
      expect(Buffer.from(word.slice(10, -2), 'base64').toString('utf8')).toMatch(/^(😀)+$/u);
    }
  });
});
