// The fragment store of every stream, opened on first use, plus what the media operations share
// about a stream while the server runs: who is producing into it, and who waits for new fragments.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { StreamRecord } from '../control/streamRegistry';
import { FragmentStore, type FragmentRecord } from '../storage/fragmentStore';

/** With DataRetentionInHours 0 the service still keeps a short buffer for live consumers. */
export const NO_RETENTION_BUFFER_MS = 5 * 60 * 1000;

export interface Producer {
  /** Ends the connection: a newer PutMedia on the same stream wins. */
  replace(): void;
}

export class StreamStores {
  private readonly stores = new Map<string, FragmentStore>();
  private readonly producers = new Map<string, Producer>();
  private readonly consumers = new Map<string, number>();
  private readonly appended = new EventEmitter();

  constructor(
    private readonly dataDir: string,
    readonly now: () => number = Date.now,
  ) {
    this.appended.setMaxListeners(0);
  }

  /** The stream's store, with fragments past the retention pruned. */
  storeFor(stream: StreamRecord): FragmentStore {
    let store = this.stores.get(stream.streamARN);
    if (!store) {
      store = FragmentStore.open(join(this.dataDir, 'fragments', directoryName(stream)));
      this.stores.set(stream.streamARN, store);
    }
    store.pruneBefore(this.now() - retentionMs(stream));
    return store;
  }

  append(stream: StreamRecord, header: Uint8Array, cluster: Uint8Array, meta: Parameters<FragmentStore['append']>[2]): FragmentRecord {
    const record = this.storeFor(stream).append(header, cluster, meta);
    this.appended.emit(stream.streamARN, record);
    return record;
  }

  /** Resolves at the next append to the stream, or after `timeoutMs`, or when `signal` aborts. */
  nextAppend(stream: StreamRecord, timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.appended.off(stream.streamARN, done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.appended.once(stream.streamARN, done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Registers the stream's producer; the previous one, if any, is replaced (newest wins). */
  setProducer(stream: StreamRecord, producer: Producer): () => void {
    this.producers.get(stream.streamARN)?.replace();
    this.producers.set(stream.streamARN, producer);
    return () => {
      if (this.producers.get(stream.streamARN) === producer) this.producers.delete(stream.streamARN);
    };
  }

  isProducing(stream: StreamRecord): boolean {
    return this.producers.has(stream.streamARN);
  }

  /** Counts a GetMedia consumer; answers false when `limit` are already reading. */
  addConsumer(stream: StreamRecord, limit: number): (() => void) | undefined {
    const count = this.consumers.get(stream.streamARN) ?? 0;
    if (count >= limit) return undefined;
    this.consumers.set(stream.streamARN, count + 1);
    return () => this.consumers.set(stream.streamARN, (this.consumers.get(stream.streamARN) ?? 1) - 1);
  }

  /** DeleteStream: its fragments go with it. */
  deleteStream(stream: StreamRecord): void {
    this.producers.get(stream.streamARN)?.replace();
    const store = this.stores.get(stream.streamARN) ?? FragmentStore.open(join(this.dataDir, 'fragments', directoryName(stream)));
    this.stores.delete(stream.streamARN);
    store.destroy();
  }

  close(): void {
    for (const producer of this.producers.values()) producer.replace();
    for (const store of this.stores.values()) store.close();
    this.stores.clear();
  }
}

export function retentionMs(stream: StreamRecord): number {
  return stream.dataRetentionInHours > 0 ? stream.dataRetentionInHours * 3600 * 1000 : NO_RETENTION_BUFFER_MS;
}

/** One directory per stream incarnation: a stream deleted and created again starts empty. */
function directoryName(stream: StreamRecord): string {
  return `${stream.streamName}-${stream.creationTimeMs}`;
}
