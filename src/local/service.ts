// KVS Local as one service: the HTTP server with the control plane, fragment storage, the media
// operations, and optionally the demo producer. The kvs-local CLI and the tests start it through here.
import type { Log } from './http/router';
import type { SigV4Credentials } from './http/sigv4';
import type { ThrottleOptions } from './http/throttle';
import { archivedMediaOperations } from './media/archived';
import { clipOperations } from './clips';
import { getMediaOperation } from './media/getMedia';
import { putMediaOperation } from './media/putMedia';
import { StreamStores } from './media/streamStores';
import { streamingService } from './streaming';
import { DEFAULT_LOCAL_REGION } from './defaults';
import { defaultDemoClipPath, startDemoProducer } from './demo/demoProducer';
import { StreamRegistry } from './control/streamRegistry';
import { Throttle } from './http/throttle';
import { startKvsLocal, type KvsLocal } from './server';

export interface KvsLocalServiceOptions {
  host: string;
  port: number;
  dataDir: string;
  credentials: SigV4Credentials;
  demo?: boolean;
  log?: Log;
  /** Tests: the service's clock (server timestamps, retention). */
  now?: () => number;
  /** Tests and benchmarks: other request limits than the service's. */
  throttle?: ThrottleOptions;
  /** Tests: how long streams stay CREATING/UPDATING (default like the service, a moment). */
  streamTransitionDelayMs?: number;
}

export interface KvsLocalService {
  url: string;
  server: KvsLocal;
  stores: StreamStores;
  close(): Promise<void>;
}

export async function startKvsLocalService(options: KvsLocalServiceOptions): Promise<KvsLocalService> {
  const stores = new StreamStores(options.dataDir, options.now);
  // The registry and throttle are made here because the player routes need them too.
  const registry = await StreamRegistry.open({
    dataDir: options.dataDir,
    ...(options.streamTransitionDelayMs !== undefined && { transitionDelayMs: options.streamTransitionDelayMs }),
    onDelete: (stream) => stores.deleteStream(stream),
    onError: (error) => options.log?.('error', `KVS Local stream registry: ${error instanceof Error ? error.message : String(error)}`),
  });
  const throttle = new Throttle(options.throttle);
  const streaming = streamingService({ stores, registry: () => registry, throttle: () => throttle, ...(options.log && { log: options.log }) });
  const server = await startKvsLocal({
    host: options.host,
    port: options.port,
    dataDir: options.dataDir,
    credentials: options.credentials,
    registry,
    throttle,
    ...(options.log && { log: options.log }),
    mediaOperations: {
      putMedia: putMediaOperation(stores),
      getMedia: getMediaOperation(stores),
      ...archivedMediaOperations(stores),
      ...clipOperations(stores, { ...(options.log && { log: options.log }) }),
      ...streaming.operations,
    },
    rawRoutes: streaming.rawRoutes,
  });
  if (options.demo && !server.registry.get('demo')) {
    await server.registry.create({ streamName: 'demo', dataRetentionInHours: 24, mediaType: 'video/h264,audio/aac' });
  }
  // The demo produces through real PutMedia calls to this server, like any producer.
  const demo = options.demo
    ? startDemoProducer({ endpoint: server.url, region: DEFAULT_LOCAL_REGION, credentials: options.credentials, streamName: 'demo', clipPath: defaultDemoClipPath(), ...(options.log && { log: options.log }) })
    : undefined;
  return {
    url: server.url,
    server,
    stores,
    close: async () => {
      await demo?.stop();
      await server.close();
      await registry.close();
      stores.close();
    },
  };
}
