// The order of items of several lists (samples of several tracks) by their byte offset in the file.

/** A merge order of several lists: list `track[i]`, item `sample[i]`. */
export interface MergeOrder {
  length: number;
  track: Uint32Array;
  sample: Uint32Array;
}

/**
 * The items of all lists ordered by offset; equal offsets keep list order, then item order (a stable
 * sort of the lists one after the other). Lists already in offset order, the usual case, are merged in
 * one pass; otherwise all items are sorted.
 */
export function fileOrder(offsets: readonly Float64Array[]): MergeOrder {
  const length = offsets.reduce((total, list) => total + list.length, 0);
  const order: MergeOrder = { length, track: new Uint32Array(length), sample: new Uint32Array(length) };
  if (offsets.every(isSorted)) {
    const next = new Array<number>(offsets.length).fill(0);
    for (let i = 0; i < length; i++) {
      let best = -1;
      let bestOffset = Infinity;
      for (let t = 0; t < offsets.length; t++) {
        const list = offsets[t];
        const at = next[t] ?? 0;
        if (!list || at >= list.length) continue;
        const offset = list[at] ?? 0;
        if (best < 0 || offset < bestOffset) {
          best = t;
          bestOffset = offset;
        }
      }
      order.track[i] = best;
      order.sample[i] = next[best] ?? 0;
      next[best] = (next[best] ?? 0) + 1;
    }
    return order;
  }
  const all = new Float64Array(length);
  let i = 0;
  for (const [t, list] of offsets.entries()) {
    all.set(list, i);
    for (let k = 0; k < list.length; k++, i++) {
      order.track[i] = t;
      order.sample[i] = k;
    }
  }
  const sorted = Array.from({ length }, (_, k) => k).sort((a, b) => (all[a] ?? 0) - (all[b] ?? 0) || a - b);
  const track = order.track.slice();
  const sample = order.sample.slice();
  sorted.forEach((from, to) => {
    order.track[to] = track[from] ?? 0;
    order.sample[to] = sample[from] ?? 0;
  });
  return order;
}

function isSorted(list: Float64Array): boolean {
  for (let i = 1; i < list.length; i++) if ((list[i] ?? 0) < (list[i - 1] ?? 0)) return false;
  return true;
}
