/** Typed-array tables that grow by doubling: one row per PES, payload range or PCR, no objects. */

/** PES flags. */
export const PES_RANDOM_ACCESS = 0x01; // random_access_indicator in the adaptation field of the first packet
export const PES_DISCONTINUITY = 0x02; // discontinuity_indicator in the first packet
export const PES_CC_ERROR = 0x04; // a continuity counter error inside this PES: bytes are missing
export const PES_TRUNCATED = 0x08; // header incomplete, shorter than PES_packet_length, or cut by the end of the data
export const PES_HAS_DTS = 0x10; // the header carried a DTS (otherwise dts = pts)
export const PES_INVALID = 0x20; // no 00 00 01 start code

export interface PesTable {
  readonly count: number;
  readonly pid: Uint16Array;
  readonly streamId: Uint8Array;
  /** Absolute offset of the TS packet that starts the PES (what ffprobe calls pos). */
  readonly offset: Float64Array;
  /** 90 kHz, continued past the wrap of the 33-bit clock (unwrap.ts); NaN when absent. */
  readonly pts: Float64Array;
  /** 90 kHz; the PTS when the header has no DTS; NaN when neither. */
  readonly dts: Float64Array;
  /** Elementary stream bytes after the PES header. */
  readonly size: Uint32Array;
  /** TS packets carrying it (duplicates excluded). */
  readonly packets: Uint32Array;
  /** PES_* bits. */
  readonly flags: Uint8Array;
  /** Its payload ranges: entries [rangeStart, rangeStart + rangeCount) of its stream's `payload` table. */
  readonly rangeStart: Uint32Array;
  readonly rangeCount: Uint32Array;
}

/** Where a stream's elementary stream bytes are: one row per TS packet payload (after PES headers). */
export interface PayloadRanges {
  readonly count: number;
  readonly offset: Float64Array;
  /** At most 184. */
  readonly length: Uint8Array;
}

export interface PcrTable {
  readonly count: number;
  readonly pid: Uint16Array;
  /** Absolute offset of the packet carrying the PCR. */
  readonly offset: Float64Array;
  /** 27 MHz units: base × 300 + extension, continued past the wrap of the base. */
  readonly value: Float64Array;
}

function grown<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(a: T, make: (n: number) => T, need: number): T {
  if (need <= a.length) return a;
  let n = Math.max(64, a.length * 2);
  while (n < need) n *= 2;
  const b = make(n);
  b.set(a);
  return b;
}

export class PesBuilder {
  count = 0;
  pid = new Uint16Array(256);
  streamId = new Uint8Array(256);
  offset = new Float64Array(256);
  pts = new Float64Array(256);
  dts = new Float64Array(256);
  size = new Uint32Array(256);
  packets = new Uint32Array(256);
  flags = new Uint8Array(256);
  rangeStart = new Uint32Array(256);
  rangeCount = new Uint32Array(256);

  /** A new row with pts/dts NaN; returns its index. */
  open(pid: number, offset: number, flags: number, rangeStart: number): number {
    const i = this.count;
    if (i >= this.pid.length) this.grow(i + 1);
    this.pid[i] = pid;
    this.streamId[i] = 0;
    this.offset[i] = offset;
    this.pts[i] = NaN;
    this.dts[i] = NaN;
    this.size[i] = 0;
    this.packets[i] = 1;
    this.flags[i] = flags;
    this.rangeStart[i] = rangeStart;
    this.rangeCount[i] = 0;
    this.count = i + 1;
    return i;
  }

  private grow(need: number): void {
    this.pid = grown(this.pid, (n) => new Uint16Array(n), need);
    this.streamId = grown(this.streamId, (n) => new Uint8Array(n), need);
    this.offset = grown(this.offset, (n) => new Float64Array(n), need);
    this.pts = grown(this.pts, (n) => new Float64Array(n), need);
    this.dts = grown(this.dts, (n) => new Float64Array(n), need);
    this.size = grown(this.size, (n) => new Uint32Array(n), need);
    this.packets = grown(this.packets, (n) => new Uint32Array(n), need);
    this.flags = grown(this.flags, (n) => new Uint8Array(n), need);
    this.rangeStart = grown(this.rangeStart, (n) => new Uint32Array(n), need);
    this.rangeCount = grown(this.rangeCount, (n) => new Uint32Array(n), need);
  }

  finish(): PesTable {
    const n = this.count;
    return {
      count: n, pid: this.pid.subarray(0, n), streamId: this.streamId.subarray(0, n), offset: this.offset.subarray(0, n),
      pts: this.pts.subarray(0, n), dts: this.dts.subarray(0, n), size: this.size.subarray(0, n),
      packets: this.packets.subarray(0, n), flags: this.flags.subarray(0, n),
      rangeStart: this.rangeStart.subarray(0, n), rangeCount: this.rangeCount.subarray(0, n),
    };
  }
}

export class RangeBuilder {
  count = 0;
  offset = new Float64Array(64);
  length = new Uint8Array(64);

  push(offset: number, length: number): void {
    const i = this.count;
    if (i >= this.offset.length) {
      this.offset = grown(this.offset, (n) => new Float64Array(n), i + 1);
      this.length = grown(this.length, (n) => new Uint8Array(n), i + 1);
    }
    this.offset[i] = offset;
    this.length[i] = length;
    this.count = i + 1;
  }

  finish(): PayloadRanges {
    return { count: this.count, offset: this.offset.subarray(0, this.count), length: this.length.subarray(0, this.count) };
  }
}

export class PcrBuilder {
  count = 0;
  pid = new Uint16Array(64);
  offset = new Float64Array(64);
  value = new Float64Array(64);

  push(pid: number, offset: number, value: number): void {
    const i = this.count;
    if (i >= this.pid.length) {
      this.pid = grown(this.pid, (n) => new Uint16Array(n), i + 1);
      this.offset = grown(this.offset, (n) => new Float64Array(n), i + 1);
      this.value = grown(this.value, (n) => new Float64Array(n), i + 1);
    }
    this.pid[i] = pid;
    this.offset[i] = offset;
    this.value[i] = value;
    this.count = i + 1;
  }

  finish(): PcrTable {
    const n = this.count;
    return { count: n, pid: this.pid.subarray(0, n), offset: this.offset.subarray(0, n), value: this.value.subarray(0, n) };
  }
}
