import type { ByteSource } from '../byteSource';
import type { PayloadRanges } from './tables';
import type { MpegTsFile } from './types';

/**
 * A run of one PID's elementary stream bytes: `length` bytes from `skip` bytes into its payload range
 * `range`, running on through the ranges after it. A PID's ranges are one list in PES order, so a span
 * may cross from one PES into the next (a frame split over several PES packets).
 */
export interface PayloadSpan {
  pid: number;
  range: number;
  skip: number;
  length: number;
}

/** The indexes of a PID's first `limit` PES packets. */
export function pesIndexesOf(ts: MpegTsFile, pid: number, limit: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ts.pes.count && out.length < limit; i++) if (ts.pes.pid[i] === pid) out.push(i);
  return out;
}

function rangesOf(ts: MpegTsFile, pid: number): PayloadRanges | undefined {
  return ts.streams.find((s) => s.pid === pid)?.payload;
}

/** The whole of PES `index`: its payload ranges (nothing outside the table). */
export function pesSpan(ts: MpegTsFile, index: number): PayloadSpan {
  const pes = ts.pes;
  if (index < 0 || index >= pes.count) return { pid: -1, range: 0, skip: 0, length: 0 };
  const pid = pes.pid[index] ?? 0;
  const ranges = rangesOf(ts, pid);
  const start = pes.rangeStart[index] ?? 0;
  let length = 0;
  for (let k = start; ranges && k < start + (pes.rangeCount[index] ?? 0); k++) length += ranges.length[k] ?? 0;
  return { pid, range: start, skip: 0, length };
}

/**
 * The bytes of a span, gathered from its packets' payload ranges (fewer where the PID's ranges end first);
 * its first `limit` bytes only, when given. Needs the ranges (`ranges` option, on by default). One read
 * spans all the packets needed when they are within `maxSpan` bytes, otherwise one read per packet.
 */
export function gatherSpan(source: ByteSource, ts: MpegTsFile, span: PayloadSpan, limit = Infinity, maxSpan = 16 * 1024 * 1024): Uint8Array {
  const ranges = rangesOf(ts, span.pid);
  const want = Math.max(0, Math.min(span.length, limit));
  if (!ranges || want === 0 || span.range < 0) return new Uint8Array(0);
  // The ranges holding the span's bytes: [span.range, end).
  let end = span.range;
  let total = -span.skip;
  while (end < ranges.count && total < want) total += ranges.length[end++] ?? 0;
  if (end === span.range) return new Uint8Array(0);
  total = Math.min(Math.max(total, 0), want);
  const out = new Uint8Array(total);
  const first = (ranges.offset[span.range] ?? 0) + span.skip;
  const lastEnd = (ranges.offset[end - 1] ?? 0) + (ranges.length[end - 1] ?? 0);
  const whole = lastEnd - first <= maxSpan ? source.read(first, lastEnd - first) : undefined;
  let at = 0;
  for (let k = span.range; k < end && at < total; k++) {
    const skip = k === span.range ? span.skip : 0;
    const offset = (ranges.offset[k] ?? 0) + skip;
    const length = Math.min((ranges.length[k] ?? 0) - skip, total - at);
    if (length <= 0) continue;
    const piece = whole ? whole.subarray(offset - first, offset - first + length) : source.read(offset, length);
    out.set(piece, at);
    at += piece.length;
  }
  return at === total ? out : out.subarray(0, at);
}

/**
 * The elementary stream bytes of one PES (an access unit for video, as muxers mostly write them); its
 * first `limit` bytes only, when given.
 */
export function gatherPes(source: ByteSource, ts: MpegTsFile, index: number, limit = Infinity, maxSpan?: number): Uint8Array {
  return gatherSpan(source, ts, pesSpan(ts, index), limit, maxSpan);
}

/**
 * Where byte `at` of a span is in the input (the payload crosses TS packet headers); -1 when `at` is not
 * inside it.
 */
export function spanByteOffset(ts: MpegTsFile, span: PayloadSpan, at: number): number {
  const ranges = rangesOf(ts, span.pid);
  if (!ranges || at < 0 || at >= span.length) return -1;
  let rest = at + span.skip;
  for (let k = Math.max(span.range, 0); k < ranges.count; k++) {
    const length = ranges.length[k] ?? 0;
    if (rest < length) return (ranges.offset[k] ?? 0) + rest;
    rest -= length;
  }
  return -1;
}

/** Where byte `at` of what gatherPes returns for PES `index` is in the input; -1 when `at` is not inside it. */
export function pesByteOffset(ts: MpegTsFile, index: number, at: number): number {
  return spanByteOffset(ts, pesSpan(ts, index), at);
}

/**
 * Locates bytes at rising positions of a span as the starts of spans of their own (a frame's bytes
 * within a PES), walking the PID's ranges once rather than from the span's start for each.
 */
export class SpanCursor {
  private range: number;
  /** Position in the span of the start of range `range` (negative by the span's skip). */
  private rangeStart: number;
  private readonly ranges: PayloadRanges | undefined;

  constructor(ts: MpegTsFile, private readonly span: PayloadSpan) {
    this.ranges = rangesOf(ts, span.pid);
    this.range = span.range;
    this.rangeStart = -span.skip;
  }

  /** The span of `length` bytes from position `at` of the span; `at` may not be before an earlier call's. */
  spanAt(at: number, length: number): PayloadSpan {
    const ranges = this.ranges;
    if (ranges) {
      while (this.range < ranges.count - 1 && at >= this.rangeStart + (ranges.length[this.range] ?? 0)) {
        this.rangeStart += ranges.length[this.range] ?? 0;
        this.range++;
      }
    }
    return { pid: this.span.pid, range: this.range, skip: at - this.rangeStart, length };
  }
}
