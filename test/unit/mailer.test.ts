import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { provenNotSent } from '#shared/engine/errors';
import { SesMailer } from '#shared/engine/mailer';

const mail = { tenantId: 'acme', from: { address: 'info@acme.example' }, to: 'erika@example.com', subject: 'Hallo', text: 'x', html: '<p>x</p>' };
const saved = { endpoint: process.env.AWS_ENDPOINT_URL_SESV2, region: process.env.AWS_REGION, key: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

afterEach(() => {
  for (const [name, value] of [['AWS_ENDPOINT_URL_SESV2', saved.endpoint], ['AWS_REGION', saved.region], ['AWS_ACCESS_KEY_ID', saved.key], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('the mailer', () => {
  it('sends once when SES fails ambiguously: the SDK never retries a send SES may have taken', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' });
      res.end('{"message":"Internal failure"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SESV2: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    try {
      const error = await new SesMailer().send(mail).catch((e: unknown) => e);
      expect(requests).toBe(1);
      // A 5xx leaves it open whether SES took the mail: the engine must not retry it either.
      expect(provenNotSent(error)).toBe(false);
    } finally {
      server.close();
    }
  });
});
