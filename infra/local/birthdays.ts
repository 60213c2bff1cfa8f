import { parseArgs } from 'node:util';
import { localConfig } from './config.ts';

/**
 * `npm run birthdays -- --date 2026-11-27`: the manual trigger of the daily birthday check on the
 * running local stack (all tenants, as the schedule runs it). Without --date: today in Berlin.
 */
const { values } = parseArgs({ options: { date: { type: 'string' } } });
const url = `http://localhost:${localConfig.apiPort}/_local/birthday-runs${values.date ? `?date=${encodeURIComponent(values.date)}` : ''}`;
try {
  const response = await fetch(url, { method: 'POST' });
  const body = await response.text();
  if (!response.ok) {
    console.error(`Birthday run refused (${response.status}): ${body}`);
    process.exit(1);
  }
  console.log(body);
} catch (error) {
  console.error(`No local stack answers at ${url}: start it with \`npm start\` first. (${(error as Error).message})`);
  process.exit(1);
}
