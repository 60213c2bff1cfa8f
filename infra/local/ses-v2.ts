import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import sesLocal from 'aws-ses-v2-local';
import { dkimTokens } from '#shared/senders/local-identity-service';

/**
 * A small SES v2 stand-in in front of aws-ses-v2-local. It serves the identity and tenant calls
 * the CRM makes, as JSON over SES v2's REST paths, so the real `SESv2Client` talks to it:
 * `CreateEmailIdentity` (`POST /v2/email/identities`, Easy DKIM tokens), `GetEmailIdentity`
 * (`GET /v2/email/identities/{identity}`), `CreateTenant` (`POST /v2/email/tenants`) and
 * `CreateTenantResourceAssociation` (`POST /v2/email/tenants/resources`). On `SendEmail`
 * (`POST /v2/email/outbound-emails`) it plays SES's tenant check: the send must name a
 * `TenantName`, and every From address (`FromEmailAddress` and the raw message's From header)
 * must be a verified identity (the address itself or its domain) associated with that tenant;
 * otherwise it answers 400 `MessageRejected` as SES does, and nothing reaches the inbox. A send
 * that passes is forwarded to aws-ses-v2-local's `/v2/email/outbound-emails`, so the web inbox
 * and `/store` show it. SES v1 sends (`POST /` with `Action=SendEmail|SendRawEmail`) and bulk sends
 * are refused (`AccessDenied`), as the runners' IAM policy allows only SES v2's `SendEmail`.
 * Everything else (the inbox page, `/store`) is passed through to aws-ses-v2-local.
 *
 * Identities start `PENDING`; only the dev command verifies them (DNS does in AWS):
 * `POST /_local/identities/{identity}/verify` (`{"status": "SUCCESS" | "FAILED"}`, default
 * SUCCESS), called by `npm run verify-domain` and by tests through `verifyDomainLocally`.
 * `GET /_local/identities` lists identities and tenants. The state is kept in `statePath`, so a
 * restarted `npm start` still knows which domains were verified.
 */

export type LocalVerificationStatus = 'PENDING' | 'SUCCESS' | 'FAILED';

interface LocalIdentity {
  type: 'DOMAIN' | 'EMAIL_ADDRESS';
  status: LocalVerificationStatus;
  tokens: string[];
  createdAt: string;
}

interface LocalTenant {
  id: string;
  arn: string;
  createdAt: number;
  /** Names of the identities associated with the tenant. */
  identities: string[];
  /** Names of the configuration sets associated with the tenant (a send naming another is refused). */
  configurationSets?: string[];
}

interface State {
  identities: Record<string, LocalIdentity>;
  tenants: Record<string, LocalTenant>;
}

export interface LocalSesOptions {
  /** Port of the stand-in (the SES endpoint and its inbox); 0 for any free port. */
  port: number;
  region: string;
  /** Where identities and tenants are kept across restarts; in memory only when absent. */
  statePath?: string;
  log?: (line: string) => void;
  /**
   * Where SES events go: a send to one of SES's mailbox-simulator addresses
   * (`bounce@simulator.amazonses.com`, `bounce+<anything>@…`, `complaint@…`, `complaint+<anything>@…`)
   * is delivered, and shortly after, asynchronously as in SES, its Bounce or Complaint event is
   * passed here in the envelope SES's EventBridge destination uses (`source: aws.ses`,
   * `detail-type: Email Bounced | Email Complaint Received`, `detail`: the SES event with the
   * send's message tags). A failing receiver is retried twice, then the event is logged and dropped.
   */
  onEvent?: (event: SesEventEnvelope) => Promise<unknown>;
  /** Delay before an event is delivered. @default 50 */
  eventDelayMs?: number;
}

/** An SES event as SES's EventBridge destination delivers it. */
export interface SesEventEnvelope {
  version: '0';
  id: string;
  source: 'aws.ses';
  account: string;
  time: string;
  region: string;
  resources: string[];
  'detail-type': 'Email Bounced' | 'Email Complaint Received';
  detail: Record<string, unknown>;
}

const SIMULATOR = /^(bounce|complaint)(\+[^@]*)?@simulator\.amazonses\.com$/i;

export interface LocalSes {
  /** The SES v2 endpoint, the inbox at this URL and the sent mail at `${url}/store`. */
  url: string;
  /** `arn:aws:ses:<region>:000000000000:identity/`: the prefix of the identity ARNs the stand-in takes. */
  identityArnPrefix: string;
  /** `arn:aws:ses:<region>:000000000000:configuration-set/`: a configuration set's ARN is this and its name. */
  configurationSetArnPrefix: string;
  /** Resolves once the SES events of the sends so far have been delivered (tests). */
  eventsDelivered(): Promise<void>;
  /** Marks an identity verified (`SUCCESS`) or failed, as DNS would. Throws for an unknown identity. */
  verify(identity: string, status?: Exclude<LocalVerificationStatus, 'PENDING'>): void;
  stop(): Promise<void>;
}

const LOCAL_ACCOUNT = '000000000000';
const MAX_BODY = 40 * 1024 * 1024;
const TENANT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** An SES v2 error: JSON with the error type in `x-amzn-ErrorType`, which the SDK turns into the error's name. */
class SesError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** aws-ses-v2-local, a CommonJS package: under plain Node ESM (tsx) its default export is wrapped once more. */
async function startSesInbox(): Promise<{ server: Server; url: string }> {
  const start = ((sesLocal as unknown as { default?: typeof sesLocal }).default ?? sesLocal) as typeof sesLocal;
  const server = await start({ host: '127.0.0.1', port: 0 });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new SesError(400, 'MessageRejected', `The request exceeds ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* below */
  }
  throw new SesError(400, 'BadRequestException', 'The request body is not a JSON object');
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...headers });
  res.end(JSON.stringify(body));
}

/** The addresses a raw message's From header names. */
async function fromHeaderAddresses(raw: Buffer): Promise<string[]> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  const from = parsed.from as AddressObject | undefined;
  return (from?.value ?? []).flatMap((a) => (a.address ? [a.address] : a.group?.flatMap((g) => (g.address ? [g.address] : [])) ?? []));
}

export async function startLocalSes(options: LocalSesOptions): Promise<LocalSes> {
  const log = options.log ?? (() => undefined);
  const identityArnPrefix = `arn:aws:ses:${options.region}:${LOCAL_ACCOUNT}:identity/`;
  const configurationSetArnPrefix = `arn:aws:ses:${options.region}:${LOCAL_ACCOUNT}:configuration-set/`;
  const state: State = options.statePath && existsSync(options.statePath) ? (JSON.parse(readFileSync(options.statePath, 'utf8')) as State) : { identities: {}, tenants: {} };
  const persist = () => {
    if (!options.statePath) return;
    mkdirSync(dirname(options.statePath), { recursive: true });
    writeFileSync(options.statePath, JSON.stringify(state, null, 2));
  };
  const inbox = await startSesInbox();

  function identityView(identity: LocalIdentity) {
    return {
      IdentityType: identity.type,
      FeedbackForwardingStatus: true,
      VerifiedForSendingStatus: identity.status === 'SUCCESS',
      VerificationStatus: identity.status,
      ...(identity.type === 'DOMAIN'
        ? { DkimAttributes: { SigningEnabled: true, Status: identity.status, Tokens: identity.tokens, SigningAttributesOrigin: 'AWS_SES', NextSigningKeyLength: 'RSA_2048_BIT', CurrentSigningKeyLength: 'RSA_2048_BIT' } }
        : {}),
      Tags: [],
    };
  }

  function verify(name: string, status: Exclude<LocalVerificationStatus, 'PENDING'> = 'SUCCESS'): void {
    const identity = state.identities[name.toLowerCase()];
    if (!identity) throw new SesError(404, 'NotFoundException', `Identity ${name} does not exist.`);
    identity.status = status;
    persist();
    log(`[ses] identity ${name} ${status === 'SUCCESS' ? 'verified' : 'failed'}`);
  }

  /**
   * SES's check of a send: each From address has a verified identity associated with the send's
   * tenant, and so has the configuration set it names, if any.
   */
  function refusal(tenantName: string | undefined, addresses: string[], configurationSet: string | undefined): string | undefined {
    if (!tenantName) return 'The local SES stand-in refuses a send without TenantName: every CRM send names its SES tenant.';
    const tenant = state.tenants[tenantName];
    if (!tenant) return `Tenant ${tenantName} does not exist.`;
    if (configurationSet && !tenant.configurationSets?.includes(configurationSet)) return `The configuration set ${configurationSet} is not associated with tenant ${tenantName}.`;
    if (addresses.length === 0) return 'The message names no From address.';
    for (const address of addresses) {
      const lower = address.toLowerCase();
      const domain = lower.slice(lower.lastIndexOf('@') + 1);
      const name = state.identities[lower] ? lower : state.identities[domain] ? domain : undefined;
      if (!name || state.identities[name]!.status !== 'SUCCESS') {
        return `Email address is not verified. The following identities failed the check in region ${options.region.toUpperCase()}: ${address}`;
      }
      if (!tenant.identities.includes(name)) return `The identity ${name} is not associated with tenant ${tenantName}; ${address} cannot be sent from through it.`;
    }
    return undefined;
  }

  function forward(req: IncomingMessage, res: ServerResponse, body?: Buffer): void {
    const headers = { ...req.headers, host: new URL(inbox.url).host };
    if (body) headers['content-length'] = String(body.length);
    const upstream = request(`${inbox.url}${req.url ?? '/'}`, { method: req.method, headers }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) sendJson(res, 502, { message: `aws-ses-v2-local: ${error.message}` });
      else res.end();
    });
    if (body) upstream.end(body);
    else req.pipe(upstream);
  }

  const pendingEvents = new Set<Promise<void>>();

  /** The SES events of a delivered send: a Bounce or Complaint for each mailbox-simulator recipient. */
  function publishEvents(input: Record<string, unknown>, messageId: string, from: string): void {
    if (!options.onEvent) return;
    const destination = (input.Destination ?? {}) as Record<string, unknown>;
    const recipients = ['ToAddresses', 'CcAddresses', 'BccAddresses'].flatMap((key) => (Array.isArray(destination[key]) ? (destination[key] as unknown[]).filter((a): a is string => typeof a === 'string') : []));
    const tags: Record<string, string[]> = { 'ses:operation': ['SendEmail'], 'ses:source-ip': ['127.0.0.1'], 'ses:from-domain': [from.slice(from.lastIndexOf('@') + 1)], 'ses:caller-identity': ['local'] };
    if (text(input.ConfigurationSetName)) tags['ses:configuration-set'] = [input.ConfigurationSetName as string];
    for (const tag of Array.isArray(input.EmailTags) ? (input.EmailTags as Array<{ Name?: unknown; Value?: unknown }>) : []) {
      if (typeof tag.Name === 'string' && typeof tag.Value === 'string') tags[tag.Name] = [tag.Value];
    }
    const sentAt = new Date().toISOString();
    for (const recipient of recipients) {
      const kind = SIMULATOR.exec(recipient.trim())?.[1]?.toLowerCase();
      if (!kind) continue;
      const at = new Date(Date.now() + 1).toISOString();
      const mail = { timestamp: sentAt, source: from, sendingAccountId: LOCAL_ACCOUNT, messageId, destination: recipients, tags };
      const detail =
        kind === 'bounce'
          ? { eventType: 'Bounce', mail, bounce: { feedbackId: randomUUID(), bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: recipient, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }], timestamp: at, reportingMTA: 'dns; a1-2.smtp-out.amazonses.com' } }
          : { eventType: 'Complaint', mail, complaint: { feedbackId: randomUUID(), complaintSubType: null, complainedRecipients: [{ emailAddress: recipient }], timestamp: at, userAgent: 'Amazon SES Mailbox Simulator', complaintFeedbackType: 'abuse', arrivalDate: at } };
      const envelope: SesEventEnvelope = {
        version: '0',
        id: randomUUID(),
        source: 'aws.ses',
        account: LOCAL_ACCOUNT,
        time: at,
        region: options.region,
        resources: [],
        'detail-type': kind === 'bounce' ? 'Email Bounced' : 'Email Complaint Received',
        detail,
      };
      const delivery = (async () => {
        await new Promise((resolve) => setTimeout(resolve, options.eventDelayMs ?? 50));
        for (let attempt = 1; ; attempt++) {
          try {
            await options.onEvent!(envelope);
            log(`[ses] ${envelope['detail-type']} event for ${recipient} delivered`);
            return;
          } catch (error) {
            if (attempt >= 3) return log(`[ses] ${envelope['detail-type']} event for ${recipient} dropped after ${attempt} attempts: ${(error as Error).message}`);
            await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
          }
        }
      })();
      pendingEvents.add(delivery);
      void delivery.finally(() => pendingEvents.delete(delivery));
    }
  }

  /** Forwards a send that passed the checks, answers with aws-ses-v2-local's reply, and publishes its events. */
  function forwardSend(req: IncomingMessage, res: ServerResponse, body: Buffer, input: Record<string, unknown>, from: string): void {
    const headers = { ...req.headers, host: new URL(inbox.url).host, 'content-length': String(body.length) };
    const upstream = request(`${inbox.url}${req.url ?? '/'}`, { method: req.method, headers }, (reply) => {
      const chunks: Buffer[] = [];
      reply.on('data', (chunk: Buffer) => chunks.push(chunk));
      reply.on('end', () => {
        const replyBody = Buffer.concat(chunks);
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        res.end(replyBody);
        if ((reply.statusCode ?? 500) >= 300) return;
        let messageId: string = randomUUID();
        try {
          messageId = (JSON.parse(replyBody.toString('utf8')) as { MessageId?: string }).MessageId ?? messageId;
        } catch {
          /* keep the generated id */
        }
        publishEvents(input, messageId, from);
      });
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) sendJson(res, 502, { message: `aws-ses-v2-local: ${error.message}` });
      else res.end();
    });
    upstream.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const identityPath = /^\/v2\/email\/identities\/([^/]+)$/.exec(path);
    const verifyPath = /^\/_local\/identities\/([^/]+)\/verify$/.exec(path);

    if (method === 'POST' && path === '/v2/email/identities') {
      const input = parseJson(await readBody(req));
      const name = text(input.EmailIdentity)?.toLowerCase();
      if (!name) throw new SesError(400, 'BadRequestException', 'EmailIdentity is required.');
      if (state.identities[name]) throw new SesError(400, 'AlreadyExistsException', `Email identity ${name} already exist.`);
      const identity: LocalIdentity = { type: name.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN', status: 'PENDING', tokens: name.includes('@') ? [] : dkimTokens(), createdAt: new Date().toISOString() };
      state.identities[name] = identity;
      persist();
      const { IdentityType, VerifiedForSendingStatus, DkimAttributes } = identityView(identity) as Record<string, unknown>;
      return sendJson(res, 200, { IdentityType, VerifiedForSendingStatus, ...(DkimAttributes ? { DkimAttributes } : {}) });
    }
    if (method === 'GET' && identityPath) {
      const name = decodeURIComponent(identityPath[1]!).toLowerCase();
      const identity = state.identities[name];
      if (!identity) throw new SesError(404, 'NotFoundException', `Email identity ${name} does not exist.`);
      return sendJson(res, 200, identityView(identity));
    }
    if (method === 'POST' && path === '/v2/email/tenants') {
      const input = parseJson(await readBody(req));
      const name = text(input.TenantName);
      if (!name || !TENANT_NAME.test(name)) throw new SesError(400, 'BadRequestException', 'TenantName must be 1 to 64 letters, digits, hyphens and underscores.');
      if (state.tenants[name]) throw new SesError(400, 'AlreadyExistsException', `Tenant ${name} already exists.`);
      const id = randomUUID();
      const tenant: LocalTenant = { id, arn: `arn:aws:ses:${options.region}:${LOCAL_ACCOUNT}:tenant/${name}/${id}`, createdAt: Math.floor(Date.now() / 1000), identities: [] };
      state.tenants[name] = tenant;
      persist();
      return sendJson(res, 200, { TenantName: name, TenantId: id, TenantArn: tenant.arn, CreatedTimestamp: tenant.createdAt, SendingStatus: 'ENABLED', Tags: [] });
    }
    if (method === 'POST' && path === '/v2/email/tenants/list') {
      const input = parseJson(await readBody(req));
      const names = Object.keys(state.tenants).sort();
      const pageSize = typeof input.PageSize === 'number' && input.PageSize > 0 ? Math.min(input.PageSize, 100) : 100;
      const start = text(input.NextToken) ? names.indexOf(input.NextToken as string) : 0;
      if (start < 0) throw new SesError(400, 'BadRequestException', 'Invalid NextToken.');
      const page = names.slice(start, start + pageSize);
      const next = names[start + pageSize];
      const tenants = page.map((name) => ({ TenantName: name, TenantId: state.tenants[name]!.id, TenantArn: state.tenants[name]!.arn, CreatedTimestamp: state.tenants[name]!.createdAt }));
      return sendJson(res, 200, { Tenants: tenants, ...(next ? { NextToken: next } : {}) });
    }
    if (method === 'POST' && path === '/v2/email/tenants/resources') {
      const input = parseJson(await readBody(req));
      const name = text(input.TenantName);
      const arn = text(input.ResourceArn);
      if (!name || !arn) throw new SesError(400, 'BadRequestException', 'TenantName and ResourceArn are required.');
      const tenant = state.tenants[name];
      if (!tenant) throw new SesError(404, 'NotFoundException', `Tenant ${name} does not exist.`);
      if (arn.startsWith(configurationSetArnPrefix)) {
        const set = arn.slice(configurationSetArnPrefix.length);
        tenant.configurationSets ??= [];
        if (tenant.configurationSets.includes(set)) throw new SesError(400, 'AlreadyExistsException', `${arn} is already associated with tenant ${name}.`);
        tenant.configurationSets.push(set);
        persist();
        return sendJson(res, 200, {});
      }
      if (!arn.startsWith(identityArnPrefix)) throw new SesError(400, 'BadRequestException', `Only identities of this account (${identityArnPrefix}…) can be associated locally.`);
      const identity = arn.slice(identityArnPrefix.length).toLowerCase();
      if (!state.identities[identity]) throw new SesError(404, 'NotFoundException', `Email identity ${identity} does not exist.`);
      if (tenant.identities.includes(identity)) throw new SesError(400, 'AlreadyExistsException', `${arn} is already associated with tenant ${name}.`);
      tenant.identities.push(identity);
      persist();
      return sendJson(res, 200, {});
    }
    if (method === 'POST' && path === '/v2/email/outbound-emails') {
      const body = await readBody(req);
      const input = parseJson(body);
      const content = input.Content as { Raw?: { Data?: unknown } } | undefined;
      const raw = text(content?.Raw?.Data);
      const addresses = [...new Set([...(text(input.FromEmailAddress) ? [input.FromEmailAddress as string] : []), ...(raw ? await fromHeaderAddresses(Buffer.from(raw, 'base64')) : [])])];
      const refused = refusal(text(input.TenantName), addresses, text(input.ConfigurationSetName));
      if (refused) {
        log(`[ses] send refused: ${refused}`);
        throw new SesError(400, 'MessageRejected', refused);
      }
      return forwardSend(req, res, body, input, addresses[0]!);
    }
    if (method === 'POST' && (path === '/v2/email/outbound-bulk-emails' || path === '/v2/email/templates')) {
      throw new SesError(403, 'AccessDeniedException', 'The runners may call SES v2 SendEmail only.');
    }
    if (method === 'POST' && path === '/') {
      const body = await readBody(req);
      const action = new URLSearchParams(body.toString('utf8')).get('Action');
      if (action === 'SendEmail' || action === 'SendRawEmail') {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>SES v1 ${action} is not allowed: send with SES v2 SendEmail and a TenantName.</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
        return;
      }
      return forward(req, res, body);
    }
    if (method === 'POST' && verifyPath) {
      const input = parseJson(await readBody(req));
      const status = input.status ?? 'SUCCESS';
      if (status !== 'SUCCESS' && status !== 'FAILED') throw new SesError(400, 'BadRequestException', 'status is SUCCESS or FAILED.');
      verify(decodeURIComponent(verifyPath[1]!), status);
      return sendJson(res, 200, { identity: decodeURIComponent(verifyPath[1]!).toLowerCase(), status });
    }
    if (method === 'GET' && path === '/_local/identities') return sendJson(res, 200, state);
    return forward(req, res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.end();
      if (error instanceof SesError) return sendJson(res, error.status, { message: error.message }, { 'x-amzn-ErrorType': error.type });
      log(`[ses] ${(error as Error).stack ?? String(error)}`);
      sendJson(res, 500, { message: (error as Error).message }, { 'x-amzn-ErrorType': 'InternalFailure' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    identityArnPrefix,
    configurationSetArnPrefix,
    verify,
    async eventsDelivered() {
      while (pendingEvents.size > 0) await Promise.allSettled([...pendingEvents]);
    },
    async stop() {
      await Promise.allSettled([...pendingEvents]);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      inbox.server.closeAllConnections();
      await new Promise((resolve) => inbox.server.close(resolve));
    },
  };
}

/**
 * Verifies (or fails) a domain's identity on a running local SES stand-in, as publishing the DKIM
 * records would in AWS: what `npm run verify-domain` and the tests call.
 */
export async function verifyDomainLocally(sesUrl: string, domain: string, status: 'verified' | 'failed' = 'verified'): Promise<void> {
  const response = await fetch(`${sesUrl}/_local/identities/${encodeURIComponent(domain)}/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: status === 'verified' ? 'SUCCESS' : 'FAILED' }),
  });
  if (!response.ok) throw new Error(`The local SES stand-in refused to verify ${domain} (${response.status}): ${await response.text()}`);
}
