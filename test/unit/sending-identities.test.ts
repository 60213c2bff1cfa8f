import { AlreadyExistsException, CreateEmailIdentityCommand, CreateTenantCommand, CreateTenantResourceAssociationCommand, GetEmailIdentityCommand, NotFoundException, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { isPermanent, provenNotSent } from '#shared/engine/errors';
import { recordToEvents } from '#shared/events/stream-mapping';
import { SesMailer } from '#shared/engine/mailer';
import { isOwnPlatformAddress } from '#shared/senders/address-rules';
import { domainProblem } from '#shared/senders/domain-name';
import { dkimRecords, sesTenantName, statusOfIdentity } from '#shared/senders/identity-service';
import { LocalIdentityService } from '#shared/senders/local-identity-service';
import { SesIdentityService } from '#shared/senders/ses-identity-service';
import { streamRecord } from '../support/stream-records.ts';

const PLATFORM = 'inbound.crm.example';
const problem = (value: unknown) => domainProblem(value, 'domain', PLATFORM)?.code;

describe('sender domain names', () => {
  it('accept lower-case ASCII names, IDNA A-labels included', () => {
    for (const ok of ['acme-immobilien.de', 'a.b.c.acme.example', 'xn--mller-kva.de', 'acme.xn--p1ai', `${'a'.repeat(63)}.de`, 'x1.io']) expect(problem(ok), ok).toBeUndefined();
  });

  it.each([
    ['ACME.de', 'not_lower_case'],
    ['müller.de', 'not_ascii'],
    ['10.0.0.1', 'ip_literal'],
    ['[2001:db8::1]', 'ip_literal'],
    ['2001:db8::1', 'ip_literal'],
    ['acme', 'single_label'],
    ['acme.de.', 'trailing_dot'],
    ['.acme.de', 'empty_label'],
    ['acme-.de', 'hyphen_position'],
    ['a*b.de', 'invalid_characters'],
    ['acme.de:25', 'invalid_characters'],
    ['acme\u0000.de', 'invalid_characters'],
    ['acme\t.de', 'invalid_characters'],
    ['ab--c.de', 'reserved_label'],
    ['xn--.de', 'hyphen_position'],
    ['xn--zz.de', 'invalid_idna'],
    ['xn--a.de', 'invalid_idna'],
    ['acme.d', 'invalid_tld'],
    ['acme.4', 'invalid_tld'],
    [`${'a'.repeat(64)}.de`, 'label_too_long'],
    [`${'a.'.repeat(127)}de`, 'too_big'],
    [PLATFORM, 'reserved_domain'],
    [`tenant.${PLATFORM}`, 'reserved_domain'],
    ['', 'required'],
    [null, 'invalid_type'],
    [['acme.de'], 'invalid_type'],
  ])('refuse %j with %s', (value, code) => {
    expect(problem(value)).toBe(code);
  });

  it('name the failing field and suggest the fix where there is one', () => {
    expect(domainProblem('Acme.DE', 'x', PLATFORM)).toMatchObject({ path: 'x', params: { suggestion: 'acme.de' } });
    expect(domainProblem('müller.de', 'domain', PLATFORM)).toMatchObject({ params: { suggestion: 'xn--mller-kva.de' } });
  });
});

describe('SES tenant names', () => {
  it('are crm_<tenantId>, valid SES names of at most 64 characters', () => {
    expect(sesTenantName('acme')).toBe('crm_acme');
    for (const id of ['ab', 'acme-immobilien', 'a'.repeat(60), 'a'.repeat(61), 'b'.repeat(63), `t-${'0'.repeat(61)}`]) {
      const name = sesTenantName(id);
      expect(name, id).toMatch(/^crm_[A-Za-z0-9_-]{1,60}$/);
      expect(name.length, id).toBeLessThanOrEqual(64);
    }
  });

  it('never give two tenants the same SES tenant, long ids included', () => {
    const long = (suffix: string) => `${'x'.repeat(58)}-${suffix}`;
    const ids = ['a'.repeat(60), 'a'.repeat(61), 'a'.repeat(62), 'a'.repeat(63), long('1'), long('2'), long('12'), `${'a'.repeat(43)}_${'0'.repeat(16)}`.replace('_', '-')];
    const names = ids.map(sesTenantName);
    expect(new Set(names).size).toBe(ids.length);
    // A shortened name carries a `_`, which no tenant id (and so no plain name) has.
    expect(sesTenantName('a'.repeat(61)).split('_')).toHaveLength(3);
  });
});

describe('platform inbound addresses', () => {
  it('are the tenant\'s own: <tenantId>@ and <tenantId>+<tag>@ the platform domain', () => {
    expect(isOwnPlatformAddress('acme', `acme@${PLATFORM}`, PLATFORM)).toBe(true);
    expect(isOwnPlatformAddress('acme', `acme+immoscout@${PLATFORM}`, PLATFORM)).toBe(true);
    expect(isOwnPlatformAddress('acme', `ACME+Portal.1@${PLATFORM.toUpperCase()}`, PLATFORM)).toBe(true);
    for (const other of [`acme-b@${PLATFORM}`, `acme2@${PLATFORM}`, `acme+@${PLATFORM}`, `acme++x@${PLATFORM}`, `acme+${'x'.repeat(41)}@${PLATFORM}`, `xacme@${PLATFORM}`, 'acme@crm.example', `acme@sub.${PLATFORM}`]) {
      expect(isOwnPlatformAddress('acme', other, PLATFORM), other).toBe(false);
    }
    // The tenant `acme-b` cannot claim `acme`'s address, nor the other way round.
    expect(isOwnPlatformAddress('acme-b', `acme@${PLATFORM}`, PLATFORM)).toBe(false);
    expect(isOwnPlatformAddress('acme', `acme-b+x@${PLATFORM}`, PLATFORM)).toBe(false);
  });
});

describe('identity status', () => {
  it('is verified once SES may send, failed when verification failed, pending otherwise', () => {
    expect(statusOfIdentity({ VerifiedForSendingStatus: true, DkimAttributes: { Status: 'SUCCESS' } })).toBe('verified');
    expect(statusOfIdentity({ VerifiedForSendingStatus: false, DkimAttributes: { Status: 'FAILED' } })).toBe('failed');
    expect(statusOfIdentity({ VerificationStatus: 'FAILED' })).toBe('failed');
    expect(statusOfIdentity({ VerificationStatus: 'TEMPORARY_FAILURE', DkimAttributes: { Status: 'TEMPORARY_FAILURE' } })).toBe('pending');
    expect(statusOfIdentity({})).toBe('pending');
    expect(dkimRecords('acme.de', ['abc'])).toEqual([{ name: 'abc._domainkey.acme.de', type: 'CNAME', value: 'abc.dkim.amazonses.com' }]);
  });
});

const ses = mockClient(SESv2Client);
beforeEach(() => ses.reset());

describe('SesIdentityService', () => {
  const service = () => new SesIdentityService(new SESv2Client({ region: 'eu-central-1' }), { identityArn: (d) => `arn:aws:ses:eu-central-1:123456789012:identity/${d}` });
  const exists = () => new AlreadyExistsException({ message: 'exists', $metadata: {} });

  it('creates the SES tenant and the Easy DKIM identity, associates them, and answers the records', async () => {
    ses.on(GetEmailIdentityCommand).resolves({ VerifiedForSendingStatus: false, DkimAttributes: { Status: 'PENDING', Tokens: ['t1', 't2', 't3'] } });
    const state = await service().register('acme', 'acme.de');
    expect(ses.commandCalls(CreateTenantCommand)[0]!.args[0].input).toEqual({ TenantName: 'crm_acme' });
    expect(ses.commandCalls(CreateEmailIdentityCommand)[0]!.args[0].input).toEqual({ EmailIdentity: 'acme.de', DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' } });
    expect(ses.commandCalls(CreateTenantResourceAssociationCommand)[0]!.args[0].input).toEqual({ TenantName: 'crm_acme', ResourceArn: 'arn:aws:ses:eu-central-1:123456789012:identity/acme.de' });
    expect(state).toEqual({ status: 'pending', dkimRecords: dkimRecords('acme.de', ['t1', 't2', 't3']) });
  });

  it('completes a registration an earlier attempt cut short: AlreadyExists is no error', async () => {
    ses.on(CreateTenantCommand).rejects(exists()).on(CreateEmailIdentityCommand).rejects(exists()).on(CreateTenantResourceAssociationCommand).rejects(exists());
    ses.on(GetEmailIdentityCommand).resolves({ VerifiedForSendingStatus: true, DkimAttributes: { Status: 'SUCCESS', Tokens: ['t'] } });
    expect((await service().register('acme', 'acme.de')).status).toBe('verified');
  });

  it('passes other SES errors on, and reads an unknown identity as undefined', async () => {
    ses.on(CreateTenantCommand).rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
    await expect(service().register('acme', 'acme.de')).rejects.toThrow('slow down');
    ses.on(GetEmailIdentityCommand).rejects(new NotFoundException({ message: 'nope', $metadata: {} }));
    expect(await service().describe('acme.de')).toBeUndefined();
  });
});

describe('SesMailer', () => {
  it('sends raw MIME with SES v2, From the sender address, through the tenant\'s SES tenant', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const mailer = new SesMailer(new SESv2Client({ region: 'eu-central-1' }), { configurationSet: 'crm' });
    const sent = await mailer.send({
      tenantId: 'acme',
      from: { name: 'Acme Immobilien', address: 'info@acme.de' },
      to: 'erika@example.com',
      subject: 'Termin',
      html: '<p>Hallo</p>',
      text: 'Hallo',
      attachments: [{ filename: 'einladung.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR' }],
    });
    expect(sent).toEqual({ messageId: 'm-1' });
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ TenantName: 'crm_acme', FromEmailAddress: 'info@acme.de', Destination: { ToAddresses: ['erika@example.com'] }, ConfigurationSetName: 'crm' });
    const raw = Buffer.from(input.Content!.Raw!.Data!).toString('utf8');
    expect(raw).toMatch(/^From: "Acme Immobilien" <info@acme\.de>$/m);
    expect(raw).toContain('filename="einladung.ics"');
  });

  it('keeps SES v2\'s error names: a rejection is permanent and proven unsent, throttling retried', () => {
    const rejected = Object.assign(new Error('not associated'), { name: 'MessageRejected', $metadata: { httpStatusCode: 400 } });
    expect(isPermanent(rejected)).toBe(true);
    expect(provenNotSent(rejected)).toBe(true);
    for (const name of ['SendingPausedException', 'AccountSuspendedException', 'BadRequestException', 'NotFoundException']) expect(isPermanent({ name }), name).toBe(true);
    for (const name of ['TooManyRequestsException', 'LimitExceededException', 'Throttling']) {
      expect(isPermanent({ name }), name).toBe(false);
      expect(provenNotSent({ name }), name).toBe(true);
    }
  });
});

describe('LocalIdentityService', () => {
  it('lets a tenant send only from its own verified identities', async () => {
    const local = new LocalIdentityService();
    await local.register('a', 'a.example');
    await local.register('b', 'b.example');
    expect(local.maySend('a', 'info@a.example')).toBe(false);
    local.verify('a.example');
    expect(local.maySend('a', 'info@a.example')).toBe(true);
    expect(local.maySend('b', 'info@a.example')).toBe(false);
    expect((await local.describe('a.example'))?.status).toBe('verified');
    expect(await local.describe('c.example')).toBeUndefined();
  });
});

describe('sender domain items in the stream', () => {
  it('raise no event', () => {
    const item = { id: 'acme.de', tenantId: 'acme', domain: 'acme.de', status: 'pending', dkimRecords: [], createdAt: '2026-11-27T09:00:00Z', updatedAt: '2026-11-27T09:00:00Z' };
    expect(recordToEvents(streamRecord('INSERT', 'SENDER_DOMAIN', item))).toEqual([]);
    expect(recordToEvents(streamRecord('MODIFY', 'SENDER_DOMAIN', { ...item, status: 'verified' }, item))).toEqual([]);
  });
});
