// KVS Local as one service: the HTTP server with the control plane, fragment storage, the media
// operations, and optionally the demo producer. The kvs-local CLI and the tests start it through here.
import type { SigV4Credentials } from './http/sigv4';
import type { Log } from './http/router';
import { startKvsLocal } from './server';

export interface KvsLocalServiceOptions {
  host: string;
  port: number;
  dataDir: string;
  credentials: SigV4Credentials;
  demo?: boolean;
  log?: Log;
}

export interface KvsLocalService {
  url: string;
  close(): Promise<void>;
}

export async function startKvsLocalService(options: KvsLocalServiceOptions): Promise<KvsLocalService> {
  const server = await startKvsLocal({ host: options.host, port: options.port, dataDir: options.dataDir, credentials: options.credentials, log: options.log });
  if (options.demo && !server.registry.get('demo')) {
    await server.registry.create({ streamName: 'demo', dataRetentionInHours: 24, mediaType: 'video/h264,audio/aac' });
  }
  return { url: server.url, close: () => server.close() };
}
