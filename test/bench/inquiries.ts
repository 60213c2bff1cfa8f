import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { parseInquiryMessage } from '#shared/inbound/parse-message';
import { hostileMessage } from '../support/hostile-mail.ts';
import { percentile, round } from './support.ts';

const DIR = join(import.meta.dirname, '../fixtures/inquiries');

/** Times the inbound function's parse (pre-scan, MIME, extraction), as it runs on every message. */
async function timeParse(raw: Buffer, runs: number): Promise<{ p50: number; p99: number; outcome: string }> {
  const times: number[] = [];
  let outcome = '';
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const parsed = await parseInquiryMessage(raw);
    times.push(performance.now() - start);
    outcome = parsed.status === 'received' ? `received (${parsed.format})` : 'refused';
  }
  return { p50: round(percentile(times, 50), 3), p99: round(percentile(times, 99), 3), outcome };
}

/**
 * Section 7: parsing per fixture, for a 5 MB message with a large attachment, and for a 1 MB
 * hostile message (test/support/hostile-mail.ts: unclosed tags, 900 headers, DOCTYPE XML; target
 * < 1 s; before the linear parser it took over 30 s).
 */
export async function inquiryParsing(runs = 200, bigRuns = 20): Promise<Array<{ message: string; bytes: number; p50Ms: number; p99Ms: number; outcome: string }>> {
  const rows = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.eml')).sort()) {
    const raw = readFileSync(join(DIR, file));
    const { p50, p99, outcome } = await timeParse(raw, runs);
    rows.push({ message: file.replace(/\.eml$/, ''), bytes: raw.length, p50Ms: p50, p99Ms: p99, outcome });
  }
  const big = await new Promise<Buffer>((resolve, reject) =>
    new MailComposer({
      from: 'ImmobilienScout24 <noreply@immobilienscout24.de>',
      to: 'anfragen@acme.example',
      subject: 'Anfrage mit Unterlagen',
      text: 'Anrede: Frau\nVorname: Julia\nNachname: Schäfer\nE-Mail: julia@example.org\nScout-ID: 148923311\n',
      attachments: [
        { filename: 'grundriss.pdf', contentType: 'application/pdf', content: randomBytes(3_700_000) },
        {
          filename: 'kontaktanfrage.xml',
          contentType: 'application/xml',
          content: '<?xml version="1.0"?><openimmo_feedback><objekt><oobj_id>MI-2026-014</oobj_id><interessent><nachname>Schäfer</nachname><email>julia@example.org</email></interessent></objekt></openimmo_feedback>',
        },
      ],
    })
      .compile()
      .build((error, message) => (error ? reject(error) : resolve(message))),
  );
  const bigTimes = await timeParse(big, bigRuns);
  rows.push({ message: '5 MB with attachment', bytes: big.length, p50Ms: bigTimes.p50, p99Ms: bigTimes.p99, outcome: bigTimes.outcome });
  const hostile = hostileMessage();
  const hostileTimes = await timeParse(hostile, bigRuns);
  rows.push({ message: '1 MB hostile message', bytes: hostile.length, p50Ms: hostileTimes.p50, p99Ms: hostileTimes.p99, outcome: hostileTimes.outcome });
  return rows;
}
