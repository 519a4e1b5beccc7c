// What GetMedia and GetMediaForFragmentList send per fragment (research §3.2): the producer's EBML header,
// a fresh Segment of unknown size (8-byte form), the producer's Info and Tracks, KVS Tags (fragment
// number, server and producer timestamps), the Cluster, then (GetMedia) Tags with millis behind now and
// the continuation token. A missing fragment is a chunk of Tags only (error code, error id, number).
import { ElementId as Id } from '../elementTable';
import { KvsTag } from '../kvsTags';
import { emptyElementHead, HeaderParse, readElementHead, UNKNOWN_SIZE } from '../ingest/elementHeader';
import { concatBytes } from './ebmlWrite';
import { ebmlHeader, kvsTagsElement, segmentStart } from './matroskaWrite';

export type TagPair = readonly [string, string];

/** The parts of a producer's stream header (EBML header + Segment start + Info + Tracks). */
export interface ProducerHeaderParts {
  ebmlHeader: Uint8Array;
  /** The Info element, when the header has one. */
  info?: Uint8Array;
  /** The Tracks element, when the header has one. */
  tracks?: Uint8Array;
}

/**
 * Finds the EBML header and the Segment's Info and Tracks elements in a producer's header bytes (views,
 * not copies). SeekHead, Void and other elements are left out: their positions would be wrong in a new
 * Segment. Undefined when the bytes do not start with a complete EBML header.
 */
export function splitProducerHeader(bytes: Uint8Array): ProducerHeaderParts | undefined {
  const head = emptyElementHead();
  if (readElementHead(bytes, 0, bytes.length, head) !== HeaderParse.Ok || head.id !== Id.EBML || head.size === UNKNOWN_SIZE) return undefined;
  const ebmlEnd = head.headerSize + head.size;
  if (ebmlEnd > bytes.length) return undefined;
  const parts: ProducerHeaderParts = { ebmlHeader: bytes.subarray(0, ebmlEnd) };
  let pos = ebmlEnd;
  let end = bytes.length;
  // Elements before the Segment (Void) are skipped; inside it, level-1 elements up to the first Cluster.
  while (pos < end) {
    if (readElementHead(bytes, pos, end, head) !== HeaderParse.Ok) break;
    const id: number = head.id;
    if (id === Id.Segment) {
      if (head.size !== UNKNOWN_SIZE) end = Math.min(end, pos + head.headerSize + head.size);
      pos += head.headerSize;
      continue;
    }
    if (head.size === UNKNOWN_SIZE || id === Id.Cluster || id === Id.EBML) break;
    const elementEnd = pos + head.headerSize + head.size;
    if (elementEnd > end) break;
    if (id === Id.Info && !parts.info) parts.info = bytes.subarray(pos, elementEnd);
    else if (id === Id.Tracks && !parts.tracks) parts.tracks = bytes.subarray(pos, elementEnd);
    pos = elementEnd;
  }
  return parts;
}

const headerCache = new WeakMap<Uint8Array, Uint8Array>();

/**
 * The header GetMedia writes before each fragment: the producer's EBML header, a Segment of unknown size
 * in the 8-byte form, then the producer's Info and Tracks. Bytes that are not a producer header are
 * returned as they are. Results are cached per input array.
 */
export function getMediaHeader(producerHeader: Uint8Array): Uint8Array {
  const cached = headerCache.get(producerHeader);
  if (cached) return cached;
  const parts = splitProducerHeader(producerHeader);
  const out = parts ? concatBytes([parts.ebmlHeader, segmentStart(8), parts.info ?? EMPTY, parts.tracks ?? EMPTY]) : producerHeader;
  headerCache.set(producerHeader, out);
  return out;
}

const EMPTY = new Uint8Array(0);

export interface GetMediaChunkInput {
  /** EBML header + Segment start + Info + Tracks, as the producer sent them (re-wrapped) or rebuilt. */
  header: Uint8Array;
  /** The Cluster element (known or unknown size). */
  cluster: Uint8Array;
  /** KVS tags before the Cluster: fragment number, server and producer timestamps (see {@link kvsFragmentTags}). */
  tagsBefore: readonly TagPair[];
  /** KVS tags after the Cluster (GetMedia): millis behind now, continuation token. Empty for none. */
  tagsAfter: readonly TagPair[];
}

/**
 * The chunk as pieces to write one after the other (no copy of the cluster): header, Tags, Cluster and,
 * when there are trailing tags, Tags.
 */
export function getMediaChunkParts(input: GetMediaChunkInput): Uint8Array[] {
  const parts = [getMediaHeader(input.header)];
  if (input.tagsBefore.length > 0) parts.push(kvsTagsElement(input.tagsBefore));
  parts.push(input.cluster);
  if (input.tagsAfter.length > 0) parts.push(kvsTagsElement(input.tagsAfter));
  return parts;
}

/** One fragment as GetMedia / GetMediaForFragmentList send it, in one array. */
export function getMediaChunk(input: GetMediaChunkInput): Uint8Array {
  return concatBytes(getMediaChunkParts(input));
}

export interface GetMediaErrorInput {
  /** e.g. FRAGMENT_NOT_FOUND. */
  errorCode: string;
  /** e.g. 3000 (fragment not found in GetMediaForFragmentList), 4000, 5000. */
  errorId: number | string;
  fragmentNumber?: string;
  /** The stream's header, to re-use its EBML header; default a fresh Matroska EBML header. */
  header?: Uint8Array;
}

/** An error chunk: EBML header, unknown-size Segment, Tags (ERROR_CODE, ERROR_ID, FRAGMENT_NUMBER). */
export function getMediaErrorChunk(input: GetMediaErrorInput): Uint8Array {
  const tags: TagPair[] = [
    [KvsTag.ErrorCode, input.errorCode],
    [KvsTag.ErrorId, String(input.errorId)],
  ];
  if (input.fragmentNumber !== undefined) tags.push([KvsTag.FragmentNumber, input.fragmentNumber]);
  const ebml = (input.header && splitProducerHeader(input.header)?.ebmlHeader) ?? ebmlHeader();
  return concatBytes([ebml, segmentStart(8), kvsTagsElement(tags)]);
}

/** Unix milliseconds as KVS writes timestamps in tags: seconds with three decimals ("1511852109.126"). */
export function kvsTimestamp(ms: number): string {
  const whole = Math.floor(ms);
  const seconds = Math.floor(whole / 1000);
  return `${seconds}.${String(whole - seconds * 1000).padStart(3, '0')}`;
}

/** The tags GetMedia writes before a fragment's Cluster. */
export function kvsFragmentTags(fragment: { fragmentNumber: string; serverTimestampMs: number; producerTimestampMs: number }): TagPair[] {
  return [
    [KvsTag.FragmentNumber, fragment.fragmentNumber],
    [KvsTag.ServerTimestamp, kvsTimestamp(fragment.serverTimestampMs)],
    [KvsTag.ProducerTimestamp, kvsTimestamp(fragment.producerTimestampMs)],
  ];
}

/** The tags GetMedia writes after a fragment's Cluster. */
export function kvsTrailingTags(trailing: { millisBehindNow: number; continuationToken: string }): TagPair[] {
  return [
    [KvsTag.MillisBehindNow, String(Math.max(0, Math.round(trailing.millisBehindNow)))],
    [KvsTag.ContinuationToken, trailing.continuationToken],
  ];
}
