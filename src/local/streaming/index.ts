// HLS and DASH streaming sessions of KVS Local: the two session-URL operations (signed, like every
// API call) and the player GETs under /hls/v1/ and /dash/v1/ (unsigned, authorised by the token).
import type { StreamRegistry } from '../control/streamRegistry';
import type { Log, OperationHandler, RawRoutes } from '../http/router';
import type { Throttle } from '../http/throttle';
import type { StreamStores } from '../media/streamStores';
import { streamingSessionOperations } from './operations';
import { streamingRoutes } from './routes';
import { SessionTokens } from './session';

export interface StreamingService {
  /** getHLSStreamingSessionURL and getDASHStreamingSessionURL, for `mediaOperations`. */
  operations: Record<string, OperationHandler>;
  /** The player GETs, for `rawRoutes`. */
  rawRoutes: RawRoutes;
}

export interface StreamingServiceOptions {
  stores: StreamStores;
  /** The server's registry and throttle (the server is created after this service). */
  registry: () => StreamRegistry;
  throttle: () => Throttle;
  log?: Log;
}

export function streamingService(options: StreamingServiceOptions): StreamingService {
  const tokens = new SessionTokens(options.stores.now);
  return {
    operations: streamingSessionOperations(options.stores, tokens),
    rawRoutes: streamingRoutes({ stores: options.stores, tokens, registry: options.registry, throttle: options.throttle, ...(options.log && { log: options.log }) }),
  };
}
