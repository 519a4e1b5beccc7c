import { defineBox } from './define';

/** tr_flags of 'trun'. */
export const TRUN_DATA_OFFSET = 0x000001;
export const TRUN_FIRST_SAMPLE_FLAGS = 0x000004;
export const TRUN_SAMPLE_DURATION = 0x000100;
export const TRUN_SAMPLE_SIZE = 0x000200;
export const TRUN_SAMPLE_FLAGS = 0x000400;
export const TRUN_SAMPLE_COMPOSITION_OFFSET = 0x000800;

/** Largest sample count accepted for a run without per-sample fields (nothing bounds it but memory). */
export const MAX_RUN_SAMPLES = 1 << 24;

export interface TrackRunFields {
  /** Declared sample_count. */
  sampleCount: number;
  /** Samples whose entries are present (fewer than declared when the box is cut short). */
  entryCount: number;
  /** Relative to the base data offset (tfhd / moof / previous run). */
  dataOffset?: number;
  firstSampleFlags?: number;
  /** Per-sample arrays, present when the flag is set (defaults come from tfhd / trex otherwise). */
  durations?: Uint32Array;
  sizes?: Uint32Array;
  sampleFlags?: Uint32Array;
  /** Unsigned in version 0 per the spec, read as signed 32-bit in both versions (as muxers mean them). */
  compositionOffsets?: Int32Array;
}

function column(view: DataView, start: number, stride: number, n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0, p = start; i < n; i++, p += stride) out[i] = view.getUint32(p);
  return out;
}

function signedColumn(view: DataView, start: number, stride: number, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0, p = start; i < n; i++, p += stride) out[i] = view.getInt32(p);
  return out;
}

export const trun = defineBox({
  type: 'trun',
  name: 'TrackRunBox',
  full: true,
  parse(r, ctx): TrackRunFields {
    const flags = ctx.flags;
    const sampleCount = r.u32();
    const out: TrackRunFields = { sampleCount, entryCount: sampleCount };
    if (flags & TRUN_DATA_OFFSET) out.dataOffset = r.i32();
    if (flags & TRUN_FIRST_SAMPLE_FLAGS) out.firstSampleFlags = r.u32();
    if (r.overrun) {
      out.entryCount = 0;
      return out;
    }
    const hasDuration = (flags & TRUN_SAMPLE_DURATION) !== 0;
    const hasSize = (flags & TRUN_SAMPLE_SIZE) !== 0;
    const hasFlags = (flags & TRUN_SAMPLE_FLAGS) !== 0;
    const hasCto = (flags & TRUN_SAMPLE_COMPOSITION_OFFSET) !== 0;
    const stride = 4 * (+hasDuration + +hasSize + +hasFlags + +hasCto);
    let n = sampleCount;
    if (stride > 0) {
      const room = Math.floor(r.remaining() / stride);
      if (room < n) {
        ctx.issue('error', 'TABLE_TRUNCATED', `trun declares ${sampleCount} samples, room for ${room}`, r.offset);
        n = room;
      }
    } else if (n > MAX_RUN_SAMPLES) {
      ctx.issue('error', 'TRUN_SAMPLE_COUNT_IMPLAUSIBLE', `trun declares ${sampleCount} samples without per-sample fields; reading ${MAX_RUN_SAMPLES}`, r.base - 4);
      n = MAX_RUN_SAMPLES;
    }
    out.entryCount = n;
    let col = r.pos;
    if (hasDuration) {
      out.durations = column(r.view, col, stride, n);
      col += 4;
    }
    if (hasSize) {
      out.sizes = column(r.view, col, stride, n);
      col += 4;
    }
    if (hasFlags) {
      out.sampleFlags = column(r.view, col, stride, n);
      col += 4;
    }
    if (hasCto) out.compositionOffsets = signedColumn(r.view, col, stride, n);
    r.pos += n * stride;
    return out;
  },
});
