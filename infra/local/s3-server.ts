import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve, sep } from 'node:path';

/**
 * The slice of S3 the system uses, on this machine: path-style GetObject, HeadObject and PutObject
 * over files under `root/<bucket>/<key>`, so the real S3Client reads what the local "SES S3 action"
 * (the SMTP server) stored. Authentication is not checked.
 */
export class LocalS3 {
  private server?: Server;
  url = '';

  constructor(
    private readonly root: string,
    private readonly port = 0,
  ) {}

  /** Where an object lives on disk; refuses keys that would leave the root. */
  pathOf(bucket: string, key: string): string {
    const base = resolve(this.root, bucket);
    const full = resolve(base, key);
    if (!full.startsWith(base + sep)) throw new Error(`Key escapes the bucket: ${key}`);
    return full;
  }

  put(bucket: string, key: string, body: Buffer): void {
    const path = this.pathOf(bucket, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  }

  async start(): Promise<string> {
    mkdirSync(this.root, { recursive: true });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => s3Error(res, 500, 'InternalError', String(error)));
    });
    await new Promise<void>((ok, fail) => {
      this.server!.once('error', fail);
      this.server!.listen(this.port, '127.0.0.1', ok);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  stop(): Promise<void> {
    return new Promise((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, bucket, ...rest] = url.pathname.split('/').map(decodeURIComponent);
    const key = rest.join('/');
    if (!bucket || !key) return s3Error(res, 400, 'InvalidRequest', 'Path-style /bucket/key expected');
    let path: string;
    try {
      path = this.pathOf(bucket, key);
    } catch {
      return s3Error(res, 400, 'InvalidRequest', 'Invalid key');
    }
    if (req.method === 'PUT') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      this.put(bucket, key, Buffer.concat(chunks));
      res.writeHead(200, { etag: `"${createHash('md5').update(Buffer.concat(chunks)).digest('hex')}"` });
      return void res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return s3Error(res, 405, 'MethodNotAllowed', `${req.method} is not supported locally`);
    let size: number;
    let modified: Date;
    try {
      ({ size, mtime: modified } = statSync(path));
    } catch {
      return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.', req.method === 'HEAD');
    }
    res.writeHead(200, { 'content-length': String(size), 'content-type': 'application/octet-stream', 'last-modified': modified.toUTCString() });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path).pipe(res);
  }
}

function s3Error(res: ServerResponse, status: number, code: string, message: string, headOnly = false): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(headOnly ? undefined : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

