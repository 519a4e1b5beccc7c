// Per-block data in columns (typed arrays), not one object per block: a long capture has 10^5–10^6.

/** Bits of `BlockTable.flags`. */
export const BlockFlag = {
  Key: 1,
  Invisible: 2,
  /** SimpleBlock discardable bit. */
  Discardable: 4,
  /** A Block inside a BlockGroup (else a SimpleBlock). */
  InBlockGroup: 8,
  /** The input ends inside the block (its payload is cut to what there is). */
  Cut: 16,
} as const;

/** Values of `BlockTable.lacing` (the block header's lacing bits). */
export const Lacing = { None: 0, Xiph: 1, Fixed: 2, Ebml: 3 } as const;

export interface BlockTable {
  readonly count: number;
  /** Index in `MatroskaFile.clusters`. */
  readonly cluster: Uint32Array;
  readonly track: Uint32Array;
  /** Signed 16-bit timecode relative to the cluster, in ticks. */
  readonly relativeTimecode: Int16Array;
  /** Cluster Timestamp + relative timecode, in ticks of the segment's TimestampScale. */
  readonly timecode: Float64Array;
  readonly timeMs: Float64Array;
  /** BlockFlag bits. */
  readonly flags: Uint8Array;
  readonly lacing: Uint8Array;
  readonly frameCount: Uint16Array;
  /** Offset of the SimpleBlock / Block element. */
  readonly offset: Float64Array;
  /** Offset of the first frame's data (after the block and lacing headers). */
  readonly payloadOffset: Float64Array;
  /** Bytes of all frames. */
  readonly payloadSize: Float64Array;
}

export interface BlockRow {
  cluster: number;
  track: number;
  relativeTimecode: number;
  flags: number;
  lacing: number;
  frameCount: number;
  offset: number;
  payloadOffset: number;
  payloadSize: number;
  /** Cluster Timestamp + relative timecode, in ticks (as known when the row is added; see readMatroska). */
  timecode: number;
  timeMs: number;
}

/**
 * Appends rows to growing columns; `table()` returns views trimmed to the count. Hot loops may write
 * the columns directly: `grow()` when `count === capacity`, write row `count`, then `count++`.
 */
export class BlockTableBuilder {
  count = 0;
  capacity: number;
  cluster: Uint32Array;
  track: Uint32Array;
  relativeTimecode: Int16Array;
  timecode: Float64Array;
  timeMs: Float64Array;
  flags: Uint8Array;
  lacing: Uint8Array;
  frameCount: Uint16Array;
  offset: Float64Array;
  payloadOffset: Float64Array;
  payloadSize: Float64Array;

  /**
   * `initialCapacity`: rows to make room for at once. Room costs little until written (fresh zeroed
   * memory), and each growth copies every column, so a good guess saves the copies.
   */
  constructor(initialCapacity = 1024) {
    this.capacity = Math.max(16, Math.ceil(initialCapacity));
    const n = this.capacity;
    this.cluster = new Uint32Array(n);
    this.track = new Uint32Array(n);
    this.relativeTimecode = new Int16Array(n);
    this.timecode = new Float64Array(n);
    this.timeMs = new Float64Array(n);
    this.flags = new Uint8Array(n);
    this.lacing = new Uint8Array(n);
    this.frameCount = new Uint16Array(n);
    this.offset = new Float64Array(n);
    this.payloadOffset = new Float64Array(n);
    this.payloadSize = new Float64Array(n);
  }

  add(row: BlockRow): number {
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    this.cluster[i] = row.cluster;
    this.track[i] = Math.min(row.track, 0xffffffff);
    this.relativeTimecode[i] = row.relativeTimecode;
    this.timecode[i] = row.timecode;
    this.timeMs[i] = row.timeMs;
    this.flags[i] = row.flags;
    this.lacing[i] = row.lacing;
    this.frameCount[i] = row.frameCount;
    this.offset[i] = row.offset;
    this.payloadOffset[i] = row.payloadOffset;
    this.payloadSize[i] = row.payloadSize;
    return i;
  }

  table(): BlockTable {
    const n = this.count;
    return {
      count: n,
      cluster: this.cluster.subarray(0, n),
      track: this.track.subarray(0, n),
      relativeTimecode: this.relativeTimecode.subarray(0, n),
      timecode: this.timecode.subarray(0, n),
      timeMs: this.timeMs.subarray(0, n),
      flags: this.flags.subarray(0, n),
      lacing: this.lacing.subarray(0, n),
      frameCount: this.frameCount.subarray(0, n),
      offset: this.offset.subarray(0, n),
      payloadOffset: this.payloadOffset.subarray(0, n),
      payloadSize: this.payloadSize.subarray(0, n),
    };
  }

  /** Doubles the room (each column copied once). */
  grow(): void {
    this.capacity *= 2;
    const n = this.capacity;
    this.cluster = resized(this.cluster, new Uint32Array(n));
    this.track = resized(this.track, new Uint32Array(n));
    this.relativeTimecode = resized(this.relativeTimecode, new Int16Array(n));
    this.timecode = resized(this.timecode, new Float64Array(n));
    this.timeMs = resized(this.timeMs, new Float64Array(n));
    this.flags = resized(this.flags, new Uint8Array(n));
    this.lacing = resized(this.lacing, new Uint8Array(n));
    this.frameCount = resized(this.frameCount, new Uint16Array(n));
    this.offset = resized(this.offset, new Float64Array(n));
    this.payloadOffset = resized(this.payloadOffset, new Float64Array(n));
    this.payloadSize = resized(this.payloadSize, new Float64Array(n));
  }
}

function resized<T extends Uint8Array | Uint16Array | Uint32Array | Int16Array | Float64Array>(from: T, to: T): T {
  (to as Uint8Array).set(from as Uint8Array);
  return to;
}

export function emptyBlockTable(): BlockTable {
  return new BlockTableBuilder(16).table();
}
