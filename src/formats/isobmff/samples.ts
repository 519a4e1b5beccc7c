import type { ByteSource } from '../byteSource';

/**
 * Per-track sample tables as parallel typed arrays (no object per sample). Times are in the track's
 * media timescale; presentation time = dts + cto (+ the track's edit-list shift).
 */
export interface SampleTable {
  readonly count: number;
  /** Decode time. */
  readonly dts: Float64Array;
  /** Composition offset. */
  readonly cto: Int32Array;
  readonly duration: Uint32Array;
  readonly size: Uint32Array;
  /** Absolute file offset of the sample's bytes. */
  readonly offset: Float64Array;
  /** 1 for sync samples (keyframes). */
  readonly sync: Uint8Array;
  /** Fragmented files: the resolved sample_flags of each sample (ISO/IEC 14496-12 §8.8.3.1). */
  readonly flags?: Uint32Array;
  /** Fragmented files: index of the fragment each sample belongs to. */
  readonly fragment?: Uint32Array;
}

/** The bytes of a table's first sync sample, and where they start. */
export function readFirstSyncSample(source: ByteSource, samples: SampleTable | undefined): { bytes: Uint8Array; offset: number } | undefined {
  const index = samples ? samples.sync.indexOf(1) : -1;
  if (!samples || index < 0 || index >= samples.count) return undefined;
  const offset = samples.offset[index] ?? 0;
  return { bytes: source.read(offset, samples.size[index] ?? 0), offset };
}

/** sample_flags: sample_is_non_sync_sample. */
export const SAMPLE_IS_NON_SYNC = 0x00010000;

/** sample_flags: sample_is_depended_on 2, no other sample refers to this one (it can be dropped). */
export function sampleIsDisposable(flags: number): boolean {
  return ((flags >>> 22) & 3) === 2;
}

/** sample_flags fields, for display. */
export function decodeSampleFlags(flags: number): {
  isLeading: number;
  dependsOn: number;
  isDependedOn: number;
  hasRedundancy: number;
  paddingValue: number;
  isNonSync: boolean;
  degradationPriority: number;
} {
  return {
    isLeading: (flags >>> 26) & 3,
    dependsOn: (flags >>> 24) & 3,
    isDependedOn: (flags >>> 22) & 3,
    hasRedundancy: (flags >>> 20) & 3,
    paddingValue: (flags >>> 17) & 7,
    isNonSync: (flags & SAMPLE_IS_NON_SYNC) !== 0,
    degradationPriority: flags & 0xffff,
  };
}

/** Appends samples into growing typed arrays; `finish()` trims them. */
export class SampleTableBuilder {
  count = 0;
  dts: Float64Array;
  cto: Int32Array;
  duration: Uint32Array;
  size: Uint32Array;
  offset: Float64Array;
  sync: Uint8Array;
  flags: Uint32Array;
  fragment: Uint32Array;

  constructor(capacity = 256) {
    this.dts = new Float64Array(capacity);
    this.cto = new Int32Array(capacity);
    this.duration = new Uint32Array(capacity);
    this.size = new Uint32Array(capacity);
    this.offset = new Float64Array(capacity);
    this.sync = new Uint8Array(capacity);
    this.flags = new Uint32Array(capacity);
    this.fragment = new Uint32Array(capacity);
  }

  /**
   * Makes room for n more samples. `position` of `total`: how far into their source (bytes of a file) the
   * rows so far come from, for a growth to go toward the count that projects to, with an eighth to spare.
   */
  reserve(n: number, position = 0, total = 0): void {
    const need = this.count + n;
    const capacity = this.dts.length;
    if (need <= capacity) return;
    // At least double (rows appended one run at a time), up to four times toward the projection: each
    // growth allocates, zero-fills and copies every column. Exactly `need` when told the final count at once.
    const projected = position > 0 ? Math.ceil(((this.count * total) / position) * 1.125) + n : 0;
    const cap = Math.max(need, 256, capacity * 2, Math.min(projected, capacity * 4));
    this.dts = grow(this.dts, new Float64Array(cap));
    this.cto = grow(this.cto, new Int32Array(cap));
    this.duration = grow(this.duration, new Uint32Array(cap));
    this.size = grow(this.size, new Uint32Array(cap));
    this.offset = grow(this.offset, new Float64Array(cap));
    this.sync = grow(this.sync, new Uint8Array(cap));
    this.flags = grow(this.flags, new Uint32Array(cap));
    this.fragment = grow(this.fragment, new Uint32Array(cap));
  }

  /** Appends a plain table (samples of a moov that also has fragments). */
  append(t: SampleTable): void {
    this.reserve(t.count);
    const at = this.count;
    this.dts.set(t.dts.subarray(0, t.count), at);
    this.cto.set(t.cto.subarray(0, t.count), at);
    this.duration.set(t.duration.subarray(0, t.count), at);
    this.size.set(t.size.subarray(0, t.count), at);
    this.offset.set(t.offset.subarray(0, t.count), at);
    this.sync.set(t.sync.subarray(0, t.count), at);
    for (let i = 0; i < t.count; i++) this.flags[at + i] = t.sync[i] ? 0 : SAMPLE_IS_NON_SYNC;
    this.count += t.count;
  }

  finish(): SampleTable {
    const n = this.count;
    return {
      count: n,
      dts: this.dts.subarray(0, n),
      cto: this.cto.subarray(0, n),
      duration: this.duration.subarray(0, n),
      size: this.size.subarray(0, n),
      offset: this.offset.subarray(0, n),
      sync: this.sync.subarray(0, n),
      flags: this.flags.subarray(0, n),
      fragment: this.fragment.subarray(0, n),
    };
  }
}

function grow<T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
