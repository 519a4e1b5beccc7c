// PutMedia: a chunked MKV body in, a stream of JSON acknowledgements out (research §1.8). Each Cluster
// is a fragment; it is acknowledged PERSISTED only after the store has synced it to disk.
import type { IncomingMessage } from 'node:http';
import { PutMediaSplitter } from '../../formats/matroska/ingest';
import type { FragmentEvent, HeaderEvent, IngestEvent } from '../../formats/matroska/ingest';
import type { StreamRecord } from '../control/streamRegistry';
import { KvsError } from '../http/errors';
import type { OperationContext, OperationHandler } from '../http/router';
import type { StreamStores } from './streamStores';

const MAX_FRAGMENT_DURATION_MS = 10_000;
const IDLE_ACK_INTERVAL_MS = 3_000;

export const PutMediaErrorId = {
  MAX_FRAGMENT_DURATION_REACHED: 4002,
  FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS: 4004,
  INVALID_PRODUCER_TIMESTAMP: 4007,
  STREAM_NOT_ACTIVE: 4008,
  TRACK_NUMBER_MISMATCH: 4010,
  FRAMES_MISSING_FOR_TRACK: 4011,
} as const;

type Ack =
  | { EventType: 'BUFFERING' | 'RECEIVED' | 'PERSISTED'; FragmentTimecode: number; FragmentNumber: string }
  | { EventType: 'ERROR'; FragmentTimecode?: number; FragmentNumber?: string; ErrorId: number; ErrorCode: string }
  | { EventType: 'IDLE' };

export function putMediaOperation(stores: StreamStores): OperationHandler {
  return { streaming: true, handle: (ctx) => handlePutMedia(ctx, stores) };
}

function handlePutMedia(ctx: OperationContext, stores: StreamStores): Promise<void> {
  const { req, res } = ctx;
  const streamName = header(req, 'x-amzn-stream-name');
  const streamARN = header(req, 'x-amzn-stream-arn');
  if (streamName === undefined && streamARN === undefined) throw new KvsError('InvalidArgumentException', 'The x-amzn-stream-name or x-amzn-stream-arn header is required.');
  const stream = ctx.registry.require({ ...(streamName !== undefined && { streamName }), ...(streamARN !== undefined && { streamARN }) });
  ctx.throttle.check('PutMedia', stream.streamName);
  const timecodeType = header(req, 'x-amzn-fragment-timecode-type');
  if (timecodeType !== 'ABSOLUTE' && timecodeType !== 'RELATIVE') {
    throw new KvsError('InvalidArgumentException', `x-amzn-fragment-timecode-type must be ABSOLUTE or RELATIVE, got ${JSON.stringify(timecodeType ?? '')}.`);
  }
  const startText = header(req, 'x-amzn-producer-start-timestamp');
  const producerStartMs = startText === undefined ? 0 : parseProducerStart(startText);
  if (producerStartMs === undefined) {
    throw new KvsError('InvalidArgumentException', `x-amzn-producer-start-timestamp must be seconds.milliseconds since the epoch, got ${JSON.stringify(startText)}.`);
  }

  res.writeHead(200, { 'content-type': 'application/json' });
  const session = new IngestSession(stream, stores, timecodeType, producerStartMs, (ack) => res.write(`${JSON.stringify(ack)}\n`));
  const release = stores.setProducer(stream, { replace: () => req.destroy() });
  let idle = setInterval(() => session.send({ EventType: 'IDLE' }), IDLE_ACK_INTERVAL_MS);
  const resetIdle = () => {
    clearInterval(idle);
    idle = setInterval(() => session.send({ EventType: 'IDLE' }), IDLE_ACK_INTERVAL_MS);
  };

  // The server's shutdown signal ends the upload; the listener goes when the upload does.
  const onShutdown = () => req.destroy();
  ctx.signal.addEventListener('abort', onShutdown, { once: true });
  return new Promise((resolve) => {
    const finish = () => {
      clearInterval(idle);
      ctx.signal.removeEventListener('abort', onShutdown);
      release();
      if (!res.writableEnded && !res.destroyed) res.end();
      resolve();
    };
    req.on('data', (chunk: Buffer) => {
      resetIdle();
      if (!session.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
        req.pause();
        finish();
      }
    });
    req.once('end', () => {
      session.end();
      finish();
    });
    req.once('close', finish);
  });
}

/** One PutMedia connection's state: the current header and the ordering rules across fragments. */
class IngestSession {
  private readonly splitter = new PutMediaSplitter();
  private header: HeaderEvent | undefined;
  private lastProducerMs = -Infinity;
  private failed = false;

  constructor(
    private readonly stream: StreamRecord,
    private readonly stores: StreamStores,
    private readonly timecodeType: 'ABSOLUTE' | 'RELATIVE',
    private readonly producerStartMs: number,
    readonly send: (ack: Ack) => void,
  ) {}

  /** False once the stream is unusable (a fatal error was acknowledged). */
  push(bytes: Uint8Array): boolean {
    this.handle(this.splitter.push(bytes));
    return !this.failed;
  }

  end(): void {
    if (!this.failed) this.handle(this.splitter.end());
  }

  private handle(events: IngestEvent[]): void {
    for (const event of events) {
      if (this.failed) return;
      switch (event.type) {
        case 'header':
          this.header = event;
          break;
        case 'fragment':
          this.fragment(event);
          break;
        case 'error':
          this.send({ EventType: 'ERROR', ...(event.timecode !== undefined && { FragmentTimecode: event.timecode }), ErrorId: event.errorId, ErrorCode: event.errorCode });
          if (event.fatal) this.failed = true;
          break;
        case 'tags':
          break;
      }
    }
  }

  private fragment(event: FragmentEvent): void {
    const header = this.header;
    if (!header) return;
    const producerMs = this.timecodeType === 'ABSOLUTE' ? event.timecodeMs : this.producerStartMs + event.timecodeMs;
    const rejection = this.rule(event, header, producerMs);
    if (rejection) {
      this.send({ EventType: 'ERROR', FragmentTimecode: event.timecode, ErrorId: PutMediaErrorId[rejection], ErrorCode: rejection });
      return;
    }
    this.lastProducerMs = producerMs;
    const record = this.stores.append(this.stream, header.bytes, event.cluster, {
      serverTimestampMs: this.stores.now(),
      producerTimestampMs: producerMs,
      durationMs: Math.round(event.durationMs),
      clusterTimecode: event.timecode,
      trackNumbers: event.tracks,
    });
    for (const type of ['BUFFERING', 'RECEIVED', 'PERSISTED'] as const) {
      this.send({ EventType: type, FragmentTimecode: event.timecode, FragmentNumber: record.fragmentNumber });
    }
  }

  private rule(event: FragmentEvent, header: HeaderEvent, producerMs: number): keyof typeof PutMediaErrorId | undefined {
    if (!Number.isFinite(producerMs) || producerMs < 0) return 'INVALID_PRODUCER_TIMESTAMP';
    if (producerMs < this.lastProducerMs) return 'FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS';
    if (event.durationMs > MAX_FRAGMENT_DURATION_MS) return 'MAX_FRAGMENT_DURATION_REACHED';
    if (event.undeclaredTracks.length > 0) return 'TRACK_NUMBER_MISMATCH';
    if (header.tracks.some((track) => !event.tracks.includes(track.number))) return 'FRAMES_MISSING_FOR_TRACK';
    return undefined;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** "1700000000.5" is 5 ms past the second: producers print milliseconds without zero padding. */
export function parseProducerStart(text: string): number | undefined {
  const match = /^(\d+)(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 1000 + Number(match[2] ?? 0);
}
