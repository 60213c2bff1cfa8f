import { createDocumentClient, requireEnv } from '#shared/aws/clients';
import { createSesEventsHandler } from '#shared/senders/ses-events';
import { createCrmStores } from '#shared/stores/crm-stores';

// Clients once per container.
const doc = createDocumentClient();

/**
 * SES bounce and complaint events (the configuration set's EventBridge destination, a rule on the
 * default bus) -> the contacts with those addresses marked (`emailStatus`).
 */
export const handler = createSesEventsHandler({ contacts: createCrmStores(doc, requireEnv('CRM_TABLE_NAME')).contacts });
