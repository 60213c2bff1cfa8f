import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { localConfig } from './config.ts';
import { DevAuth } from './dev-auth.ts';

/** `npm run token -- --tenant acme --role admin`: prints a dev token on its last line. */
const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'acme' },
    role: { type: 'string', default: 'admin' },
    sub: { type: 'string' },
    'expires-in': { type: 'string', default: '12h' },
  },
});
if (values.role !== 'admin' && values.role !== 'agent') {
  console.error('--role must be admin or agent');
  process.exit(2);
}
const auth = await DevAuth.load(join(localConfig.dataDir, 'dev-keys.json'));
const token = await auth.sign({ tenantId: values.tenant!, role: values.role, sub: values.sub, expiresIn: values['expires-in'] });
console.error(`Dev token for tenant "${values.tenant}" as ${values.role} (valid ${values['expires-in']}):`);
console.log(token);
