// The in-memory index of one stream's fragments: one column (typed array) per field, one slot per
// fragment in append order (= sequence order = server-timestamp order), plus a permutation of the
// slots sorted by (producer timestamp, sequence number). About 72 bytes per fragment, no object per
// fragment; every look-up is a binary search.
import type { EntryHeader } from './format';

const INITIAL_CAPACITY = 1024;

export class FragmentIndex {
  /** Number of fragments (slots 0..length-1). */
  length = 0;
  private capacity = INITIAL_CAPACITY;

  seq = new Float64Array(INITIAL_CAPACITY);
  server = new Float64Array(INITIAL_CAPACITY);
  producer = new Float64Array(INITIAL_CAPACITY);
  timecode = new Float64Array(INITIAL_CAPACITY);
  duration = new Float64Array(INITIAL_CAPACITY);
  /** Byte offset of the fragment's entry header in its data file. */
  offset = new Float64Array(INITIAL_CAPACITY);
  size = new Uint32Array(INITIAL_CAPACITY);
  headerId = new Uint32Array(INITIAL_CAPACITY);
  trackMask = new Uint32Array(INITIAL_CAPACITY);
  payloadCrc = new Uint32Array(INITIAL_CAPACITY);
  /** Segment number of the data file that holds the fragment. */
  segment = new Uint32Array(INITIAL_CAPACITY);
  /** Slots in (producer timestamp, sequence number) order: byProducer[rank] = slot. */
  byProducer = new Uint32Array(INITIAL_CAPACITY);

  /**
   * Adds a fragment after the last one (its sequence number must be greater). With `keepProducerOrder`
   * false the producer permutation is left stale: call rebuildProducerOrder() after a bulk load.
   */
  push(entry: EntryHeader, segment: number, offset: number, keepProducerOrder = true): number {
    if (this.length === this.capacity) this.resize(this.capacity * 2);
    const slot = this.length;
    const previousServer = slot > 0 ? (this.server[slot - 1] ?? 0) : -Infinity;
    this.seq[slot] = entry.seq;
    // Server timestamps are non-decreasing by construction; holding it here keeps the search correct.
    this.server[slot] = Math.max(entry.serverTimestampMs, previousServer);
    this.producer[slot] = entry.producerTimestampMs;
    this.timecode[slot] = entry.clusterTimecode;
    this.duration[slot] = entry.durationMs;
    this.offset[slot] = offset;
    this.size[slot] = entry.sizeBytes;
    this.headerId[slot] = entry.headerId;
    this.trackMask[slot] = entry.trackMask;
    this.payloadCrc[slot] = entry.payloadCrc;
    this.segment[slot] = segment;
    this.length = slot + 1;
    if (keepProducerOrder) {
      // The newest fragment has the largest sequence number, so it goes after every equal timestamp.
      const rank = this.producerRank(entry.producerTimestampMs, Infinity, slot);
      if (rank < slot) this.byProducer.copyWithin(rank + 1, rank, slot);
      this.byProducer[rank] = slot;
    }
    return slot;
  }

  /** Forgets the slots from `length` on (only while loading, before rebuildProducerOrder). */
  truncate(length: number): void {
    this.length = Math.max(0, Math.min(this.length, length));
  }

  /**
   * Sorts the producer permutation from scratch (after bulk pushes): a bottom-up merge sort that
   * starts from the runs of non-decreasing producer timestamps, so it costs O(n log runs) — linear
   * for a producer that never restarted. Stable, so equal timestamps stay in sequence order.
   */
  rebuildProducerOrder(): void {
    const n = this.length;
    const producer = this.producer;
    let order = this.byProducer;
    // Run boundaries: starts[k] is the first slot of run k; starts[runs] = n.
    const starts: number[] = [0];
    order[0] = 0;
    for (let i = 1; i < n; i++) {
      order[i] = i;
      if ((producer[i] ?? 0) < (producer[i - 1] ?? 0)) starts.push(i);
    }
    starts.push(n);
    if (starts.length <= 2) return;
    let other = new Uint32Array(order.length);
    let bounds = starts;
    while (bounds.length > 2) {
      const merged: number[] = [0];
      for (let k = 0; k + 1 < bounds.length; k += 2) {
        const lo = bounds[k] ?? 0;
        const mid = bounds[k + 1] ?? n;
        const hi = bounds[k + 2] ?? mid;
        mergeRuns(order, other, producer, lo, mid, hi);
        merged.push(hi);
      }
      [order, other] = [other, order];
      bounds = merged;
    }
    this.byProducer = order;
  }

  /** Slot of the fragment with this sequence number, or -1. */
  slotOfSeq(seq: number): number {
    const slot = this.firstSlotAtOrAfterSeq(seq);
    return slot < this.length && this.seq[slot] === seq ? slot : -1;
  }

  /** First slot whose sequence number is >= seq (length when none). */
  firstSlotAtOrAfterSeq(seq: number): number {
    const s = this.seq;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((s[mid] ?? 0) < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First slot whose server timestamp is >= ts (length when none). */
  firstSlotAtOrAfterServer(ts: number): number {
    const s = this.server;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((s[mid] ?? 0) < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * First rank in the producer permutation whose (producer timestamp, sequence number) is >= (ts, seq),
   * looking at the first `count` ranks (all by default).
   */
  producerRank(ts: number, seq: number, count = this.length): number {
    const order = this.byProducer;
    const producer = this.producer;
    const seqs = this.seq;
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const slot = order[mid] ?? 0;
      const p = producer[slot] ?? 0;
      if (p < ts || (p === ts && (seqs[slot] ?? 0) < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Forgets the first n slots (retention); later slots move down by n. */
  dropFirst(n: number): void {
    if (n <= 0) return;
    const count = Math.min(n, this.length);
    const remaining = this.length - count;
    for (const column of this.columns()) column.copyWithin(0, count, this.length);
    const order = this.byProducer;
    let w = 0;
    for (let r = 0; r < this.length; r++) {
      const slot = order[r] ?? 0;
      if (slot >= count) order[w++] = slot - count;
    }
    this.length = remaining;
    if (this.capacity > INITIAL_CAPACITY && remaining < this.capacity / 4) {
      this.resize(Math.max(INITIAL_CAPACITY, remaining * 2));
    }
  }

  /** Bytes held by the columns (for tests and the benchmark). */
  get memoryBytes(): number {
    let total = 0;
    for (const column of this.columns()) total += column.byteLength;
    return total + this.byProducer.byteLength;
  }

  private columns(): (Float64Array | Uint32Array)[] {
    return [
      this.seq,
      this.server,
      this.producer,
      this.timecode,
      this.duration,
      this.offset,
      this.size,
      this.headerId,
      this.trackMask,
      this.payloadCrc,
      this.segment,
    ];
  }

  private resize(capacity: number): void {
    const grow64 = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(0, this.length));
      return b;
    };
    const grow32 = (a: Uint32Array): Uint32Array<ArrayBuffer> => {
      const b = new Uint32Array(capacity);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.seq = grow64(this.seq);
    this.server = grow64(this.server);
    this.producer = grow64(this.producer);
    this.timecode = grow64(this.timecode);
    this.duration = grow64(this.duration);
    this.offset = grow64(this.offset);
    this.size = grow32(this.size);
    this.headerId = grow32(this.headerId);
    this.trackMask = grow32(this.trackMask);
    this.payloadCrc = grow32(this.payloadCrc);
    this.segment = grow32(this.segment);
    this.byProducer = grow32(this.byProducer);
    this.capacity = capacity;
  }
}

/** Merges the sorted runs from[lo, mid) and from[mid, hi) into to[lo, hi) by producer timestamp, left first on ties. */
function mergeRuns(from: Uint32Array, to: Uint32Array, producer: Float64Array, lo: number, mid: number, hi: number): void {
  let i = lo;
  let j = mid;
  let k = lo;
  while (i < mid && j < hi) {
    const a = from[i] ?? 0;
    const b = from[j] ?? 0;
    if ((producer[b] ?? 0) < (producer[a] ?? 0)) {
      to[k++] = b;
      j++;
    } else {
      to[k++] = a;
      i++;
    }
  }
  while (i < mid) to[k++] = from[i++] ?? 0;
  while (j < hi) to[k++] = from[j++] ?? 0;
}
