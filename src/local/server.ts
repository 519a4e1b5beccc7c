// KVS Local: a Kinesis Video Streams-compatible service on this machine that the real AWS SDK
// clients talk to (restJson1 over HTTP, SigV4-signed). This module owns the HTTP server: it wires
// the control plane (control/operations.ts), the media operations registered by the caller, and
// raw routes (the HLS/DASH player GETs) into one router.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { controlPlaneOperations } from './control/operations';
import { DEFAULT_HOST, DEFAULT_LOCAL_CREDENTIALS } from './defaults';
import type { DeleteHook } from './control/streamRegistry';
import { StreamRegistry } from './control/streamRegistry';
import type { Log, OperationHandler, RawRoutes } from './http/router';
import { DEFAULT_MAX_BODY_BYTES, createRequestListener } from './http/router';
import type { SigV4Credentials } from './http/sigv4';
import type { ThrottleOptions } from './http/throttle';
import { Throttle } from './http/throttle';

export type { OperationContext, OperationHandler, RawRoutes, Log, LogLevel } from './http/router';
export type { SigV4Credentials } from './http/sigv4';
export { KvsError, sendError, sendJson } from './http/errors';
export { Throttle } from './http/throttle';
export { StreamRegistry } from './control/streamRegistry';
export { DEFAULT_HOST, DEFAULT_LOCAL_CREDENTIALS } from './defaults';

export interface KvsLocalOptions {
  /** Address to listen on. Default 127.0.0.1. Non-loopback addresses need non-default credentials. */
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Where streams.json (and, by the storage layer, the fragments) live. */
  readonly dataDir: string;
  /** The one key pair requests must be signed with. Default DEFAULT_LOCAL_CREDENTIALS. */
  readonly credentials?: SigV4Credentials;
  /** Region in ARNs and the default KMS key. Default 'us-east-1'. Signatures of any region are accepted. */
  readonly region?: string;
  /** Account in ARNs. Default '000000000000'. */
  readonly accountId?: string;
  /** Media operations by path name (putMedia, getMedia, listFragments, getHLSStreamingSessionURL, ...). */
  readonly mediaOperations?: Readonly<Record<string, OperationHandler>>;
  /** Requests outside the modelled API (player GETs): return true when handled. Not SigV4-checked. */
  readonly rawRoutes?: RawRoutes;
  /** Rate limits (defaults: the service's), or a Throttle to share. */
  readonly throttle?: ThrottleOptions | Throttle;
  /** Duration of CREATING/UPDATING/DELETING; 0 = immediate. Default 250 ms. */
  readonly streamTransitionDelayMs?: number;
  /** Runs for each stream being deleted, before it is forgotten (delete its fragments here). */
  readonly onStreamDelete?: DeleteHook;
  /** A registry opened by the caller (then dataDir/region/accountId/streamTransitionDelayMs/
   *  onStreamDelete are not used for it, and close() leaves it open). */
  readonly registry?: StreamRegistry;
  /** URL handed out as DataEndpoint (default: http://<Host the client used>). */
  readonly publicUrl?: string;
  /** Largest JSON request body. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Diagnostics (internal errors). Never receives credentials, signatures or bodies. */
  readonly log?: Log;
}

export interface KvsLocal {
  /** http://HOST:PORT, without a trailing slash: the endpoint for the SDK clients. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly registry: StreamRegistry;
  readonly throttle: Throttle;
  /** Stops listening, ends open connections (streaming ones too) and closes the registry. */
  close(): Promise<void>;
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export async function startKvsLocal(options: KvsLocalOptions): Promise<KvsLocal> {
  const host = options.host ?? DEFAULT_HOST;
  const credentials = options.credentials ?? DEFAULT_LOCAL_CREDENTIALS;
  if (credentials.accessKeyId.length === 0 || credentials.secretAccessKey.length === 0) {
    throw new Error('KVS Local credentials need a non-empty accessKeyId and secretAccessKey.');
  }
  if (!isLoopbackHost(host) && (credentials.accessKeyId === DEFAULT_LOCAL_CREDENTIALS.accessKeyId || credentials.secretAccessKey === DEFAULT_LOCAL_CREDENTIALS.secretAccessKey)) {
    throw new Error(
      `KVS Local refuses to listen on ${host} with its default credentials: they are public, so anyone who can reach this address could use the service. ` +
        `Listen on 127.0.0.1 (the default), or pass credentials of your own (accessKeyId and secretAccessKey).`,
    );
  }

  const operations = new Map<string, OperationHandler>(Object.entries(controlPlaneOperations()));
  for (const [name, handler] of Object.entries(options.mediaOperations ?? {})) {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`KVS Local: '${name}' is not an operation path name (e.g. 'getMedia').`);
    if (operations.has(name)) throw new Error(`KVS Local: media operation '${name}' collides with a control-plane operation.`);
    operations.set(name, handler);
  }

  const ownsRegistry = options.registry === undefined;
  const registry =
    options.registry ??
    (await StreamRegistry.open({
      dataDir: options.dataDir,
      ...(options.region !== undefined && { region: options.region }),
      ...(options.accountId !== undefined && { accountId: options.accountId }),
      ...(options.streamTransitionDelayMs !== undefined && { transitionDelayMs: options.streamTransitionDelayMs }),
      ...(options.onStreamDelete !== undefined && { onDelete: options.onStreamDelete }),
      onError: (error: unknown) => options.log?.('error', `KVS Local stream registry: ${error instanceof Error ? error.message : String(error)}`),
    }));
  const throttle = options.throttle instanceof Throttle ? options.throttle : new Throttle(options.throttle);
  const lifetime = new AbortController();

  let url = '';
  // requestTimeout 0: PutMedia and GetMedia stay open for as long as media flows. A long keep-alive
  // timeout: the SDK keeps idle sockets without a timeout of its own, and a server that closes them
  // early races the client's next request (ECONNRESET).
  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 65_000 });
  server.on(
    'request',
    createRequestListener({
      operations,
      registry,
      throttle,
      credentials,
      serverUrl: () => url,
      ...(options.publicUrl !== undefined && { publicUrl: options.publicUrl.replace(/\/+$/, '') }),
      ...(options.rawRoutes !== undefined && { rawRoutes: options.rawRoutes }),
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      signal: lifetime.signal,
      ...(options.log !== undefined && { log: options.log }),
    }),
  );

  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        reject(error.code === 'EADDRINUSE' ? new Error(`KVS Local cannot listen on ${host}:${options.port ?? 0}: the port is in use.`, { cause: error }) : error);
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host, port: options.port ?? 0 });
    });
  } catch (error) {
    if (ownsRegistry) await registry.close();
    throw error;
  }

  const address = server.address() as AddressInfo;
  const port = address.port;
  url = `http://${urlHost(host, address.address)}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    registry,
    throttle,
    close(): Promise<void> {
      closing ??= (async () => {
        lifetime.abort();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        if (ownsRegistry) await registry.close();
      })();
      return closing;
    },
  };
}

/** The host part of the server's URL: wildcard binds are reached through loopback. */
function urlHost(host: string, boundAddress: string): string {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === '0.0.0.0') return '127.0.0.1';
  if (h === '::' || h === '') return boundAddress.includes(':') ? '[::1]' : '127.0.0.1';
  return h.includes(':') ? `[${h}]` : h;
}
