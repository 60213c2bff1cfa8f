import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient, unwrap } from '#shared/api/client/client';
import { contractCheck, ContractViolation } from '../support/contract.ts';

const contact = { id: '01J0000000000000000000000A', tenantId: 't', version: 1, createdAt: '2026-11-27T09:00:00.000Z', updatedAt: '2026-11-27T09:00:00.000Z', lastName: 'Musterfrau', newsletter: false, gdprConsent: false, archived: false };

/** The typed client against a fake API that answers `status` and `body`, with the tests' contract check. */
function clientAnswering(status: number, body: unknown) {
  const fetch = async () => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const client = createApiClient({ baseUrl: 'http://api.test', token: 'token', fetch });
  client.use(contractCheck().middleware());
  return client;
}
const getContact = (status: number, body: unknown) => unwrap(clientAnswering(status, body).GET('/contacts/{id}', { params: { path: { id: contact.id } } }));

describe('the contract check of the tests\' client', () => {
  it('passes an answer the document describes', async () => {
    await expect(getContact(200, contact)).resolves.toEqual(contact);
    await expect(getContact(404, { error: { code: 'not_found', message: 'No contact', fields: [] } })).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('fails a call whose answer lost a field, gained one or changed a type', async () => {
    const { version: _version, ...withoutVersion } = contact;
    await expect(getContact(200, withoutVersion)).rejects.toThrow(ContractViolation);
    await expect(getContact(200, { ...contact, nickname: 'Eri' })).rejects.toThrow(/must NOT have additional properties/);
    await expect(getContact(200, { ...contact, newsletter: 'yes' })).rejects.toThrow(/newsletter must be boolean/);
  });

  it('fails a status the route does not document, and an error code its status does not carry', async () => {
    await expect(getContact(409, { error: { code: 'duplicate', message: 'x', fields: [] } })).rejects.toThrow(/does not document status 409/);
    await expect(getContact(404, { error: { code: 'gone', message: 'x', fields: [] } })).rejects.toThrow(ContractViolation);
  });

  it("takes API Gateway's own answers: 401 without a token, 404 for a path no route has", async () => {
    await expect(getContact(401, { message: 'Unauthorized' })).rejects.toEqual(new ApiError(401, 'http_401', 'Unauthorized'));
    const check = contractCheck();
    expect(check.problems('GET', '/contacts/a/b/c', 404, { message: 'Not Found' })).toEqual([]);
    expect(check.problems('GET', '/admin/index.html', 200, '<html>')).toEqual([]);
  });
});
