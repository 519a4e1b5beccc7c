// Splits a PutMedia body (one continuous MKV stream: EBML header, unknown-size Segment, Info, Tracks,
// Clusters, Tags …) fed in arbitrary chunks into header, fragment (one per Cluster) and tags events.
// It holds only the bytes of the element being received: a Cluster (at most maxFragmentBytes), or a
// header element (at most maxElementBytes), or ≤ 12 bytes of an element header. Everything else
// (Void, SeekHead, Cues, …) is skipped as it arrives. Malformed input gives error events, never throws.
import { bytesSource } from '../../byteSource';
import { decodeString, decodeUint, decodeUtf8 } from '../../ebml/values';
import { vintValue, vintWidth } from '../../ebml/vint';
import { ElementId as Id } from '../elementTable';
import { readMatroska } from '../readMatroska';
import { emptyElementHead, HeaderParse, readElementHead, UNKNOWN_SIZE } from './elementHeader';
import type { ElementHead } from './elementHeader';
import type { ErrorEvent, FragmentEvent, HeaderEvent, IngestErrorCode, IngestEvent, IngestTrack, TagsEvent } from './events';
import { IngestErrorId } from './events';

export interface PutMediaSplitterOptions {
  /** Largest Cluster accepted, in bytes (KVS: 50 MB). */
  maxFragmentBytes?: number;
  /** Most tracks accepted (KVS: 3). */
  maxTracks?: number;
  /** Largest EBML header, Info, Tracks or Tags element, in bytes (default 16 MiB). */
  maxElementBytes?: number;
}

export const DEFAULT_MAX_FRAGMENT_BYTES = 50 * 1024 * 1024;
export const DEFAULT_MAX_TRACKS = 3;
const DEFAULT_MAX_ELEMENT_BYTES = 16 * 1024 * 1024;

/** Room before a Cluster's data for its header (4-byte id, up to 8-byte size). */
const PAD = 12;
const INITIAL_CLUSTER_CAPACITY = 64 * 1024;

/** Segment children skipped without being held. */
const SKIPPED_LEVEL1 = new Set<number>([Id.SeekHead, Id.Cues, Id.Chapters, Id.Attachments, Id.Void, Id.CRC32]);
/** Elements a Cluster may hold. */
const CLUSTER_CHILDREN = new Set<number>([
  Id.Timestamp, Id.SilentTracks, Id.Position, Id.PrevSize, Id.SimpleBlock, Id.BlockGroup, Id.EncryptedBlock, Id.Void, Id.CRC32,
]);
/** Ids that end a Cluster of unknown size (RFC 8794 §6.2: an element that cannot be its child). */
const ENDS_CLUSTER = new Set<number>([
  Id.Cluster, Id.Tags, Id.Cues, Id.Info, Id.Tracks, Id.SeekHead, Id.Chapters, Id.Attachments, Id.EBML, Id.Segment,
]);

const enum Pending {
  None,
  /** Bytes of a whole element are collected into `pendingBuf`. */
  Element,
  /** Bytes are dropped. */
  Skip,
  /** Bytes of a Cluster child are appended to the cluster buffer (or dropped when it is discarded). */
  Child,
}

const enum Where {
  /** Before a Segment: EBML header, Segment. */
  Top,
  Segment,
  Failed,
}

interface BlockFacts {
  track: number;
  relative: number;
  key: boolean;
  /** BlockDuration in ticks, -1 when absent. */
  duration: number;
}

interface ClusterState {
  offset: number;
  /** Stream offset where it ends: known size, else the Segment's end (or Infinity). */
  end: number;
  knownSize: boolean;
  /** [PAD bytes for the header][data]; null when the cluster is being discarded. */
  buf: Uint8Array | null;
  /** Data bytes held after PAD. */
  length: number;
  /** The element header as sent (known size) to write back before the data. */
  header: Uint8Array | null;
  timecode: number | undefined;
  blocks: BlockFacts[];
  /** Over maxFragmentBytes: the error is reported once the timecode is known (or the cluster ends). */
  oversize: 'no' | 'pending' | 'reported';
  invalid: { offset: number; message: string } | undefined;
}

interface StreamHeader {
  offset: number;
  ebml: Uint8Array;
  docType: string;
}

export class PutMediaSplitter {
  private readonly maxFragmentBytes: number;
  private readonly maxTracks: number;
  private readonly maxElementBytes: number;

  private where: Where = Where.Top;
  /** Stream offset of the next byte. */
  private offset = 0;
  private events: IngestEvent[] = [];

  // Element header being read.
  private readonly headBytes = new Uint8Array(PAD);
  private headLength = 0;
  private readonly head: ElementHead = emptyElementHead();

  // Data of the element being received.
  private pending = Pending.None;
  private pendingId = 0;
  private pendingOffset = 0;
  private pendingRemaining = 0;
  private pendingBuf: Uint8Array = new Uint8Array(0);
  private pendingFilled = 0;

  // Stream state.
  private ebml: StreamHeader | undefined;
  private segmentStart: Uint8Array | undefined;
  private segmentEnd = Infinity;
  private info: Uint8Array | undefined;
  private tracks: Uint8Array | undefined;
  /** Stream offsets of the Info and Tracks elements, for error offsets. */
  private infoAt = 0;
  private tracksAt = 0;
  private headerSent = false;
  private headerTracks: IngestTrack[] = [];
  private timestampScale = 1_000_000;
  private cluster: ClusterState | undefined;
  /** Stream offset and buffer position of the Cluster child being received. */
  private childOffset = 0;
  private childStart = 0;

  constructor(options: PutMediaSplitterOptions = {}) {
    this.maxFragmentBytes = options.maxFragmentBytes ?? DEFAULT_MAX_FRAGMENT_BYTES;
    this.maxTracks = options.maxTracks ?? DEFAULT_MAX_TRACKS;
    this.maxElementBytes = options.maxElementBytes ?? DEFAULT_MAX_ELEMENT_BYTES;
  }

  /** Stream offset of the next byte (bytes pushed so far). */
  get position(): number {
    return this.offset;
  }

  /** Bytes held right now (the incomplete element). */
  get bufferedBytes(): number {
    return this.headLength + (this.pending === Pending.Element ? this.pendingBuf.length : 0) + (this.cluster?.buf?.length ?? 0);
  }

  /** Stopped after a fatal error. */
  get failed(): boolean {
    return this.where === Where.Failed;
  }

  /** Feeds the next bytes of the body; returns what became complete. */
  push(bytes: Uint8Array): IngestEvent[] {
    this.events = [];
    let p = 0;
    const n = bytes.length;
    const streamEnd = this.offset + n;
    while (this.where !== Where.Failed) {
      if (this.pending === Pending.None && this.closeFinished()) continue;
      if (p >= n) break;
      if (this.pending !== Pending.None) {
        p = this.consume(bytes, p, n);
        continue;
      }
      p = this.readHead(bytes, p, n);
    }
    if (this.where === Where.Failed) this.offset = streamEnd; // bytes after a fatal error are counted, not read
    return this.events;
  }

  /** The body ended: completes an unknown-size Cluster, or reports a truncated element. */
  end(): IngestEvent[] {
    this.events = [];
    if (this.where === Where.Failed) return this.events;
    while (this.pending === Pending.None && this.closeFinished()) {
      // closes clusters and segments that end exactly here
    }
    if (this.failed) return this.events;
    if (this.headLength > 0 && this.pending === Pending.None) {
      // Cut inside an element header: an unknown-size Cluster before it is complete.
      if (this.cluster && !this.cluster.knownSize) this.finishCluster();
      const at = this.offset - this.headLength;
      this.fail(this.cluster?.offset ?? at, `The stream ended inside an element header at offset ${at}.`);
      return this.events;
    }
    if (this.pending !== Pending.None) {
      const what = this.cluster ? `the Cluster at offset ${this.cluster.offset}` : `the ${elementName(this.pendingId)} at offset ${this.pendingOffset}`;
      this.fail(this.cluster?.offset ?? this.pendingOffset, `The stream ended inside ${what} (at offset ${this.offset}).`);
      return this.events;
    }
    if (this.cluster) {
      if (this.cluster.knownSize) {
        this.fail(this.cluster.offset, `The stream ended inside the Cluster at offset ${this.cluster.offset} (${this.offset - this.cluster.offset} of ${this.cluster.end - this.cluster.offset} bytes).`);
        return this.events;
      }
      this.finishCluster();
    }
    if (this.where === Where.Segment && !this.headerSent && this.tracks) this.sendHeader();
    return this.events;
  }

  // Reading.

  /** Closes a Cluster or Segment whose known end is reached; true when something was closed. */
  private closeFinished(): boolean {
    if (this.cluster && this.offset >= this.cluster.end) {
      this.finishCluster();
      return true;
    }
    if (this.where === Where.Segment && this.offset >= this.segmentEnd) {
      if (!this.headerSent && this.tracks) this.sendHeader();
      this.where = Where.Top;
      this.segmentEnd = Infinity;
      return true;
    }
    return false;
  }

  private readHead(bytes: Uint8Array, p: number, n: number): number {
    const head = this.head;
    if (this.headLength === 0) {
      const status = readElementHead(bytes, p, n, head);
      if (status === HeaderParse.Ok) {
        this.headBytes.set(bytes.subarray(p, p + head.headerSize));
        this.headLength = head.headerSize;
        const start = this.offset;
        this.offset += head.headerSize;
        this.onHead(start);
        return p + head.headerSize;
      }
      if (status === HeaderParse.Invalid) {
        this.fail(this.offset, `Invalid EBML element header at offset ${this.offset}.`);
        return n;
      }
    }
    // Byte by byte into the scratch header (at most 12 bytes).
    while (p < n) {
      this.headBytes[this.headLength++] = bytes[p++] ?? 0;
      this.offset++;
      const status = readElementHead(this.headBytes, 0, this.headLength, head);
      if (status === HeaderParse.Ok) {
        this.onHead(this.offset - head.headerSize);
        return p;
      }
      if (status === HeaderParse.Invalid) {
        this.fail(this.offset - this.headLength, `Invalid EBML element header at offset ${this.offset - this.headLength}.`);
        return n;
      }
    }
    return p;
  }

  private consume(bytes: Uint8Array, p: number, n: number): number {
    const take = Math.min(this.pendingRemaining, n - p);
    switch (this.pending) {
      case Pending.Element:
        this.pendingBuf.set(bytes.subarray(p, p + take), this.pendingFilled);
        this.pendingFilled += take;
        break;
      case Pending.Child:
        this.appendToCluster(bytes, p, take);
        break;
      default:
        break;
    }
    this.pendingRemaining -= take;
    this.offset += take;
    if (this.pendingRemaining === 0) this.complete();
    return p + take;
  }

  /** An element header was read (its bytes are in headBytes); `start` is its stream offset. */
  private onHead(start: number): void {
    const { id, size, headerSize } = this.head;
    const headerBytes = this.headBytes.subarray(0, headerSize);
    this.headLength = 0;
    const known = size !== UNKNOWN_SIZE;
    const dataEnd = start + headerSize + (known ? size : 0);

    const cluster = this.cluster;
    if (cluster) {
      if (cluster.knownSize || !ENDS_CLUSTER.has(id)) {
        this.onClusterChild(cluster, id, size, start, headerBytes);
        return;
      }
      this.finishCluster();
      if (this.failed) return;
    }

    if (this.where === Where.Segment) {
      if (id === Id.EBML || id === Id.Segment) {
        // A new stream (EBML header) or Segment in the same body: the current Segment is over.
        if (!this.headerSent && this.tracks) this.sendHeader();
        if (this.failed) return;
        this.where = Where.Top;
        this.segmentEnd = Infinity;
      } else {
        if (known && dataEnd > this.segmentEnd) {
          this.fail(start, `${elementName(id)} at offset ${start} (${size} bytes) runs past the end of its Segment.`);
          return;
        }
        this.onSegmentChild(id, size, start, headerBytes);
        return;
      }
    }

    // Top level.
    switch (id) {
      case Id.EBML:
        this.collect(id, size, start, headerBytes);
        return;
      case Id.Segment:
        if (!this.ebml) {
          this.fail(start, `The Segment at offset ${start} has no EBML header before it.`);
          return;
        }
        this.segmentStart = headerBytes.slice();
        this.segmentEnd = known ? dataEnd : Infinity;
        this.info = undefined;
        this.tracks = undefined;
        this.headerSent = false;
        this.where = Where.Segment;
        return;
      case Id.Void:
      case Id.CRC32:
        this.skip(id, size, start);
        return;
      default:
        this.fail(start, `Expected an EBML header or a Segment at offset ${start}, found ${elementName(id)}.`);
    }
  }

  private onSegmentChild(id: number, size: number, start: number, headerBytes: Uint8Array): void {
    switch (id) {
      case Id.Info:
      case Id.Tracks:
      case Id.Tags:
        this.collect(id, size, start, headerBytes);
        return;
      case Id.Cluster:
        this.beginCluster(size, start, headerBytes);
        return;
      default:
        if (SKIPPED_LEVEL1.has(id)) this.skip(id, size, start);
        else this.fail(start, `${elementName(id)} at offset ${start} cannot be a child of the Segment.`);
    }
  }

  /** Collects a whole element (EBML header, Info, Tracks, Tags) before handling it. */
  private collect(id: number, size: number, start: number, headerBytes: Uint8Array): void {
    if (size === UNKNOWN_SIZE) {
      this.fail(start, `${elementName(id)} at offset ${start} has an unknown size.`);
      return;
    }
    if (headerBytes.length + size > this.maxElementBytes) {
      this.fail(start, `${elementName(id)} at offset ${start} is ${size} bytes, more than the ${this.maxElementBytes} accepted.`);
      return;
    }
    this.pendingBuf = new Uint8Array(headerBytes.length + size);
    this.pendingBuf.set(headerBytes);
    this.pendingFilled = headerBytes.length;
    this.startPending(Pending.Element, id, start, size);
  }

  private skip(id: number, size: number, start: number): void {
    if (size === UNKNOWN_SIZE) {
      this.fail(start, `${elementName(id)} at offset ${start} has an unknown size.`);
      return;
    }
    this.startPending(Pending.Skip, id, start, size);
  }

  private startPending(kind: Pending, id: number, start: number, size: number): void {
    this.pending = kind;
    this.pendingId = id;
    this.pendingOffset = start;
    this.pendingRemaining = size;
    if (size === 0) this.complete();
  }

  /** The pending element's last byte arrived. */
  private complete(): void {
    const kind = this.pending;
    this.pending = Pending.None;
    if (kind === Pending.Element) {
      const bytes = this.pendingBuf;
      this.pendingBuf = new Uint8Array(0);
      this.onElement(this.pendingId, this.pendingOffset, bytes);
    } else if (kind === Pending.Child && this.cluster) {
      this.onChildComplete(this.cluster);
    }
  }

  private onElement(id: number, offset: number, bytes: Uint8Array): void {
    switch (id) {
      case Id.EBML:
        this.ebml = { offset, ebml: bytes, docType: docTypeOf(bytes) };
        this.headerSent = false;
        return;
      case Id.Info:
        if (this.info) return; // a repeated Info: the first one stands
        this.info = bytes;
        this.infoAt = offset;
        if (this.tracks && !this.headerSent) this.sendHeader();
        return;
      case Id.Tracks:
        if (this.tracks && this.headerSent) return; // a repeated Tracks: the first one stands
        this.tracks = bytes;
        this.tracksAt = offset;
        if (this.info && !this.headerSent) this.sendHeader();
        return;
      case Id.Timestamp:
        if (this.cluster) {
          this.cluster.timecode = readTimestamp(bytes);
          this.reportOversize(this.cluster);
        }
        return;
      case Id.Tags: {
        const event: TagsEvent = { type: 'tags', offset, bytes, tags: simpleTagsOf(bytes) };
        this.events.push(event);
        return;
      }
    }
  }

  private sendHeader(): void {
    const ebml = this.ebml;
    const tracks = this.tracks;
    if (!ebml || !tracks) return;
    const parts = [ebml.ebml, this.segmentStart ?? new Uint8Array(0), this.info ?? new Uint8Array(0), tracks];
    const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    const tracksOffset = bytes.length - tracks.length;
    const bodyOffset = ebml.ebml.length + (this.segmentStart?.length ?? 0);
    // Offsets in `bytes` → stream offsets (Info and Tracks need not be next to each other in the stream).
    const streamOffset = (at: number): number => (at >= tracksOffset ? this.tracksAt + at - tracksOffset : at >= bodyOffset ? this.infoAt + at - bodyOffset : ebml.offset + at);
    const file = readMatroska(bytesSource(bytes), { blocks: false });
    const segment = file.documents[0]?.segments[0];
    const models = segment?.tracks ?? [];
    // Structure errors inside Info or Tracks (a known Segment size running past these bytes is expected).
    const problem = file.issues.find((i) => i.severity === 'error' && i.offset >= bodyOffset && i.code.startsWith('EBML_'));
    if (problem) {
      this.fail(streamOffset(problem.offset), `Invalid ${problem.offset >= tracksOffset ? 'Tracks' : 'Info'}: ${problem.message}`);
      return;
    }
    if (models.length === 0) {
      this.fail(this.tracksAt, 'Tracks has no TrackEntry.');
      return;
    }
    if (models.length > this.maxTracks) {
      this.fail(this.tracksAt, `Tracks declares ${models.length} tracks; at most ${this.maxTracks} are allowed.`, 'MORE_THAN_ALLOWED_TRACKS_FOUND');
      return;
    }
    const numbers = new Set<number>();
    for (const model of models) {
      if (model.number <= 0 || numbers.has(model.number)) {
        this.fail(streamOffset(model.offset), `TrackEntry at offset ${streamOffset(model.offset)} has a missing, zero or repeated TrackNumber (${model.number}).`);
        return;
      }
      numbers.add(model.number);
    }
    this.headerTracks = models.map((model) => {
      const track: IngestTrack = { number: model.number, type: model.type, codecId: model.codecId };
      if (model.uid !== undefined) track.uid = model.uid;
      if (model.codecPrivate) track.codecPrivate = bytes.subarray(model.codecPrivate.offset, model.codecPrivate.offset + model.codecPrivate.size);
      if (model.name !== undefined) track.name = model.name;
      if (model.defaultDurationNs !== undefined) track.defaultDurationNs = model.defaultDurationNs;
      if (model.video) track.video = model.video;
      if (model.audio) track.audio = model.audio;
      return track;
    });
    this.timestampScale = segment?.info.timestampScale ?? 1_000_000;
    this.headerSent = true;
    const event: HeaderEvent = {
      type: 'header',
      offset: ebml.offset,
      bytes,
      docType: ebml.docType,
      tracks: this.headerTracks,
      timestampScale: this.timestampScale,
    };
    this.events.push(event);
  }

  // Clusters.

  private beginCluster(size: number, start: number, headerBytes: Uint8Array): void {
    if (!this.headerSent) {
      if (this.tracks) this.sendHeader();
      else {
        this.fail(start, `The Cluster at offset ${start} comes before the Tracks element.`);
        return;
      }
      if (this.failed) return;
    }
    const knownSize = size !== UNKNOWN_SIZE;
    const total = headerBytes.length + (knownSize ? size : 0);
    const cluster: ClusterState = {
      offset: start,
      end: knownSize ? start + total : this.segmentEnd,
      knownSize,
      buf: null,
      length: 0,
      header: knownSize ? headerBytes.slice() : null,
      timecode: undefined,
      blocks: [],
      oversize: 'no',
      invalid: undefined,
    };
    this.cluster = cluster;
    if (knownSize && total > this.maxFragmentBytes) cluster.oversize = 'pending';
    else cluster.buf = new Uint8Array(PAD + (knownSize ? size : Math.min(INITIAL_CLUSTER_CAPACITY, this.maxFragmentBytes)));
  }

  private onClusterChild(cluster: ClusterState, id: number, size: number, start: number, headerBytes: Uint8Array): void {
    if (!CLUSTER_CHILDREN.has(id)) {
      this.fail(start, `${elementName(id)} at offset ${start} cannot be a child of the Cluster at offset ${cluster.offset}.`);
      return;
    }
    if (size === UNKNOWN_SIZE) {
      this.fail(start, `${elementName(id)} at offset ${start} has an unknown size.`);
      return;
    }
    if (start + headerBytes.length + size > cluster.end) {
      this.fail(start, `${elementName(id)} at offset ${start} (${size} bytes) runs past the end of its Cluster or Segment.`);
      return;
    }
    if (id !== Id.Timestamp) this.reportOversize(cluster);
    if (cluster.buf && start + headerBytes.length + size - cluster.offset > this.maxFragmentBytes) {
      // Known before a byte of the child is held: drop the cluster, keep reading to its end.
      cluster.buf = null;
      cluster.oversize = 'pending';
      this.reportOversize(cluster);
    }
    if (cluster.buf) {
      this.childStart = PAD + cluster.length;
      this.appendToCluster(headerBytes, 0, headerBytes.length);
    } else if (id === Id.Timestamp && cluster.timecode === undefined && size <= 8) {
      // A dropped cluster still reads its Timestamp, for the error event (see onElement).
      this.collect(id, size, start, headerBytes);
      return;
    }
    this.childOffset = start;
    this.startPending(Pending.Child, id, start, size);
  }

  private appendToCluster(bytes: Uint8Array, p: number, length: number): void {
    const cluster = this.cluster;
    if (!cluster?.buf || length === 0) return;
    const need = PAD + cluster.length + length;
    if (need > cluster.buf.length) {
      let capacity = cluster.buf.length * 2;
      while (capacity < need) capacity *= 2;
      capacity = Math.min(capacity, PAD + this.maxFragmentBytes);
      const grown = new Uint8Array(Math.max(capacity, need));
      grown.set(cluster.buf.subarray(0, PAD + cluster.length));
      cluster.buf = grown;
    }
    cluster.buf.set(bytes.subarray(p, p + length), PAD + cluster.length);
    cluster.length += length;
  }

  /** A Cluster child is complete: read the facts it carries. */
  private onChildComplete(cluster: ClusterState): void {
    const buf = cluster.buf;
    if (!buf) return;
    const start = this.childStart;
    const end = PAD + cluster.length;
    const head = this.head;
    if (readElementHead(buf, start, end, head) !== HeaderParse.Ok) return;
    const dataStart = start + head.headerSize;
    switch (this.pendingId) {
      case Id.Timestamp:
        if (end - dataStart > 8) this.invalidate(cluster, this.childOffset, 'the Cluster Timestamp is longer than 8 bytes');
        else cluster.timecode = Number(decodeUint(buf, dataStart, end - dataStart));
        return;
      case Id.SimpleBlock: {
        const facts = blockFacts(buf, dataStart, end);
        if (!facts) this.invalidate(cluster, this.childOffset, 'a SimpleBlock is too short or has an invalid track number');
        else cluster.blocks.push({ track: facts.track, relative: facts.relative, key: (facts.flags & 0x80) !== 0, duration: -1 });
        return;
      }
      case Id.BlockGroup:
        if (!readBlockGroup(buf, dataStart, end, cluster.blocks)) {
          this.invalidate(cluster, this.childOffset, 'a BlockGroup has no valid Block');
        }
        return;
    }
  }

  private invalidate(cluster: ClusterState, offset: number, message: string): void {
    cluster.invalid ??= { offset, message };
  }

  private reportOversize(cluster: ClusterState): void {
    if (cluster.oversize !== 'pending') return;
    cluster.oversize = 'reported';
    const size = cluster.knownSize ? `${cluster.end - cluster.offset} bytes` : `more than ${this.maxFragmentBytes} bytes`;
    this.error(
      'MAX_FRAGMENT_SIZE_REACHED',
      cluster.offset,
      `The Cluster at offset ${cluster.offset} is ${size}; a fragment may have at most ${this.maxFragmentBytes}.`,
      false,
      cluster.timecode,
    );
  }

  private finishCluster(): void {
    const cluster = this.cluster;
    this.cluster = undefined;
    if (!cluster) return;
    if (cluster.oversize !== 'no') {
      this.reportOversize(cluster);
      return;
    }
    const buf = cluster.buf;
    if (!buf) return;
    if (cluster.invalid) {
      this.error('INVALID_MKV_DATA', cluster.invalid.offset, `The Cluster at offset ${cluster.offset} is dropped: ${cluster.invalid.message}.`, false, cluster.timecode);
      return;
    }
    if (cluster.timecode === undefined) {
      this.error('INVALID_MKV_DATA', cluster.offset, `The Cluster at offset ${cluster.offset} has no Timestamp.`, false);
      return;
    }
    let header = cluster.header;
    if (!header) header = knownSizeClusterHeader(cluster.length);
    const from = PAD - header.length;
    buf.set(header, from);
    let bytes = buf.subarray(from, PAD + cluster.length);
    if (buf.length - bytes.length > bytes.length / 4 + 64) bytes = bytes.slice(); // do not keep a mostly empty buffer alive
    this.events.push(this.fragmentEvent(cluster, cluster.timecode, bytes));
  }

  private fragmentEvent(cluster: ClusterState, timecode: number, bytes: Uint8Array): FragmentEvent {
    const msPerTick = this.timestampScale / 1e6;
    const blocks = cluster.blocks;
    let startTicks = Infinity;
    let endTicks = -Infinity;
    let last: BlockFacts | undefined;
    const trackSet = new Set<number>();
    for (const block of blocks) {
      const t = timecode + block.relative;
      if (t < startTicks) startTicks = t;
      if (t >= endTicks) {
        endTicks = t;
        last = block;
      }
      trackSet.add(block.track);
    }
    const tracks = [...trackSet].sort((a, b) => a - b);
    const declared = new Set(this.headerTracks.map((t) => t.number));
    const timecodeMs = timecode * msPerTick;
    const startMs = blocks.length > 0 ? startTicks * msPerTick : timecodeMs;
    const endMs = blocks.length > 0 ? endTicks * msPerTick : timecodeMs;
    const frameMs = last ? this.frameDurationMs(last, blocks, msPerTick) : 0;
    return {
      type: 'fragment',
      offset: cluster.offset,
      cluster: bytes,
      timecode,
      timecodeMs,
      startMs,
      endMs,
      durationMs: endMs - startMs + frameMs,
      keyframeFirst: blocks[0]?.key ?? false,
      tracks,
      undeclaredTracks: tracks.filter((t) => !declared.has(t)),
      blockCount: blocks.length,
    };
  }

  /** One frame's duration for the track of `last`: BlockDuration, DefaultDuration, else its frame spacing here. */
  private frameDurationMs(last: BlockFacts, blocks: readonly BlockFacts[], msPerTick: number): number {
    if (last.duration >= 0) return last.duration * msPerTick;
    const defaultNs = this.headerTracks.find((t) => t.number === last.track)?.defaultDurationNs;
    if (defaultNs !== undefined && defaultNs > 0) return defaultNs / 1e6;
    let min = Infinity;
    let max = -Infinity;
    let count = 0;
    for (const block of blocks) {
      if (block.track !== last.track) continue;
      count++;
      if (block.relative < min) min = block.relative;
      if (block.relative > max) max = block.relative;
    }
    return count > 1 ? ((max - min) / (count - 1)) * msPerTick : 0;
  }

  // Errors.

  private error(code: IngestErrorCode, offset: number, message: string, fatal: boolean, timecode?: number): void {
    const event: ErrorEvent = { type: 'error', errorCode: code, errorId: IngestErrorId[code], offset, message, fatal };
    if (timecode !== undefined) event.timecode = timecode;
    this.events.push(event);
  }

  /** A fatal error: the stream cannot be followed any further. */
  private fail(offset: number, message: string, code: IngestErrorCode = 'INVALID_MKV_DATA'): void {
    this.error(code, offset, message, true, this.cluster?.timecode);
    this.where = Where.Failed;
    this.pending = Pending.None;
    this.pendingBuf = new Uint8Array(0);
    this.cluster = undefined;
    this.headLength = 0;
  }
}

function knownSizeClusterHeader(length: number): Uint8Array {
  let width = 1;
  while (length >= 2 ** (7 * width) - 1) width++;
  const header = new Uint8Array(4 + width);
  header.set([0x1f, 0x43, 0xb6, 0x75]);
  let rest = length;
  for (let i = width - 1; i >= 0; i--) {
    header[4 + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  header[4] = (header[4] ?? 0) | (0x80 >> (width - 1));
  return header;
}

/** Track, relative timecode and flags of the block data in bytes[start, end). */
function blockFacts(bytes: Uint8Array, start: number, end: number): { track: number; relative: number; flags: number } | undefined {
  const width = vintWidth(bytes[start] ?? 0);
  if (width === 0 || start + width + 3 > end) return undefined;
  const track = vintValue(bytes, start, width);
  if (track <= 0) return undefined;
  const p = start + width;
  const raw = ((bytes[p] ?? 0) << 8) | (bytes[p + 1] ?? 0);
  return { track, relative: raw >= 0x8000 ? raw - 0x10000 : raw, flags: bytes[p + 2] ?? 0 };
}

/** Reads the Block of a BlockGroup in bytes[start, end) into `blocks`; false when it has none. */
function readBlockGroup(bytes: Uint8Array, start: number, end: number, blocks: BlockFacts[]): boolean {
  const head = emptyElementHead();
  let facts: ReturnType<typeof blockFacts>;
  let referenced = false;
  let duration = -1;
  let p = start;
  while (p < end) {
    if (readElementHead(bytes, p, end, head) !== HeaderParse.Ok || head.size === UNKNOWN_SIZE) return false;
    const dataStart = p + head.headerSize;
    const dataEnd = dataStart + head.size;
    if (dataEnd > end) return false;
    if (head.id === Id.Block && !facts) {
      facts = blockFacts(bytes, dataStart, dataEnd);
      if (!facts) return false;
    } else if (head.id === Id.ReferenceBlock) referenced = true;
    else if (head.id === Id.BlockDuration && head.size <= 8) duration = Number(decodeUint(bytes, dataStart, head.size));
    p = dataEnd;
  }
  if (!facts) return false;
  blocks.push({ track: facts.track, relative: facts.relative, key: !referenced, duration });
  return true;
}

function readTimestamp(element: Uint8Array): number | undefined {
  const head = emptyElementHead();
  if (readElementHead(element, 0, element.length, head) !== HeaderParse.Ok || head.size === UNKNOWN_SIZE || head.size > 8) return undefined;
  return Number(decodeUint(element, head.headerSize, Math.min(head.size, element.length - head.headerSize)));
}

/** DocType of a whole EBML header element ('' when absent). */
function docTypeOf(element: Uint8Array): string {
  const head = emptyElementHead();
  if (readElementHead(element, 0, element.length, head) !== HeaderParse.Ok) return '';
  let p = head.headerSize;
  while (p < element.length) {
    if (readElementHead(element, p, element.length, head) !== HeaderParse.Ok || head.size === UNKNOWN_SIZE) return '';
    const dataStart = p + head.headerSize;
    if (head.id === Id.DocType) return decodeString(element, dataStart, Math.min(head.size, element.length - dataStart));
    p = dataStart + head.size;
  }
  return '';
}

/** SimpleTag (name, string value) pairs of a whole Tags element, nested SimpleTags included, in order. */
function simpleTagsOf(element: Uint8Array): [string, string][] {
  const out: [string, string][] = [];
  const head = emptyElementHead();
  const walk = (start: number, end: number, depth: number): void => {
    let p = start;
    while (p < end) {
      if (readElementHead(element, p, end, head) !== HeaderParse.Ok || head.size === UNKNOWN_SIZE) return;
      const id = head.id;
      const dataStart = p + head.headerSize;
      const next = dataStart + head.size; // head is reused by the calls below
      const dataEnd = Math.min(end, next);
      if (id === Id.Tag && depth === 0) walk(dataStart, dataEnd, 1);
      else if (id === Id.SimpleTag && depth >= 1 && depth < 16) {
        const index = out.length;
        out.push(['', '']);
        readSimpleTag(dataStart, dataEnd, index);
        walk(dataStart, dataEnd, depth + 1);
      }
      p = next;
    }
  };
  const readSimpleTag = (start: number, end: number, index: number): void => {
    const entry = out[index];
    if (!entry) return;
    let p = start;
    while (p < end) {
      if (readElementHead(element, p, end, head) !== HeaderParse.Ok || head.size === UNKNOWN_SIZE) return;
      const dataStart = p + head.headerSize;
      const length = Math.max(0, Math.min(end, dataStart + head.size) - dataStart);
      if (head.id === Id.TagName) entry[0] = decodeUtf8(element, dataStart, length);
      else if (head.id === Id.TagString) entry[1] = decodeUtf8(element, dataStart, length);
      p = dataStart + head.size;
    }
  };
  if (readElementHead(element, 0, element.length, head) !== HeaderParse.Ok) return out;
  walk(head.headerSize, element.length, 0);
  return out;
}

const NAMES = new Map<number, string>(Object.entries(Id).map(([name, id]) => [id, name]));

function elementName(id: number): string {
  return NAMES.get(id) ?? `element 0x${id.toString(16).toUpperCase()}`;
}
