import type { ByteSource } from '../byteSource';
import type { MpegTsFile } from './types';

/**
 * The elementary stream bytes of one PES (an access unit for video), gathered from its packets'
 * payload ranges. Needs the ranges (`ranges` option, on by default). One read spans all its packets
 * when they are within `maxSpan` bytes, otherwise one read per packet.
 */
export function gatherPes(source: ByteSource, ts: MpegTsFile, index: number, maxSpan = 16 * 1024 * 1024): Uint8Array {
  const pes = ts.pes;
  if (index < 0 || index >= pes.count) return new Uint8Array(0);
  const pid = pes.pid[index];
  const ranges = ts.streams.find((s) => s.pid === pid)?.payload;
  if (!ranges) return new Uint8Array(0);
  const start = pes.rangeStart[index] ?? 0;
  const count = pes.rangeCount[index] ?? 0;
  let total = 0;
  for (let k = start; k < start + count; k++) total += ranges.length[k] ?? 0;
  const out = new Uint8Array(total);
  if (count === 0) return out;
  const first = ranges.offset[start] ?? 0;
  const lastEnd = (ranges.offset[start + count - 1] ?? 0) + (ranges.length[start + count - 1] ?? 0);
  let at = 0;
  if (lastEnd - first <= maxSpan) {
    const span = source.read(first, lastEnd - first);
    for (let k = start; k < start + count; k++) {
      const rel = (ranges.offset[k] ?? 0) - first;
      const len = ranges.length[k] ?? 0;
      out.set(span.subarray(rel, rel + len), at);
      at += len;
    }
  } else {
    for (let k = start; k < start + count; k++) {
      const piece = source.read(ranges.offset[k] ?? 0, ranges.length[k] ?? 0);
      out.set(piece, at);
      at += piece.length;
    }
  }
  return at === total ? out : out.subarray(0, at);
}

/**
 * Where byte `at` of what gatherPes returns for PES `index` is in the input (the payload crosses TS
 * packet headers); -1 when `at` is not inside it.
 */
export function pesByteOffset(ts: MpegTsFile, index: number, at: number): number {
  const pes = ts.pes;
  const ranges = ts.streams.find((s) => s.pid === pes.pid[index])?.payload;
  if (!ranges || at < 0) return -1;
  const start = pes.rangeStart[index] ?? 0;
  let rest = at;
  for (let k = start; k < start + (pes.rangeCount[index] ?? 0); k++) {
    const length = ranges.length[k] ?? 0;
    if (rest < length) return (ranges.offset[k] ?? 0) + rest;
    rest -= length;
  }
  return -1;
}
