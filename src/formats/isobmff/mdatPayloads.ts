// Where sample data lies: the payloads of a file's top-level mdats, in file order (so they do not
// overlap), searched by halving, as a long file has thousands of mdats and a damaged one may place every
// sample outside them.

/** An mdat's payload: the file's bytes [start, end). */
export interface Payload {
  start: number;
  end: number;
}

/** Data [start, end) starts inside the payload (an empty run may sit at its very end). */
export function holds(payload: Payload, start: number, end: number): boolean {
  return start >= payload.start && (start < payload.end || (start === payload.end && end === start));
}

/** The payload where data [start, end) starts, if any. */
export function payloadAt(payloads: readonly Payload[], start: number, end: number): Payload | undefined {
  let lo = 0;
  let hi = payloads.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const payload = payloads[mid];
    if (!payload) break;
    if (start < payload.start) hi = mid - 1;
    else if (holds(payload, start, end)) return payload;
    else lo = mid + 1;
  }
  return undefined;
}

/** The first payload that starts after `offset`, if any. */
export function payloadAfter(payloads: readonly Payload[], offset: number): Payload | undefined {
  let lo = 0;
  let hi = payloads.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((payloads[mid]?.start ?? Infinity) > offset) hi = mid;
    else lo = mid + 1;
  }
  return payloads[lo];
}
