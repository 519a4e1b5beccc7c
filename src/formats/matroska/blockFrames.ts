import type { ByteSource } from '../byteSource';
import type { BinaryRef } from '../ebml/values';
import { vintWidth } from '../ebml/vint';
import { BlockParse, emptyBlockHeader, MAX_LACING_HEADER, parseBlockHeader } from './blockHeader';
import type { BlockTable } from './blockTable';
import { Lacing } from './blockTable';

/**
 * Where each frame of block `index` lies (one for unlaced blocks). Reads the lacing header again, so
 * the table need not keep per-frame sizes. Empty when the block cannot be read.
 */
export function readBlockFrames(source: ByteSource, blocks: BlockTable, index: number): BinaryRef[] {
  const payloadOffset = blocks.payloadOffset[index];
  const payloadSize = blocks.payloadSize[index];
  const offset = blocks.offset[index];
  if (payloadOffset === undefined || payloadSize === undefined || offset === undefined) return [];
  if (blocks.lacing[index] === Lacing.None) return [{ offset: payloadOffset, size: payloadSize }];

  const head = source.read(offset, 12);
  const idWidth = vintWidth(head[0] ?? 0);
  const sizeWidth = vintWidth(head[idWidth] ?? 0);
  if (idWidth === 0 || sizeWidth === 0) return [];
  const dataStart = offset + idWidth + sizeWidth;
  const dataSize = payloadOffset + payloadSize - dataStart;
  const bytes = source.read(dataStart, Math.min(dataSize, MAX_LACING_HEADER));
  const sizes: number[] = [];
  if (parseBlockHeader(bytes, 0, bytes.length, dataSize, emptyBlockHeader(), sizes) !== BlockParse.Ok) return [];
  const frames: BinaryRef[] = [];
  let at = payloadOffset;
  for (const size of sizes) {
    frames.push({ offset: at, size });
    at += size;
  }
  return frames;
}
