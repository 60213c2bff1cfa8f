import { localConfig } from './config.ts';
import { startLocalStack } from './stack.ts';

/** `npm start`: the whole system on this machine, until Ctrl-C. */
async function main() {
  const stack = await startLocalStack({
    ...localConfig,
    log: (line) => console.log(line),
  });
  console.log(
    [
      'CRM automation engine running locally',
      `  API            ${stack.apiUrl}`,
      `  Admin page     ${stack.apiUrl}/admin (sign in with a tenant's id, e.g. acme)`,
      `  DynamoDB Local ${stack.dynamoEndpoint} (data in ${localConfig.dataDir})`,
      `  EventBridge    ${stack.bus.url} (recent events: ${stack.apiUrl}/_local/events)`,
      `  SES inbox      ${stack.sesUrl} (mail the automations sent)`,
      `  Sender domains POST /sender-domains, then npm run verify-domain -- --domain <domain> (platform inbound domain ${stack.senderDomains.platformInboundDomain})`,
      `  SMTP inbound   smtp://127.0.0.1:${stack.smtpPort} (mail for the tenants' inbound addresses)`,
      `  Birthdays      daily at 07:00 Europe/Berlin, next ${stack.nextBirthdayRun().toISOString()}; now: npm run birthdays -- --date YYYY-MM-DD`,
      `  Scheduler      ${stack.scheduler.url} (waiting runs wake here; the clock: ${stack.apiUrl}/_local/clock)`,
      `  Token          npm run token -- --tenant acme --role admin`,
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      // A second Ctrl-C: out now. Nothing is lost; the next start picks up where this one was.
      console.log(`\n${signal} again: exiting without waiting.`);
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await stack.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
