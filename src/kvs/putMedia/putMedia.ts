// PutMedia: one long POST {data endpoint}/putMedia whose body is a continuous MKV stream and whose
// response is a stream of JSON acknowledgements, both flowing at once (research §1.8). No AWS SDK for
// JavaScript has this operation, so it is written here on node:http(s) the way the producer libraries
// send it: chunked body, SigV4 over the empty payload (the body is streamed, so it cannot be hashed),
// x-amzn-* headers naming the stream, the timecode type and the producer start time.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { PutMediaAckParser, PutMediaEventType, type PutMediaAck } from './acks';
import { NodeSha256 } from './sha256';

export type FragmentTimecodeType = 'ABSOLUTE' | 'RELATIVE';

export interface PutMediaOptions {
  /** The data endpoint (GetDataEndpoint with APIName PUT_MEDIA), http or https; a base path is kept. */
  endpoint: string;
  /** Region of the SigV4 credential scope. */
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  streamName: string;
  /** ABSOLUTE: cluster timecodes are producer timestamps (ms since the epoch at 1 ms ticks);
   *  RELATIVE: they count from producerStartTimestampMs. */
  timecodeType: FragmentTimecodeType;
  /** Default: now. */
  producerStartTimestampMs?: number;
  /** The MKV stream: EBML header, Segment, Info, Tracks, then Clusters. Pulled only as fast as the
   *  connection takes it. */
  body: AsyncIterable<Uint8Array>;
  /** Each acknowledgement as it arrives. If it throws, the upload ends and rejects with that error. */
  onAck?: (ack: PutMediaAck) => void;
  /** Text in the response that is not an acknowledgement. */
  onMalformed?: (text: string, reason: string) => void;
  /** Aborting ends the upload and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Sent as user-agent (not signed). */
  userAgent?: string;
}

export interface PutMediaResult {
  /** x-amzn-RequestId of the response. */
  requestId?: string;
  /** Acknowledgements per EventType (BUFFERING, RECEIVED, PERSISTED, ERROR, IDLE, …). */
  counts: Record<string, number>;
  /** The ERROR acknowledgements, in order (the first 1000; counts.ERROR has them all). */
  errors: PutMediaAck[];
  /** Response text that was not an acknowledgement (the first 1000). */
  malformed: string[];
  /** Body bytes written. */
  bytesSent: number;
  /** The whole body was sent before the response ended (false: the service ended it first). */
  bodyComplete: boolean;
}

/** A non-2xx answer to PutMedia (before any acknowledgement), named like the SDK names service errors. */
export class PutMediaError extends Error {
  constructor(
    /** The service's error type (x-amzn-ErrorType, else the body's __type/code), e.g. ResourceNotFoundException. */
    override readonly name: string,
    message: string,
    readonly statusCode: number,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/**
 * `x-amzn-producer-start-timestamp` exactly as the producer SDKs write it: printf("%llu.%llu", ms / 1000,
 * ms % 1000), so the milliseconds are NOT zero-padded (5 ms → "1700000000.5").
 */
export function formatProducerStartTimestamp(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  return `${Math.floor(whole / 1000)}.${whole % 1000}`;
}

const MAX_ERROR_BODY = 64 * 1024;
/** ERROR acknowledgements and malformed texts kept in the result (a long upload may see many; counts go on). */
const MAX_KEPT = 1000;

/** Uploads `body` with PutMedia and resolves with a summary when the service ends the response. */
export async function putMedia(options: PutMediaOptions): Promise<PutMediaResult> {
  options.signal?.throwIfAborted();
  const url = new URL(options.endpoint);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`PutMedia needs an http or https endpoint, got ${url.protocol}`);
  const path = `${url.pathname.replace(/\/+$/, '')}/putMedia`;
  const headers: Record<string, string> = {
    host: url.host,
    'x-amzn-stream-name': options.streamName,
    'x-amzn-fragment-timecode-type': options.timecodeType,
    'x-amzn-producer-start-timestamp': formatProducerStartTimestamp(options.producerStartTimestampMs ?? Date.now()),
    'x-amzn-fragment-acknowledgment-required': '1',
    'transfer-encoding': 'chunked',
  };
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: 'kinesisvideo',
    sha256: NodeSha256,
    // No x-amz-content-sha256 header; no body given to the signer: the payload hash is SHA-256("").
    applyChecksum: false,
  });
  const signed = await signer.sign({ method: 'POST', protocol: url.protocol, hostname: url.hostname, path, query: {}, headers });
  options.signal?.throwIfAborted();

  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const req = send({
    method: 'POST',
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? undefined : Number(url.port),
    path,
    headers: { ...signed.headers, 'user-agent': options.userAgent ?? 'kinesis-video-inspector' },
    // Its own connection: the upload lasts as long as the media does.
    agent: false,
  });
  return new Upload(req, options).result;
}

/** One PutMedia exchange: the body pump and the acknowledgement reader, settled once. */
class Upload {
  readonly result: Promise<PutMediaResult>;
  private resolve: (result: PutMediaResult) => void = () => undefined;
  private reject: (error: unknown) => void = () => undefined;
  private settled = false;
  private readonly summary: PutMediaResult = { counts: {}, errors: [], malformed: [], bytesSent: 0, bodyComplete: false };
  /** Set when the exchange is over: the pump stops pulling the body. */
  private stopped = false;
  /** Wakes the pump's pending waits when the exchange ends (one entry per wait in progress). */
  private readonly stopWaiters = new Set<() => void>();
  private readonly parser = new PutMediaAckParser();

  constructor(
    private readonly req: ClientRequest,
    private readonly options: PutMediaOptions,
  ) {
    this.result = new Promise<PutMediaResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const signal = options.signal;
    const onAbort = (): void => this.fail(signal?.reason ?? new Error('PutMedia was aborted.'));
    signal?.addEventListener('abort', onAbort, { once: true });
    void this.result.then(
      () => signal?.removeEventListener('abort', onAbort),
      () => signal?.removeEventListener('abort', onAbort),
    );
    req.on('response', (res) => this.onResponse(res));
    req.on('error', (error) => this.fail(error));
    req.on('close', () => this.fail(new Error('The PutMedia connection closed before the response ended.')));
    void this.pump();
  }

  private onResponse(res: IncomingMessage): void {
    const requestId = headerValue(res, 'x-amzn-requestid');
    if (requestId !== undefined) this.summary.requestId = requestId;
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      this.stop();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_ERROR_BODY) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => this.fail(serviceError(res, Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY), requestId)));
      res.on('error', (error) => this.fail(error));
      return;
    }
    res.on('data', (chunk: Buffer) => this.onItems(this.parser.push(chunk)));
    res.on('end', () => {
      this.onItems(this.parser.end());
      this.succeed();
    });
    res.on('error', (error) => this.fail(error));
  }

  private onItems(items: ReturnType<PutMediaAckParser['push']>): void {
    for (const item of items) {
      if (this.settled) return;
      try {
        if (item.kind === 'malformed') {
          if (this.summary.malformed.length < MAX_KEPT) this.summary.malformed.push(item.text);
          this.options.onMalformed?.(item.text, item.reason);
          continue;
        }
        const ack = item.ack;
        this.summary.counts[ack.eventType] = (this.summary.counts[ack.eventType] ?? 0) + 1;
        if (ack.eventType === PutMediaEventType.ERROR && this.summary.errors.length < MAX_KEPT) this.summary.errors.push(ack);
        this.options.onAck?.(ack);
      } catch (error) {
        // A callback that throws ends the upload with its error.
        this.fail(error);
      }
    }
  }

  /** Writes the body with backpressure, then ends the request. */
  private async pump(): Promise<void> {
    const iterator = this.options.body[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        const next = await this.unlessStopped(iterator.next());
        if (next === undefined) return;
        if (next.done === true) {
          finished = true;
          break;
        }
        const chunk = next.value;
        if (chunk.length === 0) continue;
        this.summary.bytesSent += chunk.length;
        if (!this.req.write(chunk)) await this.unlessStopped(drained(this.req));
        if (this.stopped) return;
      }
      this.summary.bodyComplete = true;
      this.req.end();
    } catch (error) {
      this.fail(error);
    } finally {
      // Let the body release what it holds (files, timers); it may finish its current step first.
      if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
    }
  }

  /** `promise`'s value, or undefined as soon as the exchange is over. */
  private unlessStopped<T>(promise: Promise<T>): Promise<T | undefined> {
    if (this.stopped) {
      promise.catch(() => undefined);
      return Promise.resolve(undefined);
    }
    return new Promise<T | undefined>((resolve, reject) => {
      const wake = (): void => resolve(undefined);
      this.stopWaiters.add(wake);
      promise.then(
        (value) => {
          this.stopWaiters.delete(wake);
          resolve(value);
        },
        (error: unknown) => {
          this.stopWaiters.delete(wake);
          if (this.stopped) resolve(undefined);
          else reject(error);
        },
      );
    });
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const wake of this.stopWaiters) wake();
    this.stopWaiters.clear();
  }

  private succeed(): void {
    if (this.settled) return;
    this.settled = true;
    this.stop();
    // The service ended the response: an unfinished upload has nobody listening any more.
    if (!this.req.writableFinished) this.req.destroy();
    this.resolve(this.summary);
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.stop();
    this.req.destroy();
    this.reject(error);
  }
}

function drained(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}

function headerValue(res: IncomingMessage, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A service error from a non-2xx response: x-amzn-ErrorType, else the body's __type / code (research §1.2). */
function serviceError(res: IncomingMessage, body: Buffer, requestId: string | undefined): PutMediaError {
  const status = res.statusCode ?? 0;
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (typeof value === 'object' && value !== null) parsed = value as Record<string, unknown>;
  } catch {
    // Not JSON (e.g. the XML AccessDenied of a wrong host): the status says enough.
  }
  const raw = headerValue(res, 'x-amzn-errortype') ?? stringField(parsed, 'code') ?? stringField(parsed, '__type') ?? `HTTP${status}`;
  const name = (raw.split(/[,:]/)[0] ?? raw).split('#').pop() ?? raw;
  const message = stringField(parsed, 'message') ?? (res.statusMessage !== undefined && res.statusMessage !== '' ? `HTTP ${status} ${res.statusMessage}` : `HTTP ${status}`);
  return new PutMediaError(name, message, status, requestId);
}

/** A string member, its name matched case-insensitively. */
function stringField(record: Record<string, unknown>, name: string): string | undefined {
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() === name && typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}
