import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { matchRoute, routeKeyOf } from '#shared/api/routes';
import { AppError } from '#shared/errors';
import type { HttpEvent, HttpResult } from '#shared/http/types';
import type { DevAuth } from './dev-auth.ts';

/** API Gateway HTTP APIs refuse payloads over 10 MB before the function sees them. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

export type ApiHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;
/** Routes only the local stack has (e.g. `GET /_local/events`); no token needed. */
export type LocalRoute = (request: IncomingMessage, url: URL) => Promise<{ status: number; body: unknown }>;

export interface LocalApiOptions {
  handler: ApiHandler;
  auth: DevAuth;
  port: number;
  host?: string;
  localRoutes?: Record<string, LocalRoute>;
  /** Static sites by path prefix (`/admin` -> the built admin page), served as CloudFront would serve them. */
  sites?: Record<string, string>;
}

/**
 * Plays API Gateway (HTTP API, payload format 2.0) on this machine: CORS preflight, route
 * matching against the shared route table, the JWT authorizer (401 as API Gateway answers it),
 * then the same Lambda handler that runs in AWS.
 */
export async function startLocalApi(options: LocalApiOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    serve(options, req, res).catch((error) => {
      console.error('local api:', error);
      send(res, 500, { message: 'Internal Server Error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://localhost:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function serve(options: LocalApiOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const local = options.localRoutes?.[`${method} ${url.pathname}`];
  if (local) {
    try {
      const result = await local(req, url);
      return send(res, result.status, result.body);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return send(res, error.status, { error: { code: error.code, message: error.message, fields: error.fields } });
    }
  }
  if (method === 'OPTIONS') return preflight(res);
  for (const [prefix, dir] of Object.entries(options.sites ?? {})) {
    if (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)) return serveStatic(res, method, prefix, dir, url.pathname);
  }

  let match: ReturnType<typeof matchRoute>;
  try {
    match = matchRoute(method, url.pathname);
  } catch {
    return send(res, 400, { message: 'Bad Request' });
  }
  if (!match) return send(res, 404, { message: 'Not Found' });

  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > GATEWAY_MAX_BODY) return send(res, 413, { message: 'Request Entity Too Large' });
  const body = await readBody(req, GATEWAY_MAX_BODY);
  if (body === 'too-large') return send(res, 413, { message: 'Request Entity Too Large' });

  const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  let claims: Record<string, string>;
  try {
    if (!token) throw new Error('no token');
    claims = await options.auth.verify(token);
  } catch {
    return send(res, 401, { message: 'Unauthorized' });
  }

  const event = toEvent(req, url, routeKeyOf(match.route), match.params, body, claims);
  const result = await options.handler(event, lambdaContext());
  res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>) });
  res.end(result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : (result.body ?? ''));
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  routeKey: string,
  pathParameters: Record<string, string>,
  body: Buffer,
  claims: Record<string, string>,
): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const textual = /^(application\/(.+\+)?json|text\/)/i.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    ...(body.length ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } },
    },
  } as HttpEvent;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve('too-large');
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml' };

/**
 * A file of a static site, with the security headers the CloudFront distribution sends; `/admin`
 * redirects to `/admin/`, a directory serves its index.html, and nothing outside the folder is
 * reachable (a path that resolves outside it, or a dot-file, is a 404).
 */
async function serveStatic(res: ServerResponse, method: string, prefix: string, dir: string, pathname: string): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') return send(res, 405, { message: 'Method Not Allowed' });
  if (pathname === prefix) {
    res.writeHead(301, { location: `${prefix}/` });
    return void res.end();
  }
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice(prefix.length + 1)) || 'index.html';
  } catch {
    return send(res, 400, { message: 'Bad Request' });
  }
  const root = resolve(dir);
  const file = resolve(root, relative);
  if (!file.startsWith(`${root}${sep}`) || relative.split('/').some((part) => part.startsWith('.'))) return send(res, 404, { message: 'Not Found' });
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch {
    return send(res, 404, { message: 'Not Found' });
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  });
  res.end(method === 'HEAD' ? undefined : content);
}

function preflight(res: ServerResponse): void {
  res.writeHead(204, {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
    'access-control-allow-headers': 'authorization,content-type',
    'access-control-max-age': '600',
  });
  res.end();
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function lambdaContext(): Context {
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'local-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:local-api',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/local-api',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
