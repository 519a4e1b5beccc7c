// The request pipeline of KVS Local:
//   request id → raw routes (player GETs, handled elsewhere) → POST /<operation> lookup (case-sensitive,
//   like the service) → body (buffered and parsed, or left to a streaming handler) → SigV4 → handler.
// Every response carries x-amzn-RequestId; every failure is a service-style error (errors.ts).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamRegistry } from '../control/streamRegistry';
import { KvsError, isKvsError, sendError, sendJson } from './errors';
import type { SigV4Credentials, VerifiedSignature } from './sigv4';
import { verifySigV4 } from './sigv4';
import type { Throttle } from './throttle';

/** What a handler gets for one request. */
export interface OperationContext {
  /** The operation as named in the path: 'describeStream', 'TagResource', 'putMedia'. */
  readonly operation: string;
  /** Also sent as the x-amzn-RequestId response header (already set on `res`). */
  readonly requestId: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The parsed JSON body ({} for an empty body); undefined for streaming operations, whose body
   *  is still unread in `req`. */
  readonly body: unknown;
  readonly registry: StreamRegistry;
  readonly throttle: Throttle;
  /** Origin clients reach this server at, without a trailing '/': the DataEndpoint, and the base
   *  of session URLs. */
  readonly baseUrl: string;
  /** Who signed the request. */
  readonly auth: VerifiedSignature;
  /** Aborted when the server closes: long-lived responses (GetMedia, PutMedia acks) should end. */
  readonly signal: AbortSignal;
}

/**
 * One operation. `handle` either returns a JSON-serialisable object, which is sent as a 200
 * application/json response, or writes the response itself and returns undefined. Throwing a
 * KvsError (before the response has started) sends that error; anything else is a 500
 * InternalFailure. An error after the response has started destroys the connection.
 */
export interface OperationHandler {
  /** The body is a stream (PutMedia): it is not buffered or hashed, and SigV4 is verified for a
   *  payload signed as the empty string or UNSIGNED-PAYLOAD (or as x-amz-content-sha256 says). */
  readonly streaming?: boolean;
  handle(ctx: OperationContext): unknown;
}

/** Handles requests outside the modelled API (e.g. GET /hls/v1/...); true when it took the request.
 *  Such requests are not SigV4-verified here. */
export type RawRoutes = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type Log = (level: LogLevel, message: string) => void;

export interface RouterOptions {
  readonly operations: ReadonlyMap<string, OperationHandler>;
  readonly registry: StreamRegistry;
  readonly throttle: Throttle;
  readonly credentials: SigV4Credentials;
  /** The server's own URL, used as baseUrl when the request's Host header is unusable. */
  readonly serverUrl: () => string;
  /** Fixed baseUrl for every request (instead of the Host the client used). */
  readonly publicUrl?: string;
  readonly rawRoutes?: RawRoutes;
  /** Largest non-streaming request body. */
  readonly maxBodyBytes: number;
  readonly signal: AbortSignal;
  readonly log?: Log;
  /** Clock for signature dates (tests). */
  readonly now?: () => number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The Node 'request' listener of a KVS Local server. */
export function createRequestListener(options: RouterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    handleRequest(options, req, res, requestId).catch((error: unknown) => {
      if (!isKvsError(error)) {
        options.log?.('error', `KVS Local: request ${requestId} (${req.method ?? '?'} ${pathOf(req.url)}) failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      if (res.destroyed || res.writableEnded) return;
      sendError(res, error, requestId, { close: !req.complete });
    });
  };
}

async function handleRequest(options: RouterOptions, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  if (options.rawRoutes !== undefined && (await options.rawRoutes(req, res))) return;

  const path = pathOf(req.url);
  const operation = path.startsWith('/') ? path.slice(1) : '';
  const handler = req.method === 'POST' && /^[A-Za-z][A-Za-z0-9]*$/.test(operation) ? options.operations.get(operation) : undefined;
  if (handler === undefined) {
    throw new KvsError('UnknownOperationException', `KVS Local has no operation ${req.method ?? ''} ${path}. Operations are POST /<operation> with the exact case of the API model, e.g. POST /describeStream or POST /TagResource.`);
  }

  const signed = { method: 'POST', url: req.url ?? path, rawHeaders: req.rawHeaders };
  const credentials = options.credentials;
  const now = options.now?.();
  let body: unknown;
  let auth: VerifiedSignature;
  if (handler.streaming === true) {
    auth = verifySigV4(signed, { credentials, payload: { kind: 'streaming' }, ...(now !== undefined && { now }) });
  } else {
    const raw = await readBody(req, options.maxBodyBytes);
    auth = verifySigV4(signed, { credentials, payload: { kind: 'buffered', body: raw }, ...(now !== undefined && { now }) });
    body = parseJsonBody(raw);
  }

  const ctx: OperationContext = {
    operation,
    requestId,
    req,
    res,
    body,
    registry: options.registry,
    throttle: options.throttle,
    baseUrl: options.publicUrl ?? hostUrl(req) ?? options.serverUrl(),
    auth,
    signal: options.signal,
  };
  const result: unknown = await handler.handle(ctx);
  if (result !== undefined && result !== null && !res.headersSent && !res.destroyed) sendJson(res, result);
}

function pathOf(url: string | undefined): string {
  const target = url ?? '/';
  const query = target.indexOf('?');
  return query < 0 ? target : target.slice(0, query);
}

/** http://<Host header> when the header is a plain host[:port]. */
function hostUrl(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (host === undefined || !/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)) return undefined;
  return `http://${host}`;
}

/** Reads a whole request body, refusing more than `maxBytes` (413, and the connection is closed). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (error === undefined) resolve(Buffer.concat(chunks, size));
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        finish(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onError = (error: Error): void => finish(error);
    const onClose = (): void => finish(new Error('The client closed the connection before sending the whole request body.'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function tooLarge(maxBytes: number): KvsError {
  return new KvsError('RequestEntityTooLargeException', `The request body is larger than ${maxBytes} bytes.`);
}

/** JSON body → value; an empty body is {}. Malformed JSON is a SerializationException. */
export function parseJsonBody(raw: Uint8Array): unknown {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  if (text.trim().length === 0) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new KvsError('SerializationException', `The request body is not valid JSON: ${(error as Error).message}`);
  }
}
