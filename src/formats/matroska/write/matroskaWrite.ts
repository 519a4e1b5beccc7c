// Matroska elements as Kinesis Video Streams producers write them (EBML header, unknown-size Segment,
// Info, Tracks, Clusters of SimpleBlocks, Tags with fixed-width sizes) and as GetMedia re-emits them.
import { ElementId as Id } from '../elementTable';
import type { EbmlPart, SizeOptions } from './ebmlWrite';
import {
  binaryElement,
  elementHeader,
  encode,
  floatElement,
  masterElement,
  sizeFieldLength,
  stringElement,
  uintElement,
  unknownSizeMaster,
  utf8Element,
  writeId,
  writeSize,
} from './ebmlWrite';

export interface EbmlHeaderOptions {
  /** Default "matroska". */
  docType?: string;
  /** Default 2 (SimpleBlock), as KVS producers write. */
  docTypeVersion?: number;
  /** Default 2. */
  docTypeReadVersion?: number;
}

/** The EBML header: version 1, ids ≤ 4 bytes, sizes ≤ 8 bytes, DocType "matroska" 2/2 like KVS producers. */
export function ebmlHeader(options: EbmlHeaderOptions = {}): Uint8Array {
  return encode(ebmlHeaderPart(options));
}

export function ebmlHeaderPart(options: EbmlHeaderOptions = {}): EbmlPart {
  return masterElement(Id.EBML, [
    uintElement(Id.EBMLVersion, 1),
    uintElement(Id.EBMLReadVersion, 1),
    uintElement(Id.EBMLMaxIDLength, 4),
    uintElement(Id.EBMLMaxSizeLength, 8),
    stringElement(Id.DocType, options.docType ?? 'matroska'),
    uintElement(Id.DocTypeVersion, options.docTypeVersion ?? 2),
    uintElement(Id.DocTypeReadVersion, options.docTypeReadVersion ?? 2),
  ]);
}

/**
 * The start of a Segment of unknown size: 18 53 80 67 then 01 FF FF FF FF FF FF FF (8 bytes, as GetMedia
 * writes it) or FF (`sizeWidth` 1, as the KVS producer SDK writes it).
 */
export function segmentStart(sizeWidth: 1 | 8 = 8): Uint8Array {
  return encode(elementHeader(Id.Segment, 'unknown', { sizeWidth }));
}

export interface InfoOptions {
  /** Nanoseconds per tick; default 1,000,000 (milliseconds). */
  timestampScale?: number;
  muxingApp: string;
  writingApp: string;
  /** 16 bytes. */
  segmentUid?: Uint8Array;
  title?: string;
  /** Segment duration in ticks. */
  duration?: number;
}

export function infoElement(options: InfoOptions): Uint8Array {
  return encode(infoPart(options));
}

export function infoPart(options: InfoOptions): EbmlPart {
  const children: EbmlPart[] = [];
  if (options.segmentUid) {
    if (options.segmentUid.length !== 16) throw new RangeError(`SegmentUUID is 16 bytes, not ${options.segmentUid.length}`);
    children.push(binaryElement(Id.SegmentUUID, options.segmentUid));
  }
  children.push(uintElement(Id.TimestampScale, options.timestampScale ?? 1_000_000));
  if (options.title !== undefined) children.push(utf8Element(Id.Title, options.title));
  children.push(utf8Element(Id.MuxingApp, options.muxingApp), utf8Element(Id.WritingApp, options.writingApp));
  if (options.duration !== undefined) children.push(floatElement(Id.Duration, options.duration));
  return masterElement(Id.Info, children);
}

export interface TrackSpec {
  /** TrackNumber, as blocks refer to it (KVS: 1 video, 2 audio). */
  number: number;
  uid: number | bigint;
  /** TrackType: 1 video, 2 audio. */
  type: 1 | 2;
  codecId: string;
  codecPrivate?: Uint8Array;
  name?: string;
  language?: string;
  /** DefaultDuration in nanoseconds. */
  defaultDurationNs?: number;
  video?: { width: number; height: number };
  audio?: { samplingFrequency: number; channels: number; bitDepth?: number };
}

export function tracksElement(tracks: readonly TrackSpec[]): Uint8Array {
  return encode(tracksPart(tracks));
}

export function tracksPart(tracks: readonly TrackSpec[]): EbmlPart {
  return masterElement(Id.Tracks, tracks.map(trackEntryPart));
}

function trackEntryPart(track: TrackSpec): EbmlPart {
  const children: EbmlPart[] = [
    uintElement(Id.TrackNumber, track.number),
    uintElement(Id.TrackUID, track.uid),
    uintElement(Id.TrackType, track.type),
    uintElement(Id.FlagLacing, 0),
  ];
  if (track.name !== undefined) children.push(utf8Element(Id.Name, track.name));
  if (track.language !== undefined) children.push(stringElement(Id.Language, track.language));
  if (track.defaultDurationNs !== undefined) children.push(uintElement(Id.DefaultDuration, Math.round(track.defaultDurationNs)));
  children.push(stringElement(Id.CodecID, track.codecId));
  if (track.codecPrivate) children.push(binaryElement(Id.CodecPrivate, track.codecPrivate));
  if (track.video) {
    children.push(masterElement(Id.Video, [uintElement(Id.PixelWidth, track.video.width), uintElement(Id.PixelHeight, track.video.height)]));
  }
  if (track.audio) {
    const audio = [floatElement(Id.SamplingFrequency, track.audio.samplingFrequency), uintElement(Id.Channels, track.audio.channels)];
    if (track.audio.bitDepth !== undefined) audio.push(uintElement(Id.BitDepth, track.audio.bitDepth));
    children.push(masterElement(Id.Audio, audio));
  }
  return masterElement(Id.TrackEntry, children);
}

export interface BlockSpec {
  track: number;
  /** Ticks relative to the cluster Timestamp; a signed 16-bit value. */
  relativeTimecode: number;
  keyframe: boolean;
  invisible?: boolean;
  discardable?: boolean;
  /** One frame (no lacing): for AVC/HEVC, length-prefixed NAL units. */
  data: Uint8Array;
}

/** Bytes of a SimpleBlock element for a frame of `dataLength` bytes on `track`. */
export function simpleBlockLength(track: number, dataLength: number, sizeWidth?: number): number {
  const size = trackVintLength(track) + 3 + dataLength;
  return 1 + sizeFieldLength(size, sizeWidth) + size;
}

/**
 * Writes a SimpleBlock's element header and block header at `at` for a frame of `dataLength` bytes and
 * returns where the frame goes: the caller copies the frame there (e.g. straight from a file read).
 */
export function writeSimpleBlockHeader(
  out: Uint8Array,
  at: number,
  block: Omit<BlockSpec, 'data'>,
  dataLength: number,
  sizeWidth?: number,
): number {
  const trackWidth = trackVintLength(block.track);
  const size = trackWidth + 3 + dataLength;
  let p = writeSize(out, writeId(out, at, Id.SimpleBlock), size, sizeFieldLength(size, sizeWidth));
  p = writeSize(out, p, block.track, trackWidth);
  const relative = block.relativeTimecode;
  if (!Number.isInteger(relative) || relative < -32768 || relative > 32767) {
    throw new RangeError(`Relative timecode ${relative} does not fit a signed 16-bit block timecode`);
  }
  const unsigned = relative & 0xffff;
  out[p++] = unsigned >> 8;
  out[p++] = unsigned & 0xff;
  out[p++] = (block.keyframe ? 0x80 : 0) | (block.invisible ? 0x08 : 0) | (block.discardable ? 0x01 : 0);
  return p;
}

/** A SimpleBlock (no lacing). `sizeWidth` 8 writes the size as KVS producers do. */
export function simpleBlockPart(block: BlockSpec, options: SizeOptions = {}): EbmlPart {
  return {
    length: simpleBlockLength(block.track, block.data.length, options.sizeWidth),
    write(out, at) {
      const p = writeSimpleBlockHeader(out, at, block, block.data.length, options.sizeWidth);
      out.set(block.data, p);
      return p + block.data.length;
    },
  };
}

export interface ClusterOptions {
  /** Write the Cluster with an unknown size, as KVS producers do; default false (known size). */
  unknownSize?: boolean;
  /** Width of the Cluster's size field (unknown size: 1 → FF as producers write, 8 → 01 FF … FF). Default: shortest / 1. */
  sizeWidth?: number;
  /** Bytes of the Timestamp value; KVS producers write 8. Default: the fewest. */
  timecodeLength?: number;
  /** Size width of each SimpleBlock; KVS producers write 8. Default: the shortest. */
  blockSizeWidth?: number;
}

/** A Cluster: Timestamp (ticks) then one SimpleBlock per block, in the order given. */
export function clusterElement(timecode: number, blocks: readonly BlockSpec[], options: ClusterOptions = {}): Uint8Array {
  return encode(clusterPart(timecode, blocks, options));
}

export function clusterPart(timecode: number, blocks: readonly BlockSpec[], options: ClusterOptions = {}): EbmlPart {
  const children: EbmlPart[] = [uintElement(Id.Timestamp, timecode, options.timecodeLength === undefined ? {} : { length: options.timecodeLength })];
  const blockOptions = options.blockSizeWidth === undefined ? {} : { sizeWidth: options.blockSizeWidth };
  for (const block of blocks) children.push(simpleBlockPart(block, blockOptions));
  if (!options.unknownSize) return masterElement(Id.Cluster, children, options.sizeWidth === undefined ? {} : { sizeWidth: options.sizeWidth });
  return unknownSizeMaster(Id.Cluster, children, options.sizeWidth ?? 1);
}

export interface TagsOptions {
  /** Size width of every element in the Tags tree: 4 as GetMedia writes (default), 8 as producers write. */
  sizeWidth?: number;
}

/** Tags > Tag > SimpleTag (TagName, TagString) per pair, every size written with `sizeWidth` bytes. */
export function kvsTagsElement(tags: readonly (readonly [string, string])[], options: TagsOptions = {}): Uint8Array {
  return encode(kvsTagsPart(tags, options));
}

export function kvsTagsPart(tags: readonly (readonly [string, string])[], options: TagsOptions = {}): EbmlPart {
  const sized = { sizeWidth: options.sizeWidth ?? 4 };
  const simpleTags = tags.map(([name, value]) =>
    masterElement(Id.SimpleTag, [utf8Element(Id.TagName, name, sized), utf8Element(Id.TagString, value, sized)], sized),
  );
  return masterElement(Id.Tags, [masterElement(Id.Tag, simpleTags, sized)], sized);
}

function trackVintLength(track: number): number {
  if (!Number.isInteger(track) || track < 1) throw new RangeError(`Not a track number: ${track}`);
  return sizeFieldLength(track);
}
