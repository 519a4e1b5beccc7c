// The streams of a KVS Local server, persisted in DATA_DIR/streams.json.
//
// Every change is written before the call that made it resolves: the whole registry goes to a
// temporary file, which is fsynced and renamed over streams.json (then the directory is fsynced),
// so a crash leaves either the old or the new file, never a torn one.
//
// Status follows the service: a new stream is CREATING and becomes ACTIVE a moment later; updates
// pass through UPDATING; DeleteStream marks the stream DELETING (its data is inaccessible at once),
// runs the delete hooks (the storage layer removes the fragments) and then forgets the stream. With
// transitionDelayMs = 0 every transition is immediate (deletion completes before delete() resolves).
// A restart finishes what was in progress: CREATING/UPDATING become ACTIVE, DELETING is deleted.
import { randomInt } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KvsError } from '../http/errors';
import type { StreamRef } from './validate';

export type StreamStatus = 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING';
export type StorageTier = 'HOT' | 'WARM';

/** One stream as KVS Local keeps it. Records handed out are copies. */
export interface StreamRecord {
  readonly streamName: string;
  /** arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_MS */
  readonly streamARN: string;
  readonly deviceName?: string;
  readonly mediaType?: string;
  readonly kmsKeyId: string;
  /** 20 random alphanumerics; changes on every update. */
  readonly version: string;
  readonly status: StreamStatus;
  /** ms since the epoch (also the ARN suffix). */
  readonly creationTimeMs: number;
  readonly dataRetentionInHours: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly storageTier?: StorageTier;
}

/** The StreamInfo structure of the API (CreationTime in epoch seconds, as restJson1 sends it). */
export interface StreamInfoJson {
  DeviceName?: string;
  StreamName: string;
  StreamARN: string;
  MediaType?: string;
  KmsKeyId: string;
  Version: string;
  Status: StreamStatus;
  CreationTime: number;
  DataRetentionInHours: number;
}

export interface CreateStreamInput {
  readonly streamName: string;
  readonly deviceName?: string;
  readonly mediaType?: string;
  readonly kmsKeyId?: string;
  readonly dataRetentionInHours?: number;
  readonly tags?: Readonly<Record<string, string>>;
  readonly storageTier?: StorageTier;
}

export interface StreamChanges {
  readonly deviceName?: string;
  readonly mediaType?: string;
  readonly dataRetentionInHours?: number;
}

/** Called while a stream is DELETING, before it is forgotten (e.g. to delete its fragments). */
export type DeleteHook = (stream: StreamRecord) => Promise<void> | void;

export interface StreamRegistryOptions {
  readonly dataDir: string;
  /** Default 'us-east-1'. */
  readonly region?: string;
  /** Default DEFAULT_ACCOUNT_ID. */
  readonly accountId?: string;
  /** How long CREATING/UPDATING/DELETING last, like the service's asynchronous operations.
   *  0 = immediate. Default DEFAULT_TRANSITION_DELAY_MS. */
  readonly transitionDelayMs?: number;
  /** Registered before pending deletions are resumed, so none is finished without it. */
  readonly onDelete?: DeleteHook;
  /** Delay before a failed deletion (a delete hook threw) is tried again. Default 5 s. */
  readonly deleteRetryMs?: number;
  /** Reports failures of background work (a delete hook that threw, a failed write). */
  readonly onError?: (error: unknown) => void;
  /** Clock (ms since the epoch); default Date.now. */
  readonly now?: () => number;
}

export const DEFAULT_REGION = 'us-east-1';
/** The account of KVS Local's ARNs: twelve zeros, plainly not a real AWS account (LocalStack uses
 *  the same convention). */
export const DEFAULT_ACCOUNT_ID = '000000000000';
export const DEFAULT_TRANSITION_DELAY_MS = 250;
export const STREAMS_FILE = 'streams.json';
const FILE_FORMAT = 1;
/** When a delete hook fails, the deletion is retried after this long. */
const DEFAULT_DELETE_RETRY_MS = 5000;

export const STREAM_NOT_FOUND_MESSAGE = 'The requested stream is not found or not active.';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function newVersion(): string {
  let version = '';
  for (let i = 0; i < 20; i++) version += ALPHANUMERIC.charAt(randomInt(ALPHANUMERIC.length));
  return version;
}

/** The ARN partition of a region ('aws', 'aws-cn', 'aws-us-gov'). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function streamArn(region: string, accountId: string, streamName: string, creationTimeMs: number): string {
  return `arn:${partitionOf(region)}:kinesisvideo:${region}:${accountId}:stream/${streamName}/${creationTimeMs}`;
}

export function defaultKmsKeyId(region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:kms:${region}:${accountId}:alias/aws/kinesisvideo`;
}

export function toStreamInfo(stream: StreamRecord): StreamInfoJson {
  return {
    ...(stream.deviceName !== undefined && { DeviceName: stream.deviceName }),
    StreamName: stream.streamName,
    StreamARN: stream.streamARN,
    ...(stream.mediaType !== undefined && { MediaType: stream.mediaType }),
    KmsKeyId: stream.kmsKeyId,
    Version: stream.version,
    Status: stream.status,
    CreationTime: stream.creationTimeMs / 1000,
    DataRetentionInHours: stream.dataRetentionInHours,
  };
}

type MutableRecord = { -readonly [K in keyof StreamRecord]: StreamRecord[K] };

function copy(record: StreamRecord): StreamRecord {
  return { ...record, tags: { ...record.tags } };
}

export class StreamRegistry {
  readonly dataDir: string;
  readonly region: string;
  readonly accountId: string;
  readonly transitionDelayMs: number;
  private readonly deleteRetryMs: number;
  private readonly file: string;
  private readonly streams = new Map<string, MutableRecord>();
  private readonly deleteHooks: DeleteHook[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly onError: (error: unknown) => void;
  private readonly now: () => number;
  private writeChain: Promise<void> = Promise.resolve();
  private writeCount = 0;
  private lastCreationMs = 0;
  private closed = false;

  private constructor(options: StreamRegistryOptions) {
    this.dataDir = options.dataDir;
    this.region = options.region ?? DEFAULT_REGION;
    this.accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
    this.transitionDelayMs = options.transitionDelayMs ?? DEFAULT_TRANSITION_DELAY_MS;
    if (!(this.transitionDelayMs >= 0)) throw new RangeError(`transitionDelayMs must be >= 0, got ${String(options.transitionDelayMs)}`);
    if (!/^[0-9]+$/.test(this.accountId)) throw new RangeError(`accountId must be digits, got '${this.accountId}'`);
    if (!/^[a-z0-9-]+$/.test(this.region)) throw new RangeError(`region must match [a-z0-9-]+, got '${this.region}'`);
    this.deleteRetryMs = options.deleteRetryMs ?? DEFAULT_DELETE_RETRY_MS;
    this.file = join(this.dataDir, STREAMS_FILE);
    this.onError = options.onError ?? (() => undefined);
    this.now = options.now ?? Date.now;
    if (options.onDelete !== undefined) this.deleteHooks.push(options.onDelete);
  }

  /** Loads DATA_DIR/streams.json (creating DATA_DIR if needed) and finishes interrupted transitions. */
  static async open(options: StreamRegistryOptions): Promise<StreamRegistry> {
    const registry = new StreamRegistry(options);
    await registry.load();
    return registry;
  }

  /** Adds a hook run for every stream being deleted (after those already registered). */
  addDeleteHook(hook: DeleteHook): void {
    this.deleteHooks.push(hook);
  }

  get size(): number {
    return this.streams.size;
  }

  /** Every stream (DELETING ones included), sorted by name. */
  list(): StreamRecord[] {
    return [...this.streams.values()].sort((a, b) => (a.streamName < b.streamName ? -1 : a.streamName > b.streamName ? 1 : 0)).map(copy);
  }

  get(streamName: string): StreamRecord | undefined {
    const record = this.streams.get(streamName);
    return record === undefined ? undefined : copy(record);
  }

  getByArn(streamARN: string): StreamRecord | undefined {
    const record = this.findByArn(streamARN);
    return record === undefined ? undefined : copy(record);
  }

  /**
   * The stream a request names (by StreamARN, or StreamName; both must agree when both are given).
   * DELETING streams are found only with `includeDeleting` (DescribeStream shows them; data
   * operations must not see them).
   */
  find(ref: StreamRef, options: { includeDeleting?: boolean } = {}): StreamRecord | undefined {
    const record = this.findRecord(ref);
    if (record === undefined) return undefined;
    if (record.status === 'DELETING' && options.includeDeleting !== true) return undefined;
    return copy(record);
  }

  /** Like find(), but a missing stream is a ResourceNotFoundException. */
  require(ref: StreamRef, options: { includeDeleting?: boolean } = {}): StreamRecord {
    const record = this.find(ref, options);
    if (record === undefined) throw new KvsError('ResourceNotFoundException', STREAM_NOT_FOUND_MESSAGE);
    return record;
  }

  /** A key naming the stream for throttling: its name when it exists, else what the request said. */
  throttleKey(ref: StreamRef): string {
    return this.findRecord(ref)?.streamName ?? ref.streamName ?? ref.streamARN ?? '';
  }

  async create(input: CreateStreamInput): Promise<StreamRecord> {
    this.assertOpen();
    if (this.streams.has(input.streamName)) {
      throw new KvsError('ResourceInUseException', `The stream ${input.streamName} already exists.`);
    }
    // ARNs end in the creation time in ms; keep them distinct even for streams created in one ms.
    const creationTimeMs = Math.max(this.now(), this.lastCreationMs + 1);
    this.lastCreationMs = creationTimeMs;
    const immediate = this.transitionDelayMs === 0;
    const record: MutableRecord = {
      streamName: input.streamName,
      streamARN: streamArn(this.region, this.accountId, input.streamName, creationTimeMs),
      ...(input.deviceName !== undefined && { deviceName: input.deviceName }),
      ...(input.mediaType !== undefined && { mediaType: input.mediaType }),
      kmsKeyId: input.kmsKeyId ?? defaultKmsKeyId(this.region, this.accountId),
      version: newVersion(),
      status: immediate ? 'ACTIVE' : 'CREATING',
      creationTimeMs,
      dataRetentionInHours: input.dataRetentionInHours ?? 0,
      tags: { ...input.tags },
      ...(input.storageTier !== undefined && { storageTier: input.storageTier }),
    };
    this.streams.set(record.streamName, record);
    try {
      await this.persist();
    } catch (error) {
      this.streams.delete(record.streamName);
      throw error;
    }
    if (!immediate) this.scheduleActivation(record, 'CREATING');
    return copy(record);
  }

  /**
   * Updates DeviceName/MediaType/retention of an ACTIVE stream whose version is `currentVersion`
   * (VersionMismatchException otherwise). The stream gets a new version and passes through UPDATING.
   */
  async update(ref: StreamRef, currentVersion: string, changes: StreamChanges): Promise<StreamRecord> {
    this.assertOpen();
    const record = this.mutable(ref);
    if (record.status !== 'ACTIVE') {
      throw new KvsError('ResourceInUseException', `The stream ${record.streamName} is ${record.status}; it can be updated when it is ACTIVE.`);
    }
    checkVersion(record, currentVersion);
    const before = { ...record };
    if (changes.deviceName !== undefined) record.deviceName = changes.deviceName;
    if (changes.mediaType !== undefined) record.mediaType = changes.mediaType;
    if (changes.dataRetentionInHours !== undefined) record.dataRetentionInHours = changes.dataRetentionInHours;
    record.version = newVersion();
    const immediate = this.transitionDelayMs === 0;
    if (!immediate) record.status = 'UPDATING';
    try {
      await this.persist();
    } catch (error) {
      Object.assign(record, before);
      if (before.deviceName === undefined) delete record.deviceName;
      if (before.mediaType === undefined) delete record.mediaType;
      throw error;
    }
    if (!immediate) this.scheduleActivation(record, 'UPDATING');
    return copy(record);
  }

  /** Adds or replaces tags; more than `maxTags` in total is TagsPerResourceExceededLimitException. */
  async tag(ref: StreamRef, tags: Readonly<Record<string, string>>, maxTags = 50): Promise<StreamRecord> {
    this.assertOpen();
    const record = this.mutable(ref);
    const merged = { ...record.tags, ...tags };
    if (Object.keys(merged).length > maxTags) {
      throw new KvsError('TagsPerResourceExceededLimitException', `A Kinesis video stream can have at most ${maxTags} tags; this request would give ${record.streamName} ${Object.keys(merged).length}.`);
    }
    return this.replaceTags(record, merged);
  }

  async untag(ref: StreamRef, keys: readonly string[]): Promise<StreamRecord> {
    this.assertOpen();
    const record = this.mutable(ref);
    const removed = new Set(keys);
    const remaining = Object.fromEntries(Object.entries(record.tags).filter(([key]) => !removed.has(key)));
    return this.replaceTags(record, remaining);
  }

  /**
   * Marks the stream DELETING and deletes it (hooks, then forgets it) after the transition delay,
   * or before returning when the delay is 0. `currentVersion`, when given, must match.
   */
  async delete(streamARN: string, currentVersion?: string): Promise<void> {
    this.assertOpen();
    const record = this.findByArn(streamARN);
    if (record === undefined) throw new KvsError('ResourceNotFoundException', STREAM_NOT_FOUND_MESSAGE);
    if (record.status === 'DELETING') throw new KvsError('ResourceInUseException', `The stream ${record.streamName} is already being deleted.`);
    if (currentVersion !== undefined) checkVersion(record, currentVersion);
    const before = record.status;
    record.status = 'DELETING';
    try {
      await this.persist();
    } catch (error) {
      record.status = before;
      throw error;
    }
    if (this.transitionDelayMs > 0) {
      this.later(this.transitionDelayMs, () => this.finishDeletionInBackground(record));
      return;
    }
    try {
      await this.finishDeletion(record);
    } catch (error) {
      // The deletion is accepted (the stream is DELETING); it completes when a retry succeeds.
      this.onError(error);
      this.later(this.deleteRetryMs, () => this.finishDeletionInBackground(record));
    }
  }

  /** Waits for pending writes and stops the timers. Streams in transition finish on the next open. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.writeChain;
  }

  // --- internals -------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new KvsError('ServiceUnavailableException', 'KVS Local is shutting down.');
  }

  private findRecord(ref: StreamRef): MutableRecord | undefined {
    if (ref.streamARN !== undefined) {
      const record = this.findByArn(ref.streamARN);
      if (record === undefined) return undefined;
      return ref.streamName === undefined || ref.streamName === record.streamName ? record : undefined;
    }
    return ref.streamName === undefined ? undefined : this.streams.get(ref.streamName);
  }

  private findByArn(streamARN: string): MutableRecord | undefined {
    const match = /^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:stream\/([a-zA-Z0-9_.-]+)\/[0-9]+$/.exec(streamARN);
    const record = match === null ? undefined : this.streams.get(match[1] ?? '');
    return record !== undefined && record.streamARN === streamARN ? record : undefined;
  }

  /** A stream that may be changed: it exists and is not being deleted. */
  private mutable(ref: StreamRef): MutableRecord {
    const record = this.findRecord(ref);
    if (record === undefined || record.status === 'DELETING') throw new KvsError('ResourceNotFoundException', STREAM_NOT_FOUND_MESSAGE);
    return record;
  }

  private async replaceTags(record: MutableRecord, tags: Record<string, string>): Promise<StreamRecord> {
    const before = record.tags;
    record.tags = tags;
    try {
      await this.persist();
    } catch (error) {
      record.tags = before;
      throw error;
    }
    return copy(record);
  }

  private scheduleActivation(record: MutableRecord, from: StreamStatus): void {
    const version = record.version;
    this.later(this.transitionDelayMs, () => {
      // Only if nothing else happened to the stream meanwhile.
      if (this.streams.get(record.streamName) !== record || record.status !== from || record.version !== version) return;
      record.status = 'ACTIVE';
      this.persist().catch(this.onError);
    });
  }

  private later(delayMs: number, task: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) task();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private finishDeletionInBackground(record: MutableRecord): void {
    this.finishDeletion(record).catch((error: unknown) => {
      this.onError(error);
      this.later(this.deleteRetryMs, () => this.finishDeletionInBackground(record));
    });
  }

  private async finishDeletion(record: MutableRecord): Promise<void> {
    for (const hook of this.deleteHooks) await hook(copy(record));
    if (this.streams.get(record.streamName) === record) {
      this.streams.delete(record.streamName);
      await this.persist();
    }
  }

  private async load(): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    // Temporary files of an interrupted write are never the current state.
    for (const name of await readdir(this.dataDir)) {
      if (name.startsWith(`${STREAMS_FILE}.`) && name.endsWith('.tmp')) await rm(join(this.dataDir, name), { force: true });
    }
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`KVS Local cannot read ${this.file}: ${(error as Error).message}. Move the file away to start with no streams.`, { cause: error });
    }
    const streams = (parsed as { streams?: unknown }).streams;
    if (!Array.isArray(streams)) throw new Error(`KVS Local cannot read ${this.file}: no "streams" list.`);
    const pendingDeletions: MutableRecord[] = [];
    let changed = false;
    for (const entry of streams) {
      const record = readRecord(entry);
      if (record === undefined) throw new Error(`KVS Local cannot read ${this.file}: bad stream entry ${JSON.stringify(entry)}.`);
      if (record.status === 'CREATING' || record.status === 'UPDATING') {
        record.status = 'ACTIVE';
        changed = true;
      }
      if (record.status === 'DELETING') pendingDeletions.push(record);
      this.streams.set(record.streamName, record);
      this.lastCreationMs = Math.max(this.lastCreationMs, record.creationTimeMs);
    }
    if (changed) await this.persist();
    for (const record of pendingDeletions) this.later(0, () => this.finishDeletionInBackground(record));
  }

  /** Queues a write of the current state; resolves when it (and every earlier one) is durable. */
  private persist(): Promise<void> {
    const write = this.writeChain.then(() => this.writeNow());
    this.writeChain = write.catch(() => undefined);
    return write;
  }

  private async writeNow(): Promise<void> {
    const streams = [...this.streams.values()].sort((a, b) => a.creationTimeMs - b.creationTimeMs);
    const text = `${JSON.stringify({ format: FILE_FORMAT, streams }, null, 2)}\n`;
    const temp = `${this.file}.${process.pid}.${++this.writeCount}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(this.dataDir);
  }
}

function checkVersion(record: StreamRecord, currentVersion: string): void {
  if (record.version !== currentVersion) {
    throw new KvsError(
      'VersionMismatchException',
      `The version ${currentVersion} is not the latest version of the stream ${record.streamName}. Call DescribeStream for the current version and retry.`,
    );
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}

const STATUSES: readonly string[] = ['CREATING', 'ACTIVE', 'UPDATING', 'DELETING'];

function readRecord(entry: unknown): MutableRecord | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const e = entry as Record<string, unknown>;
  const str = (value: unknown): value is string => typeof value === 'string';
  if (!str(e.streamName) || !str(e.streamARN) || !str(e.kmsKeyId) || !str(e.version) || !str(e.status) || !STATUSES.includes(e.status)) return undefined;
  if (typeof e.creationTimeMs !== 'number' || typeof e.dataRetentionInHours !== 'number') return undefined;
  const tags: Record<string, string> = {};
  if (typeof e.tags === 'object' && e.tags !== null) {
    for (const [key, value] of Object.entries(e.tags)) if (str(value)) tags[key] = value;
  }
  return {
    streamName: e.streamName,
    streamARN: e.streamARN,
    ...(str(e.deviceName) && { deviceName: e.deviceName }),
    ...(str(e.mediaType) && { mediaType: e.mediaType }),
    kmsKeyId: e.kmsKeyId,
    version: e.version,
    status: e.status as StreamStatus,
    creationTimeMs: e.creationTimeMs,
    dataRetentionInHours: e.dataRetentionInHours,
    tags,
    ...((e.storageTier === 'HOT' || e.storageTier === 'WARM') && { storageTier: e.storageTier }),
  };
}
