// The header at the start of SimpleBlock and Block data (RFC 9559 §10): track number (VINT), signed
// 16-bit relative timecode, flags, then for laced blocks the frame count and frame sizes.
import { containerField, type ContainerField } from '../bits/syntax';
import { signedVintValue, vintValue, vintWidth } from '../ebml/vint';
import { Lacing } from './blockTable';

export interface BlockHeader {
  track: number;
  relativeTimecode: number;
  /** The raw flags byte. */
  flags: number;
  /** Lacing value (bits 0x06 of the flags). */
  lacing: number;
  frameCount: number;
  /** Bytes from the start of the block data to the first frame. */
  headerLength: number;
}

export const BlockParse = {
  Ok: 0,
  /** The lacing header goes on past the bytes given: call again with more. */
  NeedMore: 1,
  /** Shorter than a block header, or an invalid track number VINT. */
  Invalid: 2,
  /** The lace sizes add up to more than the block holds (or fixed lacing does not divide it). */
  LacingOverflow: 3,
} as const;
export type BlockParseStatus = (typeof BlockParse)[keyof typeof BlockParse];

/** Read at most this much to find the lace sizes (255 frames × 8-byte EBML sizes fit easily). */
export const MAX_LACING_HEADER = 64 * 1024;

/**
 * Parses the block header in bytes[start, start + available), where `available` ≤ `dataSize`, the size of
 * the whole block data. Fills `out` (and `frameSizes`, when given, with every frame's size).
 */
export function parseBlockHeader(
  bytes: Uint8Array,
  start: number,
  available: number,
  dataSize: number,
  out: BlockHeader,
  frameSizes?: number[],
): BlockParseStatus {
  const end = start + Math.min(available, bytes.length - start);
  const trackWidth = vintWidth(bytes[start] ?? 0);
  if (trackWidth === 0 || dataSize < trackWidth + 3) return BlockParse.Invalid;
  if (start + trackWidth + 3 > end) return BlockParse.NeedMore;
  out.track = vintValue(bytes, start, trackWidth);
  if (out.track < 0) return BlockParse.Invalid;
  let p = start + trackWidth;
  const timecode = ((bytes[p] ?? 0) << 8) | (bytes[p + 1] ?? 0);
  out.relativeTimecode = timecode >= 0x8000 ? timecode - 0x10000 : timecode;
  out.flags = bytes[p + 2] ?? 0;
  out.lacing = (out.flags >> 1) & 3;
  p += 3;
  out.frameCount = 1;
  out.headerLength = p - start;
  if (frameSizes) frameSizes.length = 0;

  if (out.lacing === Lacing.None) {
    frameSizes?.push(dataSize - out.headerLength);
    return BlockParse.Ok;
  }
  if (p >= end) return available < dataSize ? BlockParse.NeedMore : BlockParse.LacingOverflow;
  out.frameCount = (bytes[p++] ?? 0) + 1;
  out.headerLength = p - start;
  const laced = out.frameCount - 1; // sizes stored for all frames but the last
  let total = 0;
  let previous = 0;

  if (out.lacing === Lacing.Fixed) {
    const room = dataSize - out.headerLength;
    if (room % out.frameCount !== 0) return BlockParse.LacingOverflow;
    for (let i = 0; i < out.frameCount; i++) frameSizes?.push(room / out.frameCount);
    return BlockParse.Ok;
  }

  for (let i = 0; i < laced; i++) {
    let size: number;
    if (out.lacing === Lacing.Xiph) {
      size = 0;
      for (;;) {
        if (p >= end) return available < dataSize ? BlockParse.NeedMore : BlockParse.LacingOverflow;
        const byte = bytes[p++] ?? 0;
        size += byte;
        if (byte !== 255) break;
      }
    } else {
      if (p >= end) return available < dataSize ? BlockParse.NeedMore : BlockParse.LacingOverflow;
      const width = vintWidth(bytes[p] ?? 0);
      if (width === 0) return BlockParse.LacingOverflow;
      if (p + width > end) return available < dataSize ? BlockParse.NeedMore : BlockParse.LacingOverflow;
      size = i === 0 ? vintValue(bytes, p, width) : previous + signedVintValue(bytes, p, width);
      p += width;
      if (size < 0) return BlockParse.LacingOverflow;
      previous = size;
    }
    total += size;
    out.headerLength = p - start;
    frameSizes?.push(size);
  }
  out.headerLength = p - start;
  const last = dataSize - out.headerLength - total;
  if (last < 0) return BlockParse.LacingOverflow;
  frameSizes?.push(last);
  return BlockParse.Ok;
}

export function emptyBlockHeader(): BlockHeader {
  return { track: 0, relativeTimecode: 0, flags: 0, lacing: 0, frameCount: 0, headerLength: 0 };
}

/** The bits of a SimpleBlock's flags byte (RFC 9559 §10.2); a Block's (§10.1) have no Keyframe or Discardable. */
const SIMPLE_BLOCK_FLAGS = [['Keyframe', 1], ['Reserved', 3], ['Invisible', 1], ['Lacing', 2], ['Discardable', 1]] as const;
const BLOCK_FLAGS = [['Reserved', 4], ['Invisible', 1], ['Lacing', 2], ['not used', 1]] as const;

/**
 * The header fields of a SimpleBlock or Block under the names of RFC 9559 §10 (Track Number,
 * Timestamp, the flag bits), from `bytes`, which hold the block data from its first byte at absolute
 * offset `dataOffset`. Bit offsets count from the first byte of the data. Empty when the header is cut.
 */
export function blockHeaderSyntax(bytes: Uint8Array, dataOffset: number, simpleBlock: boolean): ContainerField[] {
  const width = vintWidth(bytes[0] ?? 0);
  const out: BlockHeader = { track: 0, relativeTimecode: 0, flags: 0, lacing: 0, frameCount: 0, headerLength: 0 };
  if (width === 0 || bytes.length < width + 3 || parseBlockHeader(bytes, 0, width + 3, bytes.length, out) === BlockParse.Invalid) return [];
  const field = (path: string, value: number, descriptor: string, bitOffset: number, bitLength: number): ContainerField =>
    containerField(path, value, descriptor, dataOffset, bitOffset, bitLength);
  const fields = [field('Track Number', out.track, 'vint', 0, width * 8), field('Timestamp', out.relativeTimecode, 'int(16)', width * 8, 16)];
  let used = 0;
  for (const [name, bits] of simpleBlock ? SIMPLE_BLOCK_FLAGS : BLOCK_FLAGS) {
    const value = (out.flags >> (8 - used - bits)) & ((1 << bits) - 1);
    fields.push(field(name, value, bits === 1 ? 'bit(1)' : `uint(${bits})`, (width + 2) * 8 + used, bits));
    used += bits;
  }
  return fields;
}
