import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { extractInquiry } from '#shared/inbound/extract';
import { parseMail } from '#shared/inbound/mail';
import { percentile, round } from './support.ts';

const DIR = join(import.meta.dirname, '../fixtures/inquiries');

async function timeParse(raw: Buffer, runs: number): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    extractInquiry(await parseMail(raw));
    times.push(performance.now() - start);
  }
  return { p50: round(percentile(times, 50), 3), p99: round(percentile(times, 99), 3) };
}

/** Section 7: MIME parsing and extraction per fixture, and for a 5 MB message with a large attachment. */
export async function inquiryParsing(runs = 200): Promise<Array<{ message: string; bytes: number; p50Ms: number; p99Ms: number }>> {
  const rows = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.eml')).sort()) {
    const raw = readFileSync(join(DIR, file));
    const { p50, p99 } = await timeParse(raw, runs);
    rows.push({ message: file.replace(/\.eml$/, ''), bytes: raw.length, p50Ms: p50, p99Ms: p99 });
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
  const { p50, p99 } = await timeParse(big, 20);
  rows.push({ message: '5 MB with attachment', bytes: big.length, p50Ms: p50, p99Ms: p99 });
  return rows;
}
