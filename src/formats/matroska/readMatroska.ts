// Builds the Matroska model (documents, segments, tracks, clusters, blocks, KVS fragment metadata) in
// one pass of the EBML walker. Block payloads are never read.
import type { ByteSource, ByteWindow } from '../byteSource';
import { bytesEqual } from '../bytesEqual';
import { pairVisitors } from '../ebml/pairVisitors';
import { TreeBuilder } from '../ebml/tree';
import type { EbmlElement, EbmlVisitor } from '../ebml/walker';
import { UNKNOWN_SIZE, VINT_WIDTHS, vintValue, vintWidth } from '../ebml/vint';
import { PEEK_BYTES, SKIM_NEVER, walkEbml } from '../ebml/walker';
import { capIssuesPerCode, issue, IssueLog, type Issue } from '../issues';
import type { BlockHeader } from './blockHeader';
import { BlockParse, emptyBlockHeader, MAX_LACING_HEADER, parseBlockHeader } from './blockHeader';
import type { BlockRow } from './blockTable';
import { BlockFlag, BlockTableBuilder } from './blockTable';
import { asBinary, asNumber, asString, asUid } from './elementValues';
import { ElementId as Id } from './elementTable';
import { KVS_TAG_PREFIX, KVS_TRAILING_TAGS, kvsMetadata } from './kvsTags';
import type {
  EbmlHeaderInfo,
  MatroskaCluster,
  MatroskaDocument,
  MatroskaFile,
  MatroskaFragment,
  MatroskaSegment,
  MatroskaSimpleTag,
  MatroskaTag,
  MatroskaTrack,
} from './model';
import { matroskaSchema } from './schema';
import { applyTimestampScale, TALLY_ARRAY_SIZE, TrackTally } from './segmentEnd';
import { applyTrackValue, newTrack, trackIssues } from './trackEntry';

export interface ReadMatroskaOptions {
  /** Read every block header into the block table (default true). */
  blocks?: boolean;
  /** Issues kept per code; the rest are counted in one ISSUES_SUPPRESSED issue per code (default 100). */
  maxIssuesPerCode?: number;
  /**
   * Also collect the element tree (`MatroskaFile.tree`) in the same walk. `expand` says which masters
   * get their children in the tree (default all); leave Clusters out to keep the tree small (their
   * blocks are in the block table; readChildren reads one Cluster's elements when needed).
   */
  tree?: { expand?: (element: EbmlElement) => boolean };
}

export function readMatroska(source: ByteSource, options: ReadMatroskaOptions = {}): MatroskaFile {
  const max = options.maxIssuesPerCode;
  const reader = new MatroskaReader(source, options.blocks !== false, new IssueLog(max));
  const tree = options.tree ? new TreeBuilder(options.tree.expand) : undefined;
  // The reader goes first: it uses `peek` (block headers), which the tree builder does not.
  const walk = walkEbml(source, matroskaSchema(), tree ? pairVisitors(reader, tree) : reader, { maxIssuesPerCode: max });
  reader.finish();
  const blocks = reader.blocks.table();
  const truncated = walk.issues.some((found) => found.code === 'EBML_TRUNCATED');
  const empty = truncated ? undefined : noTracksIssue(reader.documents, blocks.count);
  const modelIssues = reader.issues.finish();
  if (empty) modelIssues.push(empty);
  const file: MatroskaFile = {
    documents: reader.documents,
    clusters: reader.clusters,
    fragments: reader.fragments,
    blocks,
    issues: mergeIssues(walk.issues, modelIssues, max),
  };
  if (tree) file.tree = tree.nodes;
  return file;
}

/**
 * MKV_NO_TRACKS: a whole file that declares no track and holds no block or tag (blocks without tracks are
 * MKV_UNDECLARED_TRACK; a GetMedia error document holds Tags only; a cut file is EBML_TRUNCATED).
 */
function noTracksIssue(documents: readonly MatroskaDocument[], blockCount: number): Issue | undefined {
  if (documents.length === 0 || blockCount > 0) return undefined;
  const segments = documents.flatMap((document) => document.segments);
  if (segments.some((segment) => segment.tracks.length > 0 || segment.tags.length > 0 || segment.clusterCount > 0)) return undefined;
  const segment = segments[0];
  const where = segment ? `the Segment at offset ${segment.offset} has neither a TrackEntry nor a Cluster` : 'there is an EBML header and no Segment';
  return issue(
    'warning',
    'MKV_NO_TRACKS',
    `The file declares no track and holds no block: ${where}.`,
    segment?.offset ?? 0,
    'A recording that stopped before its first frame (an encoder that failed to start), or the start of a stream cut off: PutMedia needs Tracks and Clusters.',
  );
}

/** Structure and model issues in offset order, at most `max` of each code. */
function mergeIssues(structure: readonly Issue[], model: readonly Issue[], max: number | undefined): Issue[] {
  return capIssuesPerCode([...structure, ...model].sort((a, b) => a.offset - b.offset), max);
}

// The ids skim takes, as plain numbers.
const SIMPLE_BLOCK: number = Id.SimpleBlock;
const TIMESTAMP: number = Id.Timestamp;
const CRC32: number = Id.CRC32;
const VOID: number = Id.Void;
const KEY: number = BlockFlag.Key;
const INVISIBLE: number = BlockFlag.Invisible;
const DISCARDABLE: number = BlockFlag.Discardable;

interface SegmentState {
  readonly model: MatroskaSegment;
  /** The Segment element; null for elements found outside any Segment. */
  readonly element: EbmlElement | null;
  readonly firstBlock: number;
  readonly firstFragment: number;
  /** Untargeted SimpleTags waiting for the next cluster. */
  pendingTags: MatroskaSimpleTag[];
  lastFragment: MatroskaFragment | undefined;
  /** Block times written so far used a TimestampScale or cluster Timestamp that changed since: redo them at the end. */
  blockTimesStale: boolean;
}

interface ClusterState {
  readonly model: MatroskaCluster;
  readonly element: EbmlElement;
  readonly fragment: MatroskaFragment;
}

class MatroskaReader implements EbmlVisitor {
  readonly documents: MatroskaDocument[] = [];
  readonly clusters: MatroskaCluster[] = [];
  readonly fragments: MatroskaFragment[] = [];
  readonly blocks: BlockTableBuilder;

  private readonly segments: MatroskaSegment[] = [];
  private document: MatroskaDocument | undefined;
  private header: { info: EbmlHeaderInfo; element: EbmlElement } | undefined;
  private segment: SegmentState | undefined;
  private infoOpen = false;
  private track: { model: MatroskaTrack; element: EbmlElement; sawCodecPrivate: boolean; tracks: MatroskaTrack[] } | undefined;
  /** Where the entries of the Tracks element being read start in its segment's tracks. */
  private tracksStart = 0;
  private video: EbmlElement | undefined;
  private audio: EbmlElement | undefined;
  private cluster: ClusterState | undefined;
  private group: { element: EbmlElement; firstRow: number; referenced: boolean } | undefined;
  private tag: { model: MatroskaTag; element: EbmlElement } | undefined;
  private targetsOpen = false;
  private readonly simpleTags: MatroskaSimpleTag[] = [];
  private readonly blockHeader: BlockHeader = emptyBlockHeader();
  private readonly row: BlockRow = {
    cluster: 0,
    track: 0,
    relativeTimecode: 0,
    flags: 0,
    lacing: 0,
    frameCount: 0,
    offset: 0,
    payloadOffset: 0,
    payloadSize: 0,
    timecode: 0,
    timeMs: 0,
  };
  /** Track numbers of the open segment's blocks (for MKV_UNDECLARED_TRACK once its Tracks are known). */
  private readonly tally = new TrackTally();

  constructor(
    private readonly source: ByteSource,
    private readonly readBlocks: boolean,
    readonly issues: IssueLog,
  ) {
    // Room for a block per 8 KiB of input (a 720p video frame with its audio is ~40 kB; low-rate audio
    // needs growing), up to ~18 MB of columns: room is cheap until written, growing copies.
    this.blocks = new BlockTableBuilder(readBlocks ? Math.min(Math.max(source.size / 8192, 1024), 262_144) : 16);
  }

  private report(...entries: Issue[]): void {
    this.reportAll(entries);
  }

  private reportAll(entries: readonly Issue[]): void {
    for (const entry of entries) this.issues.add(entry);
  }

  enter(element: EbmlElement, peek: Uint8Array): boolean | undefined {
    switch (element.id) {
      case Id.SimpleBlock:
        this.onBlock(element, peek, false);
        return undefined;
      case Id.Block:
        this.onBlock(element, peek, true);
        return undefined;
      case Id.BlockGroup:
        this.group = { element, firstRow: this.blocks.count, referenced: false };
        return true;
      case Id.ReferenceBlock:
        if (this.group) this.group.referenced = true;
        return undefined;
      case Id.Cluster:
        this.beginCluster(element);
        return true;
      case Id.Timestamp:
        this.setClusterTimecode(asNumber(element.value) ?? null);
        return undefined;
      case Id.Cues:
      case Id.SeekHead:
      case Id.Chapters:
      case Id.Attachments:
        this.ensureSegment(element);
        return false;
      case Id.EBML:
        this.beginDocument(element);
        return true;
      case Id.Segment:
        this.beginSegment(element);
        return true;
      case Id.Info:
        this.ensureSegment(element).model.info.offset = element.offset;
        this.infoOpen = true;
        return true;
      case Id.Tracks:
        this.tracksStart = this.ensureSegment(element).model.tracks.length;
        return true;
      case Id.Tags:
        this.ensureSegment(element);
        return true;
      case Id.TrackEntry:
        this.beginTrack(element);
        return true;
      case Id.Video:
        if (this.track) {
          this.track.model.video = {};
          this.video = element;
        }
        return true;
      case Id.Audio:
        if (this.track) {
          this.track.model.audio = { samplingFrequency: 8000, channels: 1 };
          this.audio = element;
        }
        return true;
      case Id.ContentCompression:
        // ContentCompAlgo defaults to 0 (zlib), so the master alone says the frames are compressed.
        if (this.track) this.track.model.contentEncoding = { offset: element.offset, ...this.track.model.contentEncoding, compression: 0 };
        return true;
      case Id.ContentEncryption:
        if (this.track) this.track.model.contentEncoding = { offset: element.offset, ...this.track.model.contentEncoding, encryption: 0 };
        return true;
      case Id.Tag:
        this.tag = { model: { offset: element.offset, trackUids: [], untargeted: true, simpleTags: [] }, element };
        return true;
      case Id.Targets:
        this.targetsOpen = true;
        return true;
      case Id.SimpleTag:
        this.simpleTags.push({ offset: element.offset, name: '' });
        return true;
      default:
        if (element.type !== 'master') this.onValue(element);
        return true;
    }
  }

  leave(element: EbmlElement): void {
    switch (element.id) {
      case Id.BlockGroup:
        if (this.group?.element === element) this.endBlockGroup();
        break;
      case Id.Cluster:
        if (this.cluster?.element === element) this.endCluster();
        break;
      case Id.TrackEntry:
        if (this.track?.element === element) this.endTrack();
        break;
      case Id.Video:
        if (this.video === element) this.video = undefined;
        break;
      case Id.Audio:
        if (this.audio === element) this.audio = undefined;
        break;
      case Id.Info:
        this.infoOpen = false;
        break;
      case Id.Targets:
        this.targetsOpen = false;
        break;
      case Id.SimpleTag:
        this.endSimpleTag();
        break;
      case Id.Tag:
        if (this.tag?.element === element) this.endTag();
        break;
      case Id.Segment:
        if (this.segment?.element === element) this.endSegment(element.end);
        break;
      case Id.EBML:
        if (this.header?.element === element) this.endHeader();
        break;
      case Id.Cues:
      case Id.SeekHead: {
        // A copy: the tree builder, when it walks along, gives the element itself children.
        const { id, name, type, level, offset, headerSize, dataSize, end } = element;
        this.segment?.model.indexes.push({ id, name, type, level, offset, headerSize, dataSize, end });
        break;
      }
    }
    if (this.segment && this.segment.element === null) {
      this.segment.model.end = Math.max(this.segment.model.end, element.end);
    }
  }

  finish(): void {
    if (this.segment) this.endSegment(this.segment.model.end);
  }

  // Leaf values, by the master they belong to.
  private onValue(element: EbmlElement): void {
    const value = element.value;
    if (this.header) {
      const info = this.header.info;
      switch (element.id) {
        case Id.EBMLVersion: info.version = asNumber(value) ?? info.version; return;
        case Id.EBMLReadVersion: info.readVersion = asNumber(value) ?? info.readVersion; return;
        case Id.EBMLMaxIDLength: info.maxIdLength = asNumber(value) ?? info.maxIdLength; return;
        case Id.EBMLMaxSizeLength: info.maxSizeLength = asNumber(value) ?? info.maxSizeLength; return;
        case Id.DocType: info.docType = asString(value) ?? ''; return;
        case Id.DocTypeVersion: info.docTypeVersion = asNumber(value) ?? info.docTypeVersion; return;
        case Id.DocTypeReadVersion: info.docTypeReadVersion = asNumber(value) ?? info.docTypeReadVersion; return;
      }
    }
    if (this.infoOpen && this.segment) {
      const info = this.segment.model.info;
      switch (element.id) {
        case Id.TimestampScale: {
          const scale = asNumber(value);
          if (scale !== undefined && scale > 0) {
            // Block times are written with the scale known when their rows are added.
            if (scale !== info.timestampScale && this.blocks.count > this.segment.firstBlock) this.segment.blockTimesStale = true;
            info.timestampScale = scale;
          } else this.report(issue('error', 'MKV_BAD_TIMESTAMP_SCALE', `TimestampScale at offset ${element.offset} is 0; using 1000000 (milliseconds).`, element.offset));
          return;
        }
        case Id.Duration: info.duration = asNumber(value); return;
        case Id.MuxingApp: info.muxingApp = asString(value); return;
        case Id.WritingApp: info.writingApp = asString(value); return;
        case Id.Title: info.title = asString(value); return;
        case Id.DateUTC: info.dateUtc = asString(value); return;
      }
    }
    if (this.track) {
      if (applyTrackValue(this.track.model, element, this.video !== undefined, this.audio !== undefined, this.source)) this.track.sawCodecPrivate = true;
      return;
    }
    const simpleTag = this.simpleTags[this.simpleTags.length - 1];
    if (simpleTag) {
      switch (element.id) {
        case Id.TagName: simpleTag.name = asString(value) ?? ''; return;
        case Id.TagString: simpleTag.value = asString(value); return;
        case Id.TagBinary: simpleTag.binary = asBinary(value); return;
        case Id.TagLanguage: simpleTag.language = asString(value); return;
      }
    }
    if (this.tag && this.targetsOpen) {
      const tag = this.tag.model;
      switch (element.id) {
        case Id.TargetTypeValue: tag.targetTypeValue = asNumber(value); return;
        case Id.TargetType: tag.targetType = asString(value); return;
        case Id.TagTrackUID:
        case Id.TagEditionUID:
        case Id.TagChapterUID:
        case Id.TagAttachmentUID: {
          const uid = asUid(value);
          if (uid === undefined || uid === '0') return; // 0 means "all"
          tag.untargeted = false;
          if (element.id === Id.TagTrackUID) tag.trackUids.push(uid);
          return;
        }
      }
    }
  }

  private beginDocument(element: EbmlElement): void {
    if (this.segment && this.segment.element === null) this.endSegment(element.offset);
    const info: EbmlHeaderInfo = {
      offset: element.offset,
      size: element.end - element.offset,
      version: 1,
      readVersion: 1,
      maxIdLength: 4,
      maxSizeLength: 8,
      docType: '',
      docTypeVersion: 1,
      docTypeReadVersion: 1,
    };
    this.header = { info, element };
    this.document = { index: this.documents.length, offset: element.offset, end: element.end, header: info, segments: [] };
    this.documents.push(this.document);
  }

  private endHeader(): void {
    const header = this.header;
    this.header = undefined;
    if (!header) return;
    const { info } = header;
    if (info.docType !== 'matroska' && info.docType !== 'webm') {
      this.report(
        issue('warning', 'MKV_UNEXPECTED_DOCTYPE', `The EBML header at offset ${info.offset} has DocType "${info.docType}", not "matroska" or "webm".`, info.offset),
      );
    }
  }

  private newDocument(offset: number): MatroskaDocument {
    const document: MatroskaDocument = { index: this.documents.length, offset, end: offset, header: null, segments: [] };
    this.documents.push(document);
    this.document = document;
    return document;
  }

  private beginSegment(element: EbmlElement): void {
    if (this.segment) this.endSegment(element.offset);
    let document = this.document;
    if (!document) {
      this.report(issue('warning', 'MKV_MISSING_EBML_HEADER', `The Segment at offset ${element.offset} has no EBML header before it.`, element.offset));
      document = this.newDocument(element.offset);
    }
    this.segment = this.newSegmentState(document, element, element.offset, element.headerSize, element.dataSize, element.end);
  }

  /** The open segment, or one made up for top-level elements found outside any Segment (a stream cut mid-way). */
  private ensureSegment(element: EbmlElement): SegmentState {
    if (this.segment) return this.segment;
    this.report(
      issue('warning', 'MKV_OUTSIDE_SEGMENT', `${element.name} at offset ${element.offset} is not inside a Segment; reading it as if it were.`, element.offset),
    );
    const document = this.document ?? this.newDocument(element.offset);
    this.segment = this.newSegmentState(document, null, element.offset, 0, null, element.end);
    return this.segment;
  }

  private newSegmentState(
    document: MatroskaDocument,
    element: EbmlElement | null,
    offset: number,
    headerSize: number,
    dataSize: number | null,
    end: number,
  ): SegmentState {
    const model: MatroskaSegment = {
      index: this.segments.length,
      documentIndex: document.index,
      offset,
      headerSize,
      dataSize,
      end,
      info: { offset: null, timestampScale: 1_000_000 },
      tracks: [],
      tags: [],
      indexes: [],
      firstCluster: this.clusters.length,
      clusterCount: 0,
    };
    this.segments.push(model);
    document.segments.push(model);
    return { model, element, firstBlock: this.blocks.count, firstFragment: this.fragments.length, pendingTags: [], lastFragment: undefined, blockTimesStale: false };
  }

  private endSegment(end: number): void {
    const state = this.segment;
    if (!state) return;
    if (this.cluster) this.endCluster();
    this.segment = undefined;
    const segment = state.model;
    segment.end = Math.max(end, segment.offset);
    segment.clusterCount = this.clusters.length - segment.firstCluster;
    const document = this.documents[segment.documentIndex];
    if (document) document.end = Math.max(document.end, segment.end);

    if (state.pendingTags.length > 0) {
      if (state.lastFragment) state.lastFragment.tags.push(...state.pendingTags);
      else if (state.pendingTags.some((tag) => tag.name.startsWith(KVS_TAG_PREFIX))) {
        this.fragments.push({
          index: this.fragments.length,
          documentIndex: segment.documentIndex,
          segmentIndex: segment.index,
          clusterIndex: null,
          offset: state.pendingTags[0]?.offset ?? segment.offset,
          end: segment.end,
          timecode: null,
          timeMs: null,
          blockCount: 0,
          tags: state.pendingTags,
        });
      }
    }
    applyTimestampScale(segment, this.clusters, this.blocks, state.firstBlock, state.blockTimesStale);
    for (let i = state.firstFragment; i < this.fragments.length; i++) {
      const fragment = this.fragments[i];
      if (!fragment) continue;
      if (fragment.clusterIndex !== null) fragment.timeMs = this.clusters[fragment.clusterIndex]?.timeMs ?? null;
      const kvs = kvsMetadata(fragment.tags);
      if (kvs) fragment.kvs = kvs;
    }
    this.reportAll(this.tally.issues(segment));
  }

  private beginTrack(element: EbmlElement): void {
    const segment = this.ensureSegment(element);
    const model = newTrack(element.offset);
    segment.model.tracks.push(model);
    this.track = { model, element, sawCodecPrivate: false, tracks: segment.model.tracks };
  }

  private endTrack(): void {
    const state = this.track;
    this.track = undefined;
    this.video = undefined;
    this.audio = undefined;
    if (!state) return;
    const { model, tracks } = state;
    // A second copy of the Tracks element (mkvmerge --engage write_headers_twice) repeats the entries: the
    // first one stands, a different one is reported. (A number repeated inside one Tracks element is kept:
    // that is an invalid header, which KVS Local's PutMedia refuses.)
    const first = model.number !== 0 ? tracks.find((track, i) => i < this.tracksStart && track.number === model.number) : undefined;
    // What a TrackEntry the input ends inside lacks may lie past the cut, which EBML_TRUNCATED reports.
    const { offset, headerSize, dataSize, end } = state.element;
    if (dataSize !== null && end >= this.source.size && offset + headerSize + dataSize > end) model.cut = true;
    if (!first) {
      if (!model.cut) this.reportAll(trackIssues(model, state.sawCodecPrivate));
      return;
    }
    tracks.splice(tracks.indexOf(model), 1);
    if (!model.cut && (first.codecId !== model.codecId || !sameBytes(first.codecPrivate?.bytes, model.codecPrivate?.bytes))) {
      this.report(issue('warning', 'MKV_TRACK_REPEATED', `A second TrackEntry for track ${model.number} (${model.codecId}) differs from the first (at offset ${first.offset}), which is used.`, model.offset));
    }
  }

  private beginCluster(element: EbmlElement): void {
    const segment = this.ensureSegment(element);
    if (this.cluster) this.endCluster();
    const model: MatroskaCluster = {
      index: this.clusters.length,
      segmentIndex: segment.model.index,
      offset: element.offset,
      headerSize: element.headerSize,
      dataSize: element.dataSize,
      end: element.end,
      timecode: null,
      timeMs: null,
      blockCount: 0,
      firstBlock: this.blocks.count,
      endBlock: this.blocks.count,
    };
    this.clusters.push(model);
    const fragment: MatroskaFragment = {
      index: this.fragments.length,
      documentIndex: segment.model.documentIndex,
      segmentIndex: segment.model.index,
      clusterIndex: model.index,
      offset: element.offset,
      end: element.end,
      timecode: null,
      timeMs: null,
      blockCount: 0,
      tags: segment.pendingTags,
    };
    segment.pendingTags = [];
    segment.lastFragment = fragment;
    this.fragments.push(fragment);
    this.cluster = { model, element, fragment };
  }

  private endCluster(): void {
    const state = this.cluster;
    this.cluster = undefined;
    if (!state) return;
    if (this.group) this.endBlockGroup();
    const { model, element, fragment } = state;
    model.end = element.end;
    model.endBlock = this.blocks.count;
    fragment.end = element.end;
    fragment.timecode = model.timecode;
    fragment.blockCount = model.blockCount;
    if (model.timecode === null) {
      this.report(issue('warning', 'MKV_CLUSTER_TIMESTAMP_MISSING', `The Cluster at offset ${model.offset} has no Timestamp; its blocks are timed from 0.`, model.offset));
    }
  }

  private onBlock(element: EbmlElement, peek: Uint8Array, inGroup: boolean): void {
    const cluster = this.cluster;
    if (!cluster) return;
    cluster.model.blockCount++;
    if (!this.readBlocks) return;

    const dataStart = element.offset + element.headerSize;
    const dataSize = element.end - dataStart;
    const header = this.blockHeader;
    let status = parseBlockHeader(peek, element.headerSize, Math.min(peek.length - element.headerSize, dataSize), dataSize, header);
    if (status === BlockParse.NeedMore) {
      const bytes = this.source.read(dataStart, Math.min(dataSize, MAX_LACING_HEADER));
      status = parseBlockHeader(bytes, 0, bytes.length, dataSize, header);
    }
    if (status === BlockParse.Invalid || status === BlockParse.NeedMore) {
      this.report(
        issue('error', 'MKV_INVALID_BLOCK', `${element.name} at offset ${element.offset} (${dataSize} bytes) is too short for a block header or has an invalid track number.`, element.offset),
      );
      return;
    }
    const truncated = element.dataSize !== null && element.dataSize !== dataSize;
    if (status === BlockParse.LacingOverflow && !truncated) {
      this.report(
        issue(
          'error',
          'MKV_LACING_OVERFLOW',
          `${element.name} at offset ${element.offset}: the sizes of its ${header.frameCount} laced frames do not fit its ${dataSize} bytes.`,
          element.offset,
        ),
      );
    }
    let flags = 0;
    if (inGroup) flags = BlockFlag.InBlockGroup | BlockFlag.Key; // cleared if the group has a ReferenceBlock
    else if (header.flags & 0x80) flags = BlockFlag.Key;
    if (header.flags & 0x08) flags |= BlockFlag.Invisible;
    if (!inGroup && header.flags & 0x01) flags |= BlockFlag.Discardable;
    if (element.dataSize !== null && dataStart + element.dataSize > this.source.size) flags |= BlockFlag.Cut;

    const row = this.row;
    row.cluster = cluster.model.index;
    row.track = header.track;
    row.relativeTimecode = header.relativeTimecode;
    row.flags = flags;
    row.lacing = header.lacing;
    row.frameCount = header.frameCount;
    row.offset = element.offset;
    row.payloadOffset = dataStart + header.headerLength;
    row.payloadSize = Math.max(0, dataSize - header.headerLength);
    row.timecode = (cluster.model.timecode ?? 0) + header.relativeTimecode;
    row.timeMs = row.timecode * ((this.segment?.model.info.timestampScale ?? 1e6) / 1e6);
    this.blocks.add(row);
    this.tally.add(header.track, element.offset);
  }

  private setClusterTimecode(timecode: number | null): void {
    const cluster = this.cluster;
    if (!cluster) return;
    const model = cluster.model;
    // Block times are written with the cluster Timestamp known when their rows are added.
    if (timecode !== model.timecode && this.blocks.count > model.firstBlock && this.segment) this.segment.blockTimesStale = true;
    model.timecode = timecode;
  }

  /**
   * The fast path for a Cluster's children (EbmlVisitor.skim): SimpleBlocks, Timestamp, CRC-32 and
   * Void are read straight from the window, the blocks into the block table, with no element objects
   * and no calls per block, until anything else: a BlockGroup, another id, an unknown size, an element
   * past the Cluster's end, a block the walker would report, a laced block. The walker takes that one,
   * then skim is called again.
   */
  skim(parent: EbmlElement, window: ByteWindow, start: number, bound: number): number {
    const cluster = this.cluster;
    const segment = this.segment;
    if (cluster?.element !== parent || !segment) return SKIM_NEVER; // not the open Cluster (that stays so)
    const model = cluster.model;
    const msPerTick = segment.model.info.timestampScale / 1e6;
    let pos = start;
    while (pos < bound) {
      window.fill(pos, PEEK_BYTES);
      const next = this.skimBlocks(model, msPerTick, window.bytes, window.start, window.end, pos, bound);
      if (next !== pos) {
        pos = next;
        continue;
      }
      const other = this.skimOther(window, pos, bound);
      if (other === pos) break;
      pos = other;
    }
    return pos;
  }

  /**
   * The SimpleBlocks (not laced) from `start` on, in the window's bytes (the input's [windowStart,
   * windowEnd), holding at least PEEK_BYTES at `start` or all up to `bound`), until anything else or
   * the end of the bytes; returns where it stopped. Until V8 has optimised this loop, it runs in the
   * interpreter, block after block, so it is kept small and calls nothing (no reads: the caller fills
   * the window): V8 marks a function for optimisation after running an amount of its bytecode that
   * grows with its size, and compiling it takes longer with every function inlined into it.
   */
  private skimBlocks(
    model: MatroskaCluster,
    msPerTick: number,
    bytes: Uint8Array,
    windowStart: number,
    windowEnd: number,
    start: number,
    bound: number,
  ): number {
    // Everything the loop touches is in locals (property reads and calls are what the interpreter is slow at).
    const blocks = this.blocks;
    const readBlocks = this.readBlocks;
    const counts = this.tally.counts;
    const firsts = this.tally.firsts;
    const widths = VINT_WIDTHS;
    const clusterIndex = model.index;
    const clusterTimecode = model.timecode ?? 0;
    let blockCount = model.blockCount;
    let n = blocks.count;
    // Room for at least one row; when the table is full, the loop stops and the caller calls again.
    if (n === blocks.capacity) blocks.grow();
    const capacity = blocks.capacity;
    const clusterColumn = blocks.cluster;
    const trackColumn = blocks.track;
    const relativeTimecodeColumn = blocks.relativeTimecode;
    const timecodeColumn = blocks.timecode;
    const timeMsColumn = blocks.timeMs;
    const flagsColumn = blocks.flags;
    const lacingColumn = blocks.lacing;
    const frameCountColumn = blocks.frameCount;
    const offsetColumn = blocks.offset;
    const payloadOffsetColumn = blocks.payloadOffset;
    const payloadSizeColumn = blocks.payloadSize;
    let pos = start;
    while (pos < bound) {
      if (pos + PEEK_BYTES > windowEnd && windowEnd < bound) break; // the caller reads on
      if (n === capacity) break; // the caller calls again, and the table grows
      const i = pos - windowStart;
      const avail = (windowEnd < bound ? windowEnd : bound) - pos;
      if (avail < 2 || bytes[i] !== SIMPLE_BLOCK) break;
      // Data size: a VINT, not all ones.
      const first = bytes[i + 1] ?? 0;
      const width = widths[first] ?? 0;
      const headerSize = 1 + width;
      if (width === 0 || headerSize > avail) break;
      const mask = 0xff >> width;
      let size = first & mask;
      let allOnes = size === mask;
      for (let k = i + 2; k <= i + width; k++) {
        const byte = bytes[k] ?? 0;
        size = size * 256 + byte;
        if (byte !== 0xff) allOnes = false;
      }
      const dataStart = pos + headerSize;
      const end = dataStart + size;
      if (allOnes || end > bound) break;
      if (readBlocks) {
        // Block header (RFC 9559 §10): track VINT, signed 16-bit relative timecode, flags.
        const p = i + headerSize;
        const trackByte = bytes[p] ?? 0;
        const trackWidth = widths[trackByte] ?? 0;
        const headerLength = trackWidth + 3;
        if (trackWidth === 0 || headerLength > size || headerLength > avail - headerSize) break;
        const trackMask = 0xff >> trackWidth;
        let track = trackByte & trackMask;
        let trackOnes = track === trackMask;
        for (let k = p + 1; k < p + trackWidth; k++) {
          const byte = bytes[k] ?? 0;
          track = track * 256 + byte;
          if (byte !== 0xff) trackOnes = false;
        }
        const q = p + trackWidth;
        const flags = bytes[q + 2] ?? 0;
        if (trackOnes || (flags & 0x06) !== 0) break; // laced: the walker's
        const raw = ((bytes[q] ?? 0) << 8) | (bytes[q + 1] ?? 0);
        const relativeTimecode = raw >= 0x8000 ? raw - 0x10000 : raw;
        const timecode = clusterTimecode + relativeTimecode;
        clusterColumn[n] = clusterIndex;
        trackColumn[n] = track > 0xffffffff ? 0xffffffff : track;
        relativeTimecodeColumn[n] = relativeTimecode;
        timecodeColumn[n] = timecode;
        timeMsColumn[n] = timecode * msPerTick;
        flagsColumn[n] = (flags & 0x80 ? KEY : 0) | (flags & 0x08 ? INVISIBLE : 0) | (flags & 0x01 ? DISCARDABLE : 0);
        lacingColumn[n] = 0;
        frameCountColumn[n] = 1;
        offsetColumn[n] = pos;
        payloadOffsetColumn[n] = dataStart + headerLength;
        payloadSizeColumn[n] = size - headerLength;
        n++;
        if (track < TALLY_ARRAY_SIZE) {
          const count = counts[track] ?? 0;
          counts[track] = count + 1;
          if (count === 0) firsts[track] = pos;
        } else {
          blocks.count = n;
          this.tally.add(track, pos);
        }
      }
      blockCount++;
      pos = end;
    }
    blocks.count = n;
    model.blockCount = blockCount;
    return pos;
  }

  /** A Timestamp, CRC-32 or Void at `pos` (one the walker would report no issue for): where it ends, else `pos`. */
  private skimOther(window: ByteWindow, pos: number, bound: number): number {
    window.fill(pos, PEEK_BYTES);
    const bytes = window.bytes;
    const i = pos - window.start;
    const avail = Math.min(window.end, bound) - pos;
    const id = bytes[i] ?? 0;
    if (avail < 2 || (id !== TIMESTAMP && id !== CRC32 && id !== VOID)) return pos;
    const width = vintWidth(bytes[i + 1] ?? 0);
    const headerSize = 1 + width;
    if (width === 0 || headerSize > avail) return pos;
    const size = vintValue(bytes, i + 1, width);
    const end = pos + headerSize + size;
    if (size === UNKNOWN_SIZE || end > bound) return pos;
    if (id === TIMESTAMP) {
      if (size === 0 || size > 6 || headerSize + size > avail) return pos;
      let value = 0;
      for (let k = i + headerSize; k < i + headerSize + size; k++) value = value * 256 + (bytes[k] ?? 0);
      this.setClusterTimecode(value);
    } else if (id === CRC32 && size !== 4) {
      return pos;
    }
    return end;
  }

  private endBlockGroup(): void {
    const group = this.group;
    this.group = undefined;
    if (!group?.referenced) return;
    for (let i = group.firstRow; i < this.blocks.count; i++) {
      this.blocks.flags[i] = (this.blocks.flags[i] ?? 0) & ~BlockFlag.Key;
    }
  }

  private endSimpleTag(): void {
    const simpleTag = this.simpleTags.pop();
    if (!simpleTag) return;
    const parent = this.simpleTags[this.simpleTags.length - 1];
    if (parent) (parent.children ??= []).push(simpleTag);
    else this.tag?.model.simpleTags.push(simpleTag);
  }

  private endTag(): void {
    const state = this.tag;
    this.tag = undefined;
    const segment = this.segment;
    if (!state || !segment) return;
    segment.model.tags.push(state.model);
    if (!state.model.untargeted) return;
    for (const simpleTag of state.model.simpleTags) {
      if (KVS_TRAILING_TAGS.has(simpleTag.name) && segment.lastFragment) segment.lastFragment.tags.push(simpleTag);
      else segment.pendingTags.push(simpleTag);
    }
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && bytesEqual(a, b));
}
