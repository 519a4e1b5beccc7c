/**
 * Emulation prevention (H.264/H.265 7.4.1): inside a NAL unit every 0x00 0x00 0x03 hides a 0x03 that
 * is not payload. The RBSP is the NAL unit with those bytes removed; `removed` keeps where they were
 * so that bit positions in the RBSP map back to byte offsets in the input.
 */
export interface Rbsp {
  bytes: Uint8Array;
  /** Ascending RBSP indices before which one emulation_prevention_three_byte was dropped. */
  removed: number[];
}

export function unescapeRbsp(raw: Uint8Array, start = 0, end = raw.length): Rbsp {
  const first = findEmulationPrevention(raw, start, end);
  if (first < 0) return { bytes: raw.subarray(start, end), removed: [] };
  const out = new Uint8Array(end - start);
  const removed: number[] = [];
  let n = 0;
  let zeros = 0;
  for (let i = start; i < end; i++) {
    const b = raw[i] ?? 0;
    if (zeros >= 2 && b === 3) {
      removed.push(n);
      zeros = 0;
      continue;
    }
    out[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return { bytes: out.subarray(0, n), removed };
}

/** Index of the first emulation-prevention byte (the 0x03) in raw[start, end), or -1. */
export function findEmulationPrevention(raw: Uint8Array, start = 0, end = raw.length): number {
  let zeros = 0;
  for (let i = start; i < end; i++) {
    const b = raw[i] ?? 0;
    if (zeros >= 2 && b === 3) return i;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return -1;
}

/** Maps an RBSP byte index to the index in the escaped bytes (relative to the same start). */
export function rawIndexOf(rbsp: Rbsp, rbspIndex: number): number {
  const removed = rbsp.removed;
  if (removed.length === 0) return rbspIndex;
  // count of entries <= rbspIndex (binary search: upper bound)
  let lo = 0;
  let hi = removed.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((removed[mid] ?? 0) <= rbspIndex) lo = mid + 1;
    else hi = mid;
  }
  return rbspIndex + lo;
}
