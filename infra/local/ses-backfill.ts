import { SESv2Client } from '@aws-sdk/client-sesv2';
import { parseArgs } from 'node:util';
import { SesIdentityService } from '#shared/senders/ses-identity-service';

/**
 * `npm run ses-backfill -- --configuration-set-arn <ARN> --region eu-central-1`: associates the
 * stack's SES configuration set (the `SesEventsConfigurationSetArn…` output) with every CRM tenant in SES.
 * Run it once after the first deploy that brought the configuration set: tenants registered before
 * it lack the association, and SES refuses their sends with it. Safe to repeat. Uses the AWS
 * profile's credentials; `AWS_ENDPOINT_URL_SESV2` points it elsewhere (the local stand-in).
 */
const { values } = parseArgs({ options: { 'configuration-set-arn': { type: 'string' }, region: { type: 'string' } } });
const configurationSetArn = values['configuration-set-arn'];
if (!configurationSetArn || !values.region) {
  console.error('Usage: npm run ses-backfill -- --configuration-set-arn arn:aws:ses:<region>:<account>:configuration-set/<name> --region <region>');
  process.exit(2);
}
const client = new SESv2Client({ region: values.region });
try {
  // Identities are not touched: only the configuration set's association.
  const service = new SesIdentityService(client, { identityArn: (domain) => domain, configurationSetArn });
  const { associated, already, gone } = await service.associateConfigurationSetWithAllTenants();
  console.log(`Associated ${configurationSetArn} with ${associated.length} tenant(s)${associated.length ? `: ${associated.join(', ')}` : ''}; ${already} had it already${gone ? `, ${gone} were deleted meanwhile` : ''}.`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
} finally {
  client.destroy();
}
