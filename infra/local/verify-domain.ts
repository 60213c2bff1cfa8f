import { parseArgs } from 'node:util';
import { localConfig } from './config.ts';
import { verifyDomainLocally } from './ses-v2.ts';

/**
 * `npm run verify-domain -- --domain acme.example`: marks a registered sender domain verified in
 * the running local stack's SES stand-in, as publishing its DKIM records would in AWS
 * (`--fail` marks it failed instead). `GET /sender-domains/{domain}` then shows the new status, and
 * the tenant may use the domain in its settings.
 */
const { values } = parseArgs({ options: { domain: { type: 'string' }, fail: { type: 'boolean', default: false } } });
if (!values.domain) {
  console.error('Usage: npm run verify-domain -- --domain acme.example [--fail]');
  process.exit(2);
}
const sesUrl = `http://localhost:${localConfig.sesPort}`;
try {
  await verifyDomainLocally(sesUrl, values.domain, values.fail ? 'failed' : 'verified');
  console.log(`${values.domain}: ${values.fail ? 'failed' : 'verified'} (local SES at ${sesUrl})`);
} catch (error) {
  const message = (error as Error).message;
  if (/fetch failed|ECONNREFUSED/.test(message)) console.error(`No local stack answers at ${sesUrl}: start it with \`npm start\` first. (${message})`);
  else console.error(`${message}\nRegister the domain first: POST /sender-domains {"domain":"${values.domain}"}`);
  process.exit(1);
}
