// The demo producer of `kvs-local --demo`: loops the bundled clip into a stream in real time through
// real PutMedia calls, like a camera would. One long PutMedia connection; each cluster of the clip is
// written again (same blocks, relative timecodes and flags) at an ABSOLUTE timecode taken from the wall
// clock and sent when that time comes, so LIVE playback always finds fresh fragments. When the
// connection drops it reconnects with backoff and carries on from the current time.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { clusterElement } from '../../formats/matroska/write';
import { PutMediaEventType, formatAck } from '../../kvs/putMedia/acks';
import { putMedia } from '../../kvs/putMedia/putMedia';
import type { Log } from '../http/router';
import { loadDemoClip, type DemoClip } from './demoClip';

export { defaultDemoClipPath, loadDemoClip, type DemoClip, type DemoCluster } from './demoClip';

export interface DemoProducerOptions {
  /** Data endpoint for PutMedia (KVS Local's URL). */
  endpoint: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** 'demo' for kvs-local --demo. */
  streamName: string;
  /** An MKV clip: defaultDemoClipPath() for the bundled one. */
  clipPath: string;
  log?: Log;
  /** Wall clock (ms since the epoch) for timecodes; default Date.now. */
  now?: () => number;
  /** First and largest wait before reconnecting, in ms (default 500 and 30 000). */
  reconnectDelayMs?: { initial: number; max: number };
}

export interface DemoProducer {
  /** Ends the upload and resolves when the producer has stopped. Safe to call more than once. */
  stop(): Promise<void>;
}

/** How late a cluster may be before the schedule is moved to now (e.g. after the machine slept). */
const MAX_LATENESS_MS = 1000;

/** Reads the clip (throws when it is unusable) and starts producing it into the stream. */
export function startDemoProducer(options: DemoProducerOptions): DemoProducer {
  const clip = loadDemoClip(options.clipPath);
  const producer = new Producer(clip, options);
  const running = producer.run();
  return {
    stop() {
      producer.abort();
      return running;
    },
  };
}

class Producer {
  private readonly lifetime = new AbortController();
  private readonly now: () => number;
  private readonly log: Log;
  /** Timecode and end (ms) of the last cluster sent: a new connection starts after it. */
  private lastEndMs = 0;
  private persisted = 0;

  constructor(
    private readonly clip: DemoClip,
    private readonly options: DemoProducerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
  }

  abort(): void {
    this.lifetime.abort(new Error('The demo producer was stopped.'));
  }

  async run(): Promise<void> {
    const signal = this.lifetime.signal;
    const initialDelay = this.options.reconnectDelayMs?.initial ?? 500;
    const maxDelay = this.options.reconnectDelayMs?.max ?? 30_000;
    let failures = 0;
    let connections = 0;
    while (!signal.aborted) {
      const persistedBefore = this.persisted;
      let errorsLogged = 0;
      let outcome: string;
      try {
        connections++;
        if (connections === 1) this.log('info', `Demo producer: streaming the demo clip into "${this.options.streamName}" in real time (PutMedia to ${this.options.endpoint}).`);
        const result = await putMedia({
          endpoint: this.options.endpoint,
          region: this.options.region,
          credentials: this.options.credentials,
          streamName: this.options.streamName,
          timecodeType: 'ABSOLUTE',
          producerStartTimestampMs: this.now(),
          body: this.body(signal),
          onAck: (ack) => {
            if (ack.eventType === PutMediaEventType.PERSISTED) this.persisted++;
            if (ack.eventType === PutMediaEventType.ERROR && errorsLogged++ < 3) this.log('warn', `Demo producer: ${formatAck(ack)}`);
          },
          signal,
          userAgent: 'kvs-local demo producer (kinesis-video-inspector)',
        });
        outcome = `the service ended PutMedia (${result.counts[PutMediaEventType.PERSISTED] ?? 0} fragments persisted, ${result.errors.length} errors)`;
      } catch (error) {
        outcome = `PutMedia failed (${describe(error)})`;
      }
      if (signal.aborted) break;
      // A connection that got fragments persisted resets the backoff.
      failures = this.persisted > persistedBefore ? 0 : failures + 1;
      const delay = failures === 0 ? initialDelay : Math.min(maxDelay, initialDelay * 2 ** Math.min(failures - 1, 16));
      this.log(failures <= 1 ? 'warn' : 'debug', `Demo producer: ${outcome}; reconnecting in ${(delay / 1000).toFixed(1)} s.`);
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        break;
      }
    }
  }

  /** One connection's body: the header, then the clip's clusters forever, each when it is due. */
  private async *body(signal: AbortSignal): AsyncGenerator<Uint8Array, void, undefined> {
    yield this.clip.header;
    const clusters = this.clip.clusters;
    // Start now, but never before the end of what the previous connection sent.
    let base = Math.max(this.now(), this.lastEndMs);
    for (let i = 0; ; i = (i + 1) % clusters.length) {
      const cluster = clusters[i];
      if (cluster === undefined) return;
      let due = base + cluster.offsetMs;
      const wait = due - this.now();
      if (wait < -MAX_LATENESS_MS) {
        // Far behind (the machine slept, the clock jumped): resume at the current time.
        base = Math.max(this.now(), this.lastEndMs) - cluster.offsetMs;
        due = base + cluster.offsetMs;
      } else if (wait > 0) {
        await sleep(wait, undefined, { signal });
      }
      const timecode = Math.round(due);
      const bytes = clusterElement(timecode, cluster.blocks, { timecodeLength: 8 });
      this.lastEndMs = timecode + cluster.spanMs;
      yield bytes;
      if (i === clusters.length - 1) base += this.clip.periodMs;
    }
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return error.name !== 'Error' ? `${error.name}: ${error.message}` : code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
