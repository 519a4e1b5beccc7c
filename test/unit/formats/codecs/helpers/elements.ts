import { BitWriter, escapeRbsp } from './bitWriter';

/** One syntax element of a hand-made parameter set: name, descriptor, value (and width for u(n)). */
export type Element = [name: string, kind: 'u' | 'ue' | 'se', value: number, bits?: number];

/** Writes the elements, rbsp_trailing_bits() and emulation prevention: a NAL unit as an encoder emits it. */
export function buildNal(elements: readonly Element[]): Uint8Array {
  const w = new BitWriter();
  for (const [, kind, value, bits] of elements) {
    if (kind === 'u') w.u(bits ?? 1, value);
    else if (kind === 'ue') w.ue(value);
    else w.se(value);
  }
  return escapeRbsp(w.trailing().bytes());
}

export const u = (name: string, bits: number, value: number): Element => [name, 'u', value, bits];
export const ue = (name: string, value: number): Element => [name, 'ue', value];
export const se = (name: string, value: number): Element => [name, 'se', value];
export const flag = (name: string, value: number | boolean): Element => [name, 'u', value ? 1 : 0, 1];

/** scaling_list() deltas that code `list` (stopping early where the rest repeats), or the default marker. */
export function scalingListDeltas(name: string, list: number[] | 'default'): Element[] {
  if (list === 'default') return [se(name, -8)];
  const out: Element[] = [];
  let last = 8;
  for (let j = 0; j < list.length; j++) {
    const v = list[j] ?? 0;
    if (list.slice(j).every((x) => x === last) && j > 0) {
      out.push(se(name, ((0 - last + 384) % 256) - 128));
      return out;
    }
    let delta = (v - last + 256) % 256;
    if (delta > 127) delta -= 256;
    out.push(se(name, delta));
    last = v;
  }
  return out;
}
