// What readMatroska returns. Offsets are absolute byte offsets in the input. Times are in the
// segment's TimestampScale units ("timecode") and in milliseconds.
import type { EbmlNode } from '../ebml/tree';
import type { EbmlElement } from '../ebml/walker';
import type { BinaryRef } from '../ebml/values';
import type { Issue } from '../issues';
import type { BlockTable } from './blockTable';
import type { KvsFragmentMetadata } from './kvsTags';

export interface MatroskaFile {
  documents: MatroskaDocument[];
  /** Every Cluster in input order; `BlockTable.cluster` and fragments index this. */
  clusters: MatroskaCluster[];
  /** One per Cluster (KVS producers start a cluster per fragment), plus one per document that carried KVS tags but no Cluster (a GetMedia error). */
  fragments: MatroskaFragment[];
  /** Empty when read with `blocks: false`. */
  blocks: BlockTable;
  /** The element tree, when read with the `tree` option. */
  tree?: EbmlNode[];
  issues: Issue[];
}

/** An EBML header and the Segment(s) after it: GetMedia output is a run of these, one per fragment. */
export interface MatroskaDocument {
  index: number;
  offset: number;
  end: number;
  /** Null when a Segment (or Cluster) comes without an EBML header. */
  header: EbmlHeaderInfo | null;
  segments: MatroskaSegment[];
}

export interface EbmlHeaderInfo {
  offset: number;
  size: number;
  version: number;
  readVersion: number;
  maxIdLength: number;
  maxSizeLength: number;
  docType: string;
  docTypeVersion: number;
  docTypeReadVersion: number;
}

export interface MatroskaSegment {
  index: number;
  documentIndex: number;
  offset: number;
  headerSize: number;
  /** Null for an unknown size (KVS writes Segments with unknown size). */
  dataSize: number | null;
  end: number;
  info: SegmentInfo;
  tracks: MatroskaTrack[];
  tags: MatroskaTag[];
  /** The SeekHead and Cues elements (their children are read when checked: see indexPositions.ts). */
  indexes: EbmlElement[];
  /** Index of the segment's first Cluster in `MatroskaFile.clusters`. */
  firstCluster: number;
  clusterCount: number;
}

export interface SegmentInfo {
  /** Offset of the Info element, null when the segment has none. */
  offset: number | null;
  /** Nanoseconds per timecode tick (default 1,000,000: milliseconds). */
  timestampScale: number;
  /** In ticks. */
  duration?: number;
  durationMs?: number;
  muxingApp?: string;
  writingApp?: string;
  title?: string;
  /** ISO 8601. */
  dateUtc?: string;
}

export type TrackKind = 'video' | 'audio' | 'other';

export interface MatroskaTrack {
  /** Offset of the TrackEntry. */
  offset: number;
  /** TrackNumber, as blocks refer to it; 0 when missing. */
  number: number;
  /** TrackUID as a decimal string (it is often above 2^53). */
  uid?: string;
  /** TrackType (1 video, 2 audio, 17 subtitle, …); 0 when missing. */
  type: number;
  kind: TrackKind;
  codecId: string;
  codecName?: string;
  name?: string;
  language?: string;
  /** Null when the track has no CodecPrivate. `bytes` is a copy, left out above 1 MiB. */
  codecPrivate: (BinaryRef & { bytes?: Uint8Array }) | null;
  defaultDurationNs?: number;
  /** CodecDelay: the codec's built-in delay (Opus's pre-skip), which RFC 9559 subtracts from every block timestamp of the track. */
  codecDelayNs?: number;
  video?: VideoSettings;
  audio?: AudioSettings;
  /** The track's ContentEncoding: its frames are stored compressed or encrypted. */
  contentEncoding?: ContentEncodingSettings;
  /** The input ends inside the TrackEntry: the elements it lacks may lie past the cut. */
  cut?: true;
}

export interface ContentEncodingSettings {
  /** Offset of the ContentCompression or ContentEncryption element. */
  offset: number;
  /** ContentCompAlgo (0 zlib, 1 bzlib, 2 lzo1x, 3 header stripping) when the frames are compressed. */
  compression?: number;
  /** ContentEncAlgo (0 none, 1 DES, 2 3DES, 3 Twofish, 4 Blowfish, 5 AES) when they are encrypted. */
  encryption?: number;
}

export interface VideoSettings {
  pixelWidth?: number;
  pixelHeight?: number;
  displayWidth?: number;
  displayHeight?: number;
  /** 0 pixels, 1 cm, 2 inches, 3 aspect ratio, 4 unknown. */
  displayUnit?: number;
  /** FlagInterlaced: 0 undetermined, 1 interlaced, 2 progressive. */
  interlaced?: number;
}

export interface AudioSettings {
  /** Hz (default 8000). */
  samplingFrequency: number;
  outputSamplingFrequency?: number;
  /** Default 1. */
  channels: number;
  bitDepth?: number;
}

export interface MatroskaTag {
  offset: number;
  targetTypeValue?: number;
  targetType?: string;
  /** Non-zero TagTrackUIDs, as decimal strings. */
  trackUids: string[];
  /** No track, edition, chapter or attachment UID: the tag is about the whole segment (or, for KVS, a fragment). */
  untargeted: boolean;
  simpleTags: MatroskaSimpleTag[];
}

export interface MatroskaSimpleTag {
  /** Offset of the SimpleTag element. */
  offset: number;
  name: string;
  value?: string;
  binary?: BinaryRef;
  language?: string;
  /** Nested SimpleTags. */
  children?: MatroskaSimpleTag[];
}

export interface MatroskaCluster {
  index: number;
  segmentIndex: number;
  offset: number;
  headerSize: number;
  /** Null for an unknown size. */
  dataSize: number | null;
  end: number;
  /** Cluster Timestamp in ticks; null when missing. */
  timecode: number | null;
  timeMs: number | null;
  /** SimpleBlock and Block elements (counted even when blocks are not read). */
  blockCount: number;
  /** The cluster's rows in the block table: [firstBlock, endBlock). Blocks too damaged to read have no row. */
  firstBlock: number;
  endBlock: number;
}

export interface MatroskaFragment {
  index: number;
  documentIndex: number;
  segmentIndex: number;
  /** Index in `MatroskaFile.clusters`; null for a document with KVS tags and no Cluster. */
  clusterIndex: number | null;
  offset: number;
  end: number;
  timecode: number | null;
  timeMs: number | null;
  blockCount: number;
  /** Untargeted SimpleTags written around this cluster: before it (producer and KVS metadata) or, for GetMedia's trailing tags, after it. */
  tags: MatroskaSimpleTag[];
  /** Present when the fragment carries AWS_KINESISVIDEO_* tags. */
  kvs?: KvsFragmentMetadata;
}
