import type { ByteSource } from '../byteSource';
import type { MpegTsFile } from './types';

/** The indexes of a PID's first `limit` PES packets. */
export function pesIndexesOf(ts: MpegTsFile, pid: number, limit: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ts.pes.count && out.length < limit; i++) if (ts.pes.pid[i] === pid) out.push(i);
  return out;
}

/**
 * The elementary stream bytes of one PES (an access unit for video), gathered from its packets'
 * payload ranges; its first `limit` bytes only, when given. Needs the ranges (`ranges` option, on by
 * default). One read spans all the packets needed when they are within `maxSpan` bytes, otherwise one
 * read per packet.
 */
export function gatherPes(source: ByteSource, ts: MpegTsFile, index: number, limit = Infinity, maxSpan = 16 * 1024 * 1024): Uint8Array {
  const pes = ts.pes;
  if (index < 0 || index >= pes.count) return new Uint8Array(0);
  const pid = pes.pid[index];
  const ranges = ts.streams.find((s) => s.pid === pid)?.payload;
  if (!ranges) return new Uint8Array(0);
  const start = pes.rangeStart[index] ?? 0;
  let count = 0;
  let total = 0;
  while (count < (pes.rangeCount[index] ?? 0) && total < limit) total += ranges.length[start + count++] ?? 0;
  total = Math.min(total, limit);
  const out = new Uint8Array(total);
  if (count === 0) return out;
  const first = ranges.offset[start] ?? 0;
  const lastEnd = (ranges.offset[start + count - 1] ?? 0) + (ranges.length[start + count - 1] ?? 0);
  const span = lastEnd - first <= maxSpan ? source.read(first, lastEnd - first) : undefined;
  let at = 0;
  for (let k = start; k < start + count && at < total; k++) {
    const length = Math.min(ranges.length[k] ?? 0, total - at);
    const rel = (ranges.offset[k] ?? 0) - first;
    const piece = span ? span.subarray(rel, rel + length) : source.read(ranges.offset[k] ?? 0, length);
    out.set(piece, at);
    at += piece.length;
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
