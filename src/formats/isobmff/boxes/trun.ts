import { defineBox } from './define';
import { u32At } from '../fourcc';

/** tr_flags of 'trun'. */
export const TRUN_DATA_OFFSET = 0x000001;
export const TRUN_FIRST_SAMPLE_FLAGS = 0x000004;
export const TRUN_SAMPLE_DURATION = 0x000100;
export const TRUN_SAMPLE_SIZE = 0x000200;
export const TRUN_SAMPLE_FLAGS = 0x000400;
export const TRUN_SAMPLE_COMPOSITION_OFFSET = 0x000800;

/** Largest sample count accepted for a run without per-sample fields (nothing bounds it but memory). */
export const MAX_RUN_SAMPLES = 1 << 24;

/** Where each per-sample field sits in an entry of `stride` bytes; -1 for a field the run does not store. */
export interface TrackRunLayout {
  readonly stride: number;
  readonly duration: number;
  readonly size: number;
  readonly flags: number;
  readonly compositionOffset: number;
}

export interface TrackRunFields {
  /** Declared sample_count. */
  readonly sampleCount: number;
  /** Samples whose entries are present (fewer than declared when the box is cut short). */
  readonly entryCount: number;
  /** Relative to the base data offset (tfhd / moof / previous run). */
  readonly dataOffset?: number;
  readonly firstSampleFlags?: number;
  /** The per-sample entries as stored (a view of a copy of the moof): `entryCount` entries laid out as `layout` says. */
  readonly entries: Uint8Array;
  readonly layout: TrackRunLayout;
  /**
   * Per-sample arrays, present when the flag is set (defaults come from tfhd / trex otherwise), made
   * from `entries` on each read: reading a file does not need them (see fragments.ts).
   */
  readonly durations?: Uint32Array;
  readonly sizes?: Uint32Array;
  readonly sampleFlags?: Uint32Array;
  /** Unsigned in version 0 per the spec, read as signed 32-bit in both versions (as muxers mean them). */
  readonly compositionOffsets?: Int32Array;
}

/** The 16 layouts tr_flags can ask for, made once. */
const layouts: TrackRunLayout[] = [];
for (let fields = 0; fields < 16; fields++) {
  let stride = 0;
  const at = (bit: number): number => {
    if ((fields & bit) === 0) return -1;
    stride += 4;
    return stride - 4;
  };
  const duration = at(1);
  const size = at(2);
  const flags = at(4);
  const compositionOffset = at(8);
  layouts.push({ stride, duration, size, flags, compositionOffset });
}

export function layoutOf(trFlags: number): TrackRunLayout {
  return layouts[(trFlags >> 8) & 0xf] ?? { stride: 0, duration: -1, size: -1, flags: -1, compositionOffset: -1 };
}

export class TrackRun implements TrackRunFields {
  // Defined by the constructor only (see BoxNode in walker.ts): one per trun of a long file.
  declare readonly sampleCount: number;
  declare readonly entryCount: number;
  declare readonly entries: Uint8Array;
  declare readonly layout: TrackRunLayout;
  declare readonly dataOffset: number | undefined;
  declare readonly firstSampleFlags: number | undefined;

  constructor(sampleCount: number, entryCount: number, entries: Uint8Array, layout: TrackRunLayout, dataOffset: number | undefined, firstSampleFlags: number | undefined) {
    this.sampleCount = sampleCount;
    this.entryCount = entryCount;
    this.entries = entries;
    this.layout = layout;
    this.dataOffset = dataOffset;
    this.firstSampleFlags = firstSampleFlags;
  }

  get durations(): Uint32Array | undefined {
    return this.column(this.layout.duration);
  }

  get sizes(): Uint32Array | undefined {
    return this.column(this.layout.size);
  }

  get sampleFlags(): Uint32Array | undefined {
    return this.column(this.layout.flags);
  }

  get compositionOffsets(): Int32Array | undefined {
    const values = this.column(this.layout.compositionOffset);
    return values ? new Int32Array(values.buffer) : undefined;
  }

  private column(at: number): Uint32Array | undefined {
    if (at < 0) return undefined;
    const { stride } = this.layout;
    const out = new Uint32Array(this.entryCount);
    for (let i = 0, p = at; i < out.length; i++, p += stride) out[i] = u32At(this.entries, p);
    return out;
  }
}

/** The per-sample fields a layout stores, in order, as noteTable columns. */
function entryColumns(layout: TrackRunLayout, version: number): [string, number, boolean][] {
  const columns: [string, number, boolean][] = [];
  if (layout.duration >= 0) columns.push(['sample_duration', 4, false]);
  if (layout.size >= 0) columns.push(['sample_size', 4, false]);
  if (layout.flags >= 0) columns.push(['sample_flags', 4, false]);
  if (layout.compositionOffset >= 0) columns.push(['sample_composition_time_offset', 4, version === 1]);
  return columns;
}

export const trun = defineBox({
  type: 'trun',
  name: 'TrackRunBox',
  full: true,
  parse(r, ctx): TrackRunFields {
    const flags = ctx.flags;
    const countAt = r.offset;
    const sampleCount = r.u32('sample_count');
    const dataOffset = flags & TRUN_DATA_OFFSET ? r.i32('data_offset') : undefined;
    const firstSampleFlags = flags & TRUN_FIRST_SAMPLE_FLAGS ? r.u32('first_sample_flags') : undefined;
    // Cut short before the entries: none are stored.
    const layout = layoutOf(r.overrun ? 0 : flags);
    let n = sampleCount;
    if (r.overrun) {
      n = 0;
    } else if (layout.stride > 0) {
      const room = Math.floor(r.remaining() / layout.stride);
      if (room < n) {
        ctx.issue('error', 'TABLE_TRUNCATED', `trun declares ${sampleCount} samples, room for ${room}`, r.offset);
        n = room;
      } else if (room > n) {
        ctx.issue('error', 'TRUN_SAMPLE_COUNT_SHORT', `trun declares ${sampleCount} samples but holds the entries of ${room}: players read ${sampleCount} and lose the samples after them`, countAt);
      }
    } else if (n > MAX_RUN_SAMPLES) {
      ctx.issue('error', 'TRUN_SAMPLE_COUNT_IMPLAUSIBLE', `trun declares ${sampleCount} samples without per-sample fields; reading ${MAX_RUN_SAMPLES}`, r.startOffset);
      n = MAX_RUN_SAMPLES;
    }
    if (r.syntax) r.noteTable(r.pos, n, entryColumns(layout, ctx.version));
    return new TrackRun(sampleCount, n, r.bytesKept(n * layout.stride), layout, dataOffset, firstSampleFlags);
  },
});
