import { createHttpHandler } from '#shared/api/http-handler';
import { createDocumentClient, requireEnv } from '#shared/aws/clients';
import { createCrmStores } from '#shared/stores/crm-stores';

// Built once per container: warm invocations reuse the client and its connections.
const stores = createCrmStores(createDocumentClient(), requireEnv('CRM_TABLE_NAME'));

/** The CRM's HTTP API: one function behind every route, dispatching on API Gateway's route key. */
export const handler = createHttpHandler(stores);
