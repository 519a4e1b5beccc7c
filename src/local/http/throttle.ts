// Request-rate limits of Kinesis Video Streams as token buckets, so that clients meet the same
// ClientLimitExceededException (HTTP 400) locally as against the service. Limits are per operation,
// per account and/or per resource (a stream; for the HLS/DASH player GETs, a streaming session).
// Defaults are the service's documented quotas (research §6); tests and benchmarks can raise them,
// scale them, or turn throttling off.
import { KvsError } from './errors';

export interface RateLimit {
  /** Sustained requests per second (tokens added per second). */
  readonly ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once. Defaults to ratePerSecond (at least 1). */
  readonly burst?: number;
}

export interface OperationLimits {
  /** Per stream (or per session for the player GETs). */
  readonly perResource?: RateLimit;
  /** Per account, that is per KVS Local server. */
  readonly perAccount?: RateLimit;
}

const tps = (ratePerSecond: number, burst?: number): RateLimit => (burst === undefined ? { ratePerSecond } : { ratePerSecond, burst });

/** The service's quotas, keyed by API name (as in the AWS documentation: 'DescribeStream'). */
export const DEFAULT_LIMITS: Readonly<Record<string, OperationLimits>> = {
  // Control plane.
  CreateStream: { perAccount: tps(50) },
  DescribeStream: { perResource: tps(5), perAccount: tps(300) },
  GetDataEndpoint: { perResource: tps(5), perAccount: tps(300) },
  ListStreams: { perAccount: tps(50) },
  UpdateStream: { perResource: tps(5), perAccount: tps(50) },
  UpdateDataRetention: { perResource: tps(5), perAccount: tps(50) },
  DeleteStream: { perResource: tps(5), perAccount: tps(50) },
  TagStream: { perResource: tps(5), perAccount: tps(50) },
  UntagStream: { perResource: tps(5), perAccount: tps(50) },
  ListTagsForStream: { perResource: tps(5), perAccount: tps(50) },
  TagResource: { perResource: tps(5), perAccount: tps(50) },
  UntagResource: { perResource: tps(5), perAccount: tps(50) },
  ListTagsForResource: { perResource: tps(5), perAccount: tps(50) },
  // Media and archived media.
  PutMedia: { perResource: tps(5) },
  GetMedia: { perResource: tps(5) },
  ListFragments: { perResource: tps(5) },
  GetMediaForFragmentList: { perResource: tps(5) },
  GetHLSStreamingSessionURL: { perResource: tps(1, 5) },
  GetDASHStreamingSessionURL: { perResource: tps(1, 5) },
  GetClip: { perResource: tps(1), perAccount: tps(25) },
  // Player GETs, per streaming session.
  GetHLSMasterPlaylist: { perResource: tps(5) },
  GetHLSMediaPlaylist: { perResource: tps(5) },
  GetMP4InitFragment: { perResource: tps(5) },
  GetMP4MediaFragment: { perResource: tps(10) },
  GetTSFragment: { perResource: tps(10) },
  GetDASHManifest: { perResource: tps(5) },
  // GetImages: no documented TPS quota, so none.
};

export interface ThrottleOptions {
  /** false turns every check into a no-op. Default true. */
  readonly enabled?: boolean;
  /** Overrides per API name; null removes the limits of that API. Merged over DEFAULT_LIMITS. */
  readonly limits?: Readonly<Record<string, OperationLimits | null>>;
  /** Multiplies every rate and burst (e.g. 1000 for benchmarks). Default 1. */
  readonly scale?: number;
  /** Clock in ms (tests). Default performance.now-like monotonic clock. */
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  readonly capacity: number;
  readonly ratePerMs: number;
}

const MAX_BUCKETS = 10_000;

/** Upper-cases the first letter, so the path name 'describeStream' and the API name 'DescribeStream'
 *  name the same limits. */
export function apiName(operation: string): string {
  return operation.length === 0 ? operation : operation.charAt(0).toUpperCase() + operation.slice(1);
}

export class Throttle {
  private readonly enabled: boolean;
  private readonly limits: Map<string, OperationLimits>;
  private readonly scale: number;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: ThrottleOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.scale = options.scale ?? 1;
    if (!(this.scale > 0)) throw new RangeError(`Throttle scale must be > 0, got ${String(options.scale)}`);
    const start = Date.now();
    const origin = performance.now();
    this.now = options.now ?? (() => start + (performance.now() - origin));
    this.limits = new Map(Object.entries(DEFAULT_LIMITS));
    for (const [name, limits] of Object.entries(options.limits ?? {})) {
      if (limits === null) this.limits.delete(apiName(name));
      else this.limits.set(apiName(name), limits);
    }
  }

  /** The limits in force for an operation (path name or API name). */
  limitsFor(operation: string): OperationLimits | undefined {
    return this.limits.get(apiName(operation));
  }

  /**
   * Takes one request of `operation` against the account bucket and, when `resource` is given, the
   * resource bucket. Throws ClientLimitExceededException (nothing is taken) when either is empty.
   */
  check(operation: string, resource?: string): void {
    const refused = this.take(operation, resource);
    if (refused === undefined) return;
    const target = refused === 'account' ? 'this account' : `resource '${resource ?? ''}'`;
    throw new KvsError(
      'ClientLimitExceededException',
      `Limit exceeded on number of requests for ${apiName(operation)} API for ${target}. Slow down and retry with backoff.`,
    );
  }

  /** Like check() but answers false instead of throwing. */
  tryTake(operation: string, resource?: string): boolean {
    return this.take(operation, resource) === undefined;
  }

  /** Takes a token from each applicable bucket; answers which bucket refused, if one did. */
  private take(operation: string, resource: string | undefined): 'account' | 'resource' | undefined {
    if (!this.enabled) return undefined;
    const name = apiName(operation);
    const limits = this.limits.get(name);
    if (limits === undefined) return undefined;
    const now = this.now();
    const account = limits.perAccount === undefined ? undefined : this.bucket(`${name}\u0000`, limits.perAccount, now);
    const perResource = limits.perResource === undefined || resource === undefined ? undefined : this.bucket(`${name}\u0000${resource}`, limits.perResource, now);
    if (account !== undefined && account.tokens < 1) return 'account';
    if (perResource !== undefined && perResource.tokens < 1) return 'resource';
    if (account !== undefined) account.tokens -= 1;
    if (perResource !== undefined) perResource.tokens -= 1;
    return undefined;
  }

  /** Forgets every bucket (all full again). */
  reset(): void {
    this.buckets.clear();
  }

  private bucket(key: string, limit: RateLimit, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.prune(now);
      const rate = limit.ratePerSecond * this.scale;
      const capacity = Math.max(1, (limit.burst ?? limit.ratePerSecond) * this.scale);
      bucket = { tokens: capacity, updatedAt: now, capacity, ratePerMs: rate / 1000 };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(bucket.capacity, bucket.tokens + elapsed * bucket.ratePerMs);
    bucket.updatedAt = now;
    return bucket;
  }

  /** Drops buckets that have refilled completely: they behave exactly like new ones. */
  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * bucket.ratePerMs >= bucket.capacity) this.buckets.delete(key);
    }
  }
}
