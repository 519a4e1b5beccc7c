// Test harness for KVS Local: a server on a free port in a fresh data directory, real AWS SDK v3
// clients pointed at it, and a reference SigV4 signer (the one the SDK itself uses) for requests
// the SDK cannot make (presigned URLs, streaming uploads, malformed bodies).
import assert from 'node:assert/strict';
import type { BinaryLike } from 'node:crypto';
import { createHash, createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import type { KinesisVideoClientConfig } from '@aws-sdk/client-kinesis-video';
import { SignatureV4 } from '@smithy/signature-v4';
import type { KvsLocal, KvsLocalOptions } from '../../../../src/local/server';
import { DEFAULT_LOCAL_CREDENTIALS, startKvsLocal } from '../../../../src/local/server';

export const REGION = 'us-east-1';

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kvs-local-test-'));
}

export interface Harness {
  readonly server: KvsLocal;
  readonly dataDir: string;
  /** Control-plane client with the local credentials and no retries. */
  readonly control: KinesisVideoClient;
  close(): Promise<void>;
}

/** Starts KVS Local (immediate stream transitions unless overridden) with a control-plane client. */
export async function startHarness(options: Partial<KvsLocalOptions> = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? (await tempDir());
  const server = await startKvsLocal({ streamTransitionDelayMs: 0, ...options, dataDir });
  const control = controlClient(server.url);
  return {
    server,
    dataDir,
    control,
    async close() {
      control.destroy();
      await server.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function controlClient(endpoint: string, config: Partial<KinesisVideoClientConfig> = {}): KinesisVideoClient {
  return new KinesisVideoClient({ region: REGION, endpoint, credentials: { ...DEFAULT_LOCAL_CREDENTIALS }, maxAttempts: 1, ...config });
}

/** The error a rejected SDK call threw, checked for name and HTTP status. */
export async function serviceError(promise: Promise<unknown>, name: string, status?: number): Promise<Error & { $metadata: { httpStatusCode?: number; requestId?: string }; $fault: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { $metadata: { httpStatusCode?: number; requestId?: string }; $fault: string };
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (status !== undefined) assert.equal(e.$metadata.httpStatusCode, status);
    return e;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

/** A SHA-256 / HMAC-SHA-256 constructor in the shape the Smithy signer wants. */
export class NodeSha256 {
  private readonly hash;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = secret instanceof ArrayBuffer ? Buffer.from(secret) : ArrayBuffer.isView(secret) ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength) : secret;
    this.hash = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }

  update(data: BinaryLike): void {
    this.hash.update(data);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

export function signer(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = DEFAULT_LOCAL_CREDENTIALS, options: { service?: string; applyChecksum?: boolean } = {}): SignatureV4 {
  return new SignatureV4({
    credentials,
    region: REGION,
    service: options.service ?? 'kinesisvideo',
    sha256: NodeSha256,
    applyChecksum: options.applyChecksum ?? true,
  });
}

export interface PlainRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** A request for the Smithy signer aimed at `url` + `path`. */
export function plainRequest(url: string, method: string, path: string, options: { query?: Record<string, string | string[]>; headers?: Record<string, string>; body?: string | Uint8Array } = {}): PlainRequest {
  const base = new URL(url);
  return {
    method,
    protocol: base.protocol,
    hostname: base.hostname,
    port: Number(base.port),
    path,
    query: options.query ?? {},
    headers: { host: base.host, ...options.headers },
    ...(options.body !== undefined && { body: options.body }),
  };
}

function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The request target (path and query) as the SDK's HTTP handler writes it. */
export function requestTarget(request: { path: string; query?: Record<string, string | string[] | null> }): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${encode(key)}=${encode(v)}`);
  }
  return parts.length === 0 ? request.path : `${request.path}?${parts.join('&')}`;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): unknown;
}

/** Sends a request over HTTP exactly as given (body may be sent in several chunks). */
export function send(url: string, request: { method: string; path: string; query?: Record<string, string | string[] | null>; headers: Record<string, string> }, body?: string | Uint8Array | (string | Uint8Array)[]): Promise<RawResponse> {
  const base = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: base.hostname, port: Number(base.port), method: request.method, path: requestTarget(request), headers: request.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data, json: () => JSON.parse(data.toString('utf8')) as unknown });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const chunk of Array.isArray(body) ? body : body === undefined ? [] : [body]) req.write(chunk);
    req.end();
  });
}

/** Signs `request` with the reference signer and sends it. */
export async function sendSigned(url: string, request: PlainRequest, options: { signer?: SignatureV4; body?: string | Uint8Array | (string | Uint8Array)[] } = {}): Promise<RawResponse> {
  const signed = await (options.signer ?? signer()).sign(request);
  return send(url, { method: signed.method, path: signed.path, query: signed.query as Record<string, string>, headers: signed.headers }, options.body ?? request.body);
}
