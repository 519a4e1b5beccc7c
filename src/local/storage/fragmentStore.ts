// Durable fragment storage for KVS Local: one FragmentStore per stream, in its own directory.
//
// API (all synchronous: an append blocks the event loop for its fdatasync, about 0.4 ms for a small
// fragment on an SSD and tens of ms for 50 MB; one store per directory per process, enforced — a lock
// across processes is the server's job)
//
//   FragmentStore.open(dir, options?)            creates the directory or recovers it: cuts a torn tail,
//                                                rebuilds a damaged or stale index, finishes a prune that
//                                                a crash interrupted; store.recovery says what it did
//   store.append(header, cluster, meta)          -> FragmentRecord, durable (fdatasync) before it returns
//   store.appendMany(header, items)              -> FragmentRecord[], one write + one fdatasync per segment
//   store.get(fragmentNumber)                    -> FragmentRecord | undefined
//   store.readCluster(record | fragmentNumber)   -> the cluster bytes as sent, CRC-checked
//   store.readHeader(headerId)                   -> the stream header bytes (EBML header … Tracks)
//   store.range(kind, startMs, endMs, limit, cursor?) -> { records, next? }
//                                                fragments whose SERVER_ or PRODUCER_TIMESTAMP start is in
//                                                [startMs, endMs] (inclusive), in (timestamp, fragment
//                                                number) order, after the cursor, at most `limit`; `next` is
//                                                an opaque cursor, present only when more fragments match
//   store.after(fragmentNumber | undefined, limit) -> fragments in append order after the given one (from
//                                                the oldest retained one when undefined) — GetMedia's tail
//   store.first(), store.last(), store.count
//   store.pruneBefore(serverTimestampMs)         -> how many fragments were dropped (retention: call it
//                                                with now - retention, e.g. on open and every minute)
//   store.stats(), store.fragmentNumberPrefix, store.dir
//   store.close(), store.destroy()               destroy also deletes the directory (DeleteStream)
//
// Errors are StoreError with a `code`: NOT_FOUND, CORRUPT, CLOSED, IN_USE, FAILED, INVALID_ARGUMENT.
//
// Fragment numbers: 47 decimal digits = a 27-digit prefix fixed per store (random, chosen when the
// store is created, kept in store.json) + a 20-digit zero-padded sequence number (1, 2, 3, … in append
// order). So string order = numeric order = append order = server-timestamp order. Sequence numbers
// never repeat for acknowledged fragments; after a crash the number of a fragment that was never
// acknowledged may be given to the next one.
//
// Directory layout
//
//   store.json          {"format":1,"fragmentNumberPrefix":"<27 digits>"}, written once (tmp + rename)
//   headers.kvh         append-only stream headers, each stored once (deduplicated by content)
//   seg-00000001.kvd    data segment: file header, then entries (64-byte entry header + cluster bytes)
//   seg-00000001.kvi    index of that segment: file header, then one 64-byte record per entry — the
//                       very same bytes as the entry header, so an entry's offset is implied by the
//                       sum of the sizes before it
//   seg-00000002.kvd …  a new segment starts when the next entry would take the current one past
//                       `segmentBytes` (64 MiB by default); retention deletes whole segments
//   lowwater.kvl        sequence number of the oldest fragment not pruned (tmp + rename)
//
// Binary layouts (little-endian, each record closed by a CRC-32) are in format.ts; opening and repairs
// in recovery.ts; file names and I/O helpers in files.ts; the in-memory index in fragmentIndex.ts.
//
// Durability and recovery
//
//   append: write the entries to the data segment with one writev, fdatasync it, and only then return:
//   the data segment is the source of truth (entry headers carry all metadata and the CRC of the
//   cluster). Then the 64-byte records are written to the segment's index without a sync: the index is
//   a cache that makes open() fast, synced when a segment is sealed and on close(). A new stream header
//   is appended and synced to headers.kvh before the first entry that refers to it is written.
//
//   open: per segment, read the index records while they are whole, have a valid CRC, increasing
//   sequence numbers and extents inside the data file, and while the last one equals the entry header in
//   the data file; then scan the data file from there, accepting entries whose header CRC, extent and
//   cluster CRC are right. Whatever follows in the newest segment is a torn or corrupt tail: the data
//   file is cut there, the index is cut to its valid records and completed with the scanned ones. A
//   kill -9 (or a power cut: entries are fdatasync'ed) therefore loses no acknowledged fragment, and an
//   unsynced, damaged or missing index loses nothing at all. recovery (on the store) says what was cut.
//
// Look-ups: the in-memory index (fragmentIndex.ts) keeps columns in typed arrays (about 72 bytes per
// fragment) and a permutation sorted by producer timestamp, so get, range and after are binary searches
// (O(log n)) plus the page they return; producer timestamps may go backwards (a producer restart)
// without breaking the order (such an append shifts the permutation: a memmove of 4 bytes per later
// fragment). open() loads 10^6 index records in about half a second (bench/listFragments.bench.ts).
import { closeSync, existsSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32Payload } from './crc32';
import { StoreError } from './errors';
import {
  HEADERS_FILE,
  LOW_WATER_FILE,
  SEGMENT_DATA,
  bytesEqual,
  createSegmentFiles,
  dataName,
  indexName,
  readExactly,
  removeSegmentFiles,
  syncDir,
  writeAll,
  writeAllV,
  writeFileDurably,
} from './files';
import { FragmentIndex } from './fragmentIndex';
import { ENTRY_HEADER_BYTES, FILE_HEADER_BYTES, MAX_PAYLOAD_BYTES, encodeEntryHeader, encodeHeaderEntry, encodeLowWater, decodeLowWater, trackMaskOf, trackNumbersOf } from './format';
import type { EntryHeader } from './format';
import { FRAGMENT_NUMBER_PREFIX_DIGITS, loadSegment, openHeaders, readStoreFile } from './recovery';
import type { RecoveryReport, Segment } from './recovery';

export { StoreError } from './errors';
export type { StoreErrorCode } from './errors';
export type { RecoveryReport } from './recovery';
export { FRAGMENT_NUMBER_PREFIX_DIGITS } from './recovery';

// ---------------------------------------------------------------------------------------------------
// Public types

export interface FragmentRecord {
  /** 47 decimal digits; string order is append order. */
  fragmentNumber: string;
  /** When the store received the fragment (ms since the epoch); non-decreasing in append order. */
  serverTimestampMs: number;
  /** The producer's timestamp of the fragment start (ms); may go backwards across producer restarts. */
  producerTimestampMs: number;
  durationMs: number;
  /** Size of the cluster bytes. */
  sizeBytes: number;
  /** Id of the stream header (readHeader) the cluster belongs to. */
  headerId: number;
  /** The cluster timecode as the producer sent it. */
  clusterTimecode: number;
  /** Track numbers with frames in the cluster, ascending (1..32). */
  trackNumbers: number[];
}

export interface AppendMeta {
  serverTimestampMs: number;
  producerTimestampMs: number;
  durationMs: number;
  clusterTimecode: number;
  /** Track numbers (1..32) present in the cluster. */
  trackNumbers?: readonly number[];
}

export interface AppendItem {
  cluster: Uint8Array;
  meta: AppendMeta;
}

export type TimestampKind = 'SERVER_TIMESTAMP' | 'PRODUCER_TIMESTAMP';

export interface RangePage {
  records: FragmentRecord[];
  /** Pass back as `cursor` for the next page; absent when no more fragments match. */
  next?: string;
}

export interface FragmentStoreOptions {
  /** A data segment is sealed once the next entry would take it past this size (default 64 MiB). */
  segmentBytes?: number;
  /** The 27-digit fragment-number prefix for a new store (random when absent; ignored on reopen). */
  fragmentNumberPrefix?: string;
}

export interface StoreStats {
  fragments: number;
  segments: number;
  headers: number;
  /** Bytes of data segments still on disk (including pruned entries in partly pruned segments). */
  dataBytes: number;
  /** Bytes held by the in-memory index. */
  indexMemoryBytes: number;
}

// ---------------------------------------------------------------------------------------------------
// Constants and small helpers

export const FRAGMENT_SEQUENCE_DIGITS = 20;
const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const MAX_CACHED_READ_FDS = 16;

/** Directories with an open store in this process: a second open would corrupt the first. */
const openDirs = new Set<string>();

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

// ---------------------------------------------------------------------------------------------------
// The store

interface PendingEntry {
  cluster: Uint8Array;
  header: EntryHeader;
}

export class FragmentStore {
  /** The store's directory (absolute). */
  readonly dir: string;
  /** The 27-digit prefix of every fragment number of this store. */
  readonly fragmentNumberPrefix: string;
  /** What open() found and repaired. */
  readonly recovery: RecoveryReport;

  private readonly index = new FragmentIndex();
  private readonly segments: Segment[];
  private readonly segmentBytes: number;
  private nextSeq: number;
  private lowSeq: number;
  private dataFd: number;
  private indexFd: number;
  /** The active index file could not be written; open() will rebuild it from the data. */
  private indexBroken = false;
  private readonly headersFd: number;
  private headersEnd: number;
  private readonly headers: Uint8Array[];
  private readonly headersByCrc = new Map<number, number[]>();
  private readonly readFds = new Map<number, number>();
  private closed = false;
  private failure: unknown;

  /** Opens the store in `dir`, creating it when absent and recovering it after a crash. */
  static open(dir: string, options: FragmentStoreOptions = {}): FragmentStore {
    return new FragmentStore(resolve(dir), options);
  }

  private constructor(dir: string, options: FragmentStoreOptions) {
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 1) {
      throw new StoreError('INVALID_ARGUMENT', 'segmentBytes must be a positive integer');
    }
    if (openDirs.has(dir)) throw new StoreError('IN_USE', `a fragment store is already open in ${dir}`);
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.recovery = { truncatedDataBytes: 0, droppedIndexBytes: 0, rebuiltIndexRecords: 0, truncatedHeaderBytes: 0, removedSegments: 0, issues: [] };

    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)) if (name.endsWith('.tmp')) rmSync(join(dir, name), { force: true });
    this.fragmentNumberPrefix = readStoreFile(dir, options.fragmentNumberPrefix);

    const headers = openHeaders(dir, this.recovery);
    this.headersFd = headers.fd;
    this.headersEnd = headers.end;
    this.headers = headers.list;
    this.headers.forEach((bytes, i) => this.rememberHeader(bytes, i + 1));

    try {
      const lowWaterPath = join(dir, LOW_WATER_FILE);
      this.lowSeq = existsSync(lowWaterPath) ? (decodeLowWater(readFileSync(lowWaterPath)) ?? 0) : 0;

      // Segments, oldest first; an unfinished newest one (no valid file header) is removed.
      const numbers = readdirSync(dir)
        .map((name) => SEGMENT_DATA.exec(name)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
      this.segments = [];
      let minSeq = this.lowSeq;
      for (let i = 0; i < numbers.length; i++) {
        const num = numbers[i] ?? 0;
        const isNewest = i === numbers.length - 1;
        // Entries below minSeq (pruned, or overlapping an older segment) are not indexed.
        const segment = loadSegment(dir, num, isNewest, minSeq, this.index, this.recovery);
        if (segment === undefined) {
          if (isNewest) {
            // Created but never finished: nothing in it was acknowledged.
            removeSegmentFiles(dir, num);
            syncDir(dir);
            this.recovery.removedSegments++;
          } else {
            this.recovery.issues.push(`${dataName(num)}: unreadable file header, segment ignored`);
          }
          continue;
        }
        this.segments.push(segment);
        minSeq = Math.max(minSeq, segment.lastSeq + 1);
      }
      this.index.rebuildProducerOrder();

      const newest = this.segments.at(-1);
      this.nextSeq = Math.max(1, this.lowSeq, newest === undefined ? 1 : newest.lastSeq + 1);
      if (newest === undefined) {
        const num = (numbers.at(-1) ?? 0) + 1;
        createSegmentFiles(dir, num, this.nextSeq);
        this.segments.push({ num, firstSeq: this.nextSeq, lastSeq: this.nextSeq - 1, dataEnd: FILE_HEADER_BYTES, indexEnd: FILE_HEADER_BYTES });
      }
      this.recovery.removedSegments += this.removeSegmentsBelowLowWater();
      const active = this.activeSegment();
      this.dataFd = openSync(join(dir, dataName(active.num)), 'r+');
      try {
        this.indexFd = openSync(join(dir, indexName(active.num)), 'r+');
      } catch (error) {
        closeSync(this.dataFd);
        throw error;
      }
    } catch (error) {
      closeSync(this.headersFd);
      throw error;
    }
    openDirs.add(dir);
  }

  // -------------------------------------------------------------------------------------------------
  // Writing

  /** Stores one fragment; it is on disk (fdatasync) when this returns. */
  append(header: Uint8Array, cluster: Uint8Array, meta: AppendMeta): FragmentRecord {
    const [record] = this.appendMany(header, [{ cluster, meta }]);
    if (record === undefined) throw new StoreError('FAILED', 'append stored nothing');
    return record;
  }

  /**
   * Stores several fragments of one stream header with one write and one fdatasync per data segment
   * (bulk loads, tests); all are on disk when this returns. Same format as append(). Invalid items are
   * rejected before anything is written; after an I/O error, the items of segments already written
   * are stored (last() tells).
   */
  appendMany(header: Uint8Array, items: readonly AppendItem[]): FragmentRecord[] {
    this.assertWritable();
    const lastSlot = this.index.length - 1;
    let lastServer = lastSlot >= 0 ? (this.index.server[lastSlot] ?? 0) : -Infinity;
    let seq = this.nextSeq;
    const entries: PendingEntry[] = [];
    for (const { cluster, meta } of items) {
      if (!(cluster instanceof Uint8Array) || cluster.length > MAX_PAYLOAD_BYTES) {
        throw new StoreError('INVALID_ARGUMENT', 'cluster must be a Uint8Array of at most 4 GiB - 1 bytes');
      }
      const { serverTimestampMs, producerTimestampMs, durationMs, clusterTimecode } = meta;
      if (!isFiniteNumber(serverTimestampMs) || !isFiniteNumber(producerTimestampMs) || !isFiniteNumber(clusterTimecode)) {
        throw new StoreError('INVALID_ARGUMENT', 'timestamps and the cluster timecode must be finite numbers');
      }
      if (!isFiniteNumber(durationMs) || durationMs < 0) throw new StoreError('INVALID_ARGUMENT', 'durationMs must be a finite number >= 0');
      let trackMask: number;
      try {
        trackMask = trackMaskOf(meta.trackNumbers ?? []);
      } catch (error) {
        throw new StoreError('INVALID_ARGUMENT', (error as Error).message);
      }
      // A clock step backwards must not break server-timestamp order: hold the previous value.
      lastServer = Math.max(lastServer, serverTimestampMs);
      entries.push({
        cluster,
        header: {
          seq: seq++,
          sizeBytes: cluster.length,
          serverTimestampMs: lastServer,
          producerTimestampMs,
          clusterTimecode,
          durationMs,
          headerId: 0,
          trackMask,
          payloadCrc: crc32Payload(cluster),
        },
      });
    }
    if (entries.length === 0) return [];
    if (!(header instanceof Uint8Array) || header.length > MAX_PAYLOAD_BYTES) {
      throw new StoreError('INVALID_ARGUMENT', 'header must be a Uint8Array of at most 4 GiB - 1 bytes');
    }
    const headerId = this.internHeader(header);
    for (const e of entries) e.header.headerId = headerId;

    const records: FragmentRecord[] = [];
    let batch: PendingEntry[] = [];
    let batchBytes = 0;
    for (const e of entries) {
      const size = ENTRY_HEADER_BYTES + e.cluster.length;
      const segment = this.activeSegment();
      const segmentHasData = segment.lastSeq >= segment.firstSeq || batch.length > 0;
      if (segmentHasData && segment.dataEnd + batchBytes + size > this.segmentBytes) {
        this.writeBatch(batch, records);
        batch = [];
        batchBytes = 0;
        this.roll();
      }
      batch.push(e);
      batchBytes += size;
    }
    this.writeBatch(batch, records);
    return records;
  }

  /** Writes entries to the active segment and makes them durable, then indexes them. */
  private writeBatch(batch: readonly PendingEntry[], records: FragmentRecord[]): void {
    if (batch.length === 0) return;
    const segment = this.activeSegment();
    const headerBytes = new Uint8Array(ENTRY_HEADER_BYTES * batch.length);
    const buffers: Uint8Array[] = [];
    batch.forEach((e, i) => {
      encodeEntryHeader(e.header, headerBytes, i * ENTRY_HEADER_BYTES);
      buffers.push(headerBytes.subarray(i * ENTRY_HEADER_BYTES, (i + 1) * ENTRY_HEADER_BYTES), e.cluster);
    });
    const start = segment.dataEnd;
    let end: number;
    try {
      end = writeAllV(this.dataFd, buffers, start);
    } catch (error) {
      try {
        ftruncateSync(this.dataFd, start);
      } catch {
        this.failure = error;
      }
      throw new StoreError('FAILED', `could not write ${dataName(segment.num)}: ${(error as Error).message}`, { cause: error });
    }
    try {
      fdatasyncSync(this.dataFd);
    } catch (error) {
      // After a failed sync the page cache can no longer be trusted (fsyncgate): stop writing.
      this.failure = error;
      throw new StoreError('FAILED', `could not sync ${dataName(segment.num)}: ${(error as Error).message}`, { cause: error });
    }
    // Durable from here on. The index is a cache: a failure to write it costs a rebuild on open.
    if (!this.indexBroken) {
      try {
        segment.indexEnd = writeAll(this.indexFd, headerBytes, segment.indexEnd);
      } catch {
        this.indexBroken = true;
      }
    }
    let offset = start;
    for (const e of batch) {
      const slot = this.index.push(e.header, segment.num, offset, true);
      offset += ENTRY_HEADER_BYTES + e.cluster.length;
      records.push(this.recordAt(slot));
    }
    segment.dataEnd = end;
    segment.lastSeq = batch.at(-1)?.header.seq ?? segment.lastSeq;
    this.nextSeq = segment.lastSeq + 1;
  }

  /** Seals the active segment (its index is synced) and starts the next one. */
  private roll(): void {
    const current = this.activeSegment();
    try {
      if (!this.indexBroken) fsyncSync(this.indexFd);
    } catch {
      // The index is a cache: open() completes an unsynced one from the data.
    }
    const num = current.num + 1;
    createSegmentFiles(this.dir, num, this.nextSeq);
    const dataFd = openSync(join(this.dir, dataName(num)), 'r+');
    const indexFd = openSync(join(this.dir, indexName(num)), 'r+');
    closeSync(this.indexFd);
    this.cacheReadFd(current.num, this.dataFd);
    this.dataFd = dataFd;
    this.indexFd = indexFd;
    this.indexBroken = false;
    this.segments.push({ num, firstSeq: this.nextSeq, lastSeq: this.nextSeq - 1, dataEnd: FILE_HEADER_BYTES, indexEnd: FILE_HEADER_BYTES });
  }

  /** The id of these header bytes, storing them (synced) if they are new. */
  private internHeader(bytes: Uint8Array): number {
    const crc = crc32Payload(bytes);
    for (const id of this.headersByCrc.get(crc) ?? []) {
      const known = this.headers[id - 1];
      if (known !== undefined && bytesEqual(known, bytes)) return id;
    }
    const id = this.headers.length + 1;
    const entry = encodeHeaderEntry({ id, length: bytes.length, payloadCrc: crc });
    const start = this.headersEnd;
    try {
      const end = writeAllV(this.headersFd, [entry, bytes], start);
      fdatasyncSync(this.headersFd);
      this.headersEnd = end;
    } catch (error) {
      try {
        ftruncateSync(this.headersFd, start);
      } catch {
        this.failure = error;
      }
      throw new StoreError('FAILED', `could not write ${HEADERS_FILE}: ${(error as Error).message}`, { cause: error });
    }
    const copy = bytes.slice();
    this.headers.push(copy);
    this.rememberHeader(copy, id);
    return id;
  }

  private rememberHeader(bytes: Uint8Array, id: number): void {
    const crc = crc32Payload(bytes);
    const ids = this.headersByCrc.get(crc);
    if (ids === undefined) this.headersByCrc.set(crc, [id]);
    else ids.push(id);
  }

  // -------------------------------------------------------------------------------------------------
  // Reading

  /** Number of fragments (not pruned). */
  get count(): number {
    this.assertOpen();
    return this.index.length;
  }

  get(fragmentNumber: string): FragmentRecord | undefined {
    this.assertOpen();
    const slot = this.slotOf(fragmentNumber);
    return slot < 0 ? undefined : this.recordAt(slot);
  }

  first(): FragmentRecord | undefined {
    this.assertOpen();
    return this.index.length > 0 ? this.recordAt(0) : undefined;
  }

  last(): FragmentRecord | undefined {
    this.assertOpen();
    return this.index.length > 0 ? this.recordAt(this.index.length - 1) : undefined;
  }

  /** The cluster bytes as the producer sent them; throws NOT_FOUND (pruned, unknown) or CORRUPT. */
  readCluster(record: Pick<FragmentRecord, 'fragmentNumber'> | string): Uint8Array {
    this.assertOpen();
    const fragmentNumber = typeof record === 'string' ? record : record.fragmentNumber;
    const slot = this.slotOf(fragmentNumber);
    if (slot < 0) throw new StoreError('NOT_FOUND', `fragment ${fragmentNumber} is not in the store`);
    const ix = this.index;
    const segment = ix.segment[slot] ?? 0;
    const bytes = new Uint8Array(ix.size[slot] ?? 0);
    const fd = this.readFdFor(segment);
    if (!readExactly(fd, bytes, (ix.offset[slot] ?? 0) + ENTRY_HEADER_BYTES)) {
      throw new StoreError('CORRUPT', `fragment ${fragmentNumber}: ${dataName(segment)} is shorter than its index says`);
    }
    if (crc32Payload(bytes) !== ix.payloadCrc[slot]) {
      throw new StoreError('CORRUPT', `fragment ${fragmentNumber}: the cluster bytes in ${dataName(segment)} do not match their checksum`);
    }
    return bytes;
  }

  /** A copy of the stream header bytes with this id; throws NOT_FOUND for an unknown id. */
  readHeader(headerId: number): Uint8Array {
    this.assertOpen();
    const bytes = Number.isInteger(headerId) && headerId >= 1 ? this.headers[headerId - 1] : undefined;
    if (bytes === undefined) throw new StoreError('NOT_FOUND', `stream header ${headerId} is not in the store`);
    return bytes.slice();
  }

  /**
   * Fragments whose start timestamp of the given kind is in [startMs, endMs] (both inclusive), in
   * (timestamp, fragment number) order, after `cursor` (a `next` from an earlier page of the same kind),
   * at most `limit`. Fragments appended or pruned between pages do not make a page repeat or skip one.
   */
  range(kind: TimestampKind, startMs: number, endMs: number, limit: number, cursor?: string): RangePage {
    this.assertOpen();
    if (kind !== 'SERVER_TIMESTAMP' && kind !== 'PRODUCER_TIMESTAMP') throw new StoreError('INVALID_ARGUMENT', `unknown timestamp kind ${String(kind)}`);
    if (typeof startMs !== 'number' || typeof endMs !== 'number' || Number.isNaN(startMs) || Number.isNaN(endMs)) {
      throw new StoreError('INVALID_ARGUMENT', 'startMs and endMs must be numbers');
    }
    if (!Number.isSafeInteger(limit) || limit < 1) throw new StoreError('INVALID_ARGUMENT', 'limit must be a positive integer');
    const after = cursor === undefined ? undefined : parseCursor(cursor, kind);
    const ix = this.index;
    const n = ix.length;
    const records: FragmentRecord[] = [];
    let more = false;
    if (kind === 'SERVER_TIMESTAMP') {
      let slot = ix.firstSlotAtOrAfterServer(startMs);
      if (after !== undefined) slot = Math.max(slot, ix.firstSlotAtOrAfterSeq(after.seq + 1));
      const server = ix.server;
      for (; slot < n && (server[slot] ?? 0) <= endMs; slot++) {
        if (records.length === limit) {
          more = true;
          break;
        }
        records.push(this.recordAt(slot));
      }
    } else {
      let rank = ix.producerRank(startMs, -Infinity);
      if (after !== undefined) rank = Math.max(rank, ix.producerRank(after.ts, after.seq + 1));
      const order = ix.byProducer;
      const producer = ix.producer;
      for (; rank < n && (producer[order[rank] ?? 0] ?? 0) <= endMs; rank++) {
        if (records.length === limit) {
          more = true;
          break;
        }
        records.push(this.recordAt(order[rank] ?? 0));
      }
    }
    const lastRecord = records.at(-1);
    if (!more || lastRecord === undefined) return { records };
    const ts = kind === 'SERVER_TIMESTAMP' ? lastRecord.serverTimestampMs : lastRecord.producerTimestampMs;
    return { records, next: `${kind === 'SERVER_TIMESTAMP' ? 'S' : 'P'}${ts}:${this.seqOf(lastRecord.fragmentNumber) ?? 0}` };
  }

  /**
   * Up to `limit` fragments in append order that come after `fragmentNumber` (which may be pruned
   * already), or from the oldest retained one when it is undefined. Throws INVALID_ARGUMENT for a
   * fragment number that is not of this store.
   */
  after(fragmentNumber: string | undefined, limit: number): FragmentRecord[] {
    this.assertOpen();
    if (!Number.isSafeInteger(limit) || limit < 0) throw new StoreError('INVALID_ARGUMENT', 'limit must be an integer >= 0');
    let slot = 0;
    if (fragmentNumber !== undefined) {
      const seq = this.seqOf(fragmentNumber);
      if (seq === undefined) throw new StoreError('INVALID_ARGUMENT', `${fragmentNumber} is not a fragment number of this stream`);
      slot = this.index.firstSlotAtOrAfterSeq(seq + 1);
    }
    const end = Math.min(this.index.length, slot + limit);
    const records: FragmentRecord[] = [];
    for (; slot < end; slot++) records.push(this.recordAt(slot));
    return records;
  }

  // -------------------------------------------------------------------------------------------------
  // Retention and life cycle

  /**
   * Drops every fragment whose server timestamp is before `serverTimestampMs`: the low-water mark is
   * advanced durably first (so reads never see them again, also after a restart), then data segments
   * that hold only dropped fragments are deleted. Returns how many fragments were dropped.
   */
  pruneBefore(serverTimestampMs: number): number {
    this.assertOpen();
    if (typeof serverTimestampMs !== 'number' || Number.isNaN(serverTimestampMs)) {
      throw new StoreError('INVALID_ARGUMENT', 'serverTimestampMs must be a number');
    }
    const cut = this.index.firstSlotAtOrAfterServer(serverTimestampMs);
    if (cut === 0) return 0;
    const lowSeq = cut < this.index.length ? (this.index.seq[cut] ?? 0) : this.nextSeq;
    writeFileDurably(this.dir, LOW_WATER_FILE, encodeLowWater(lowSeq));
    this.lowSeq = lowSeq;
    this.index.dropFirst(cut);
    this.removeSegmentsBelowLowWater();
    return cut;
  }

  /** Numbers for tests, logs and the benchmark. */
  stats(): StoreStats {
    this.assertOpen();
    let dataBytes = 0;
    for (const segment of this.segments) dataBytes += segment.dataEnd;
    return {
      fragments: this.index.length,
      segments: this.segments.length,
      headers: this.headers.length,
      dataBytes,
      indexMemoryBytes: this.index.memoryBytes,
    };
  }

  /** Syncs the index and closes every file. Later calls on the store throw CLOSED. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    openDirs.delete(this.dir);
    try {
      if (!this.indexBroken && this.failure === undefined) fsyncSync(this.indexFd);
    } finally {
      for (const fd of this.readFds.values()) closeSync(fd);
      this.readFds.clear();
      closeSync(this.indexFd);
      closeSync(this.dataFd);
      closeSync(this.headersFd);
    }
  }

  /** Closes the store and deletes its directory (DeleteStream). */
  destroy(): void {
    try {
      this.close();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Internals

  private activeSegment(): Segment {
    const segment = this.segments.at(-1);
    if (segment === undefined) throw new StoreError('FAILED', 'no active segment');
    return segment;
  }

  /** Deletes the oldest segments while they hold only pruned fragments (never the active one). */
  private removeSegmentsBelowLowWater(): number {
    let removed = 0;
    for (;;) {
      const oldest = this.segments[0];
      if (oldest === undefined || this.segments.length < 2 || oldest.lastSeq >= this.lowSeq) break;
      const fd = this.readFds.get(oldest.num);
      if (fd !== undefined) {
        closeSync(fd);
        this.readFds.delete(oldest.num);
      }
      removeSegmentFiles(this.dir, oldest.num);
      this.segments.shift();
      removed++;
    }
    if (removed > 0) syncDir(this.dir);
    return removed;
  }

  private readFdFor(segment: number): number {
    if (segment === this.activeSegment().num) return this.dataFd;
    const cached = this.readFds.get(segment);
    if (cached !== undefined) {
      // Most recently used last.
      this.readFds.delete(segment);
      this.readFds.set(segment, cached);
      return cached;
    }
    const fd = openSync(join(this.dir, dataName(segment)), 'r');
    this.cacheReadFd(segment, fd);
    return fd;
  }

  private cacheReadFd(segment: number, fd: number): void {
    this.readFds.set(segment, fd);
    if (this.readFds.size > MAX_CACHED_READ_FDS) {
      const [oldest] = this.readFds;
      if (oldest !== undefined) {
        closeSync(oldest[1]);
        this.readFds.delete(oldest[0]);
      }
    }
  }

  private recordAt(slot: number): FragmentRecord {
    const ix = this.index;
    return {
      fragmentNumber: this.fragmentNumberOf(ix.seq[slot] ?? 0),
      serverTimestampMs: ix.server[slot] ?? 0,
      producerTimestampMs: ix.producer[slot] ?? 0,
      durationMs: ix.duration[slot] ?? 0,
      sizeBytes: ix.size[slot] ?? 0,
      headerId: ix.headerId[slot] ?? 0,
      clusterTimecode: ix.timecode[slot] ?? 0,
      trackNumbers: trackNumbersOf(ix.trackMask[slot] ?? 0),
    };
  }

  private fragmentNumberOf(seq: number): string {
    return this.fragmentNumberPrefix + String(seq).padStart(FRAGMENT_SEQUENCE_DIGITS, '0');
  }

  /** The sequence number inside one of this store's fragment numbers, else undefined. */
  private seqOf(fragmentNumber: string): number | undefined {
    if (typeof fragmentNumber !== 'string' || fragmentNumber.length !== FRAGMENT_NUMBER_PREFIX_DIGITS + FRAGMENT_SEQUENCE_DIGITS) return undefined;
    if (!fragmentNumber.startsWith(this.fragmentNumberPrefix)) return undefined;
    const tail = fragmentNumber.slice(FRAGMENT_NUMBER_PREFIX_DIGITS);
    if (!/^[0-9]+$/.test(tail)) return undefined;
    const seq = Number(tail);
    return Number.isSafeInteger(seq) ? seq : undefined;
  }

  private slotOf(fragmentNumber: string): number {
    const seq = this.seqOf(fragmentNumber);
    return seq === undefined ? -1 : this.index.slotOfSeq(seq);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('CLOSED', `the fragment store in ${this.dir} is closed`);
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.failure !== undefined) {
      throw new StoreError('FAILED', `the fragment store in ${this.dir} stopped writing after an I/O error; reopen it`, { cause: this.failure });
    }
  }
}

function parseCursor(cursor: string, kind: TimestampKind): { ts: number; seq: number } {
  const match = typeof cursor === 'string' ? /^([SP])([^:]+):([0-9]{1,20})$/.exec(cursor) : null;
  const ts = Number(match?.[2]);
  const seq = Number(match?.[3]);
  if (match === null || match[1] !== (kind === 'SERVER_TIMESTAMP' ? 'S' : 'P') || Number.isNaN(ts) || !Number.isSafeInteger(seq)) {
    throw new StoreError('INVALID_ARGUMENT', 'the cursor is not one this store gave out for this kind of range');
  }
  return { ts, seq };
}
