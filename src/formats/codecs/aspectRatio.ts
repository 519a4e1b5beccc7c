import type { Fields } from '../bits/syntax';

/** Table E-1 (aspect_ratio_idc 1..16); 255 is Extended_SAR. */
const SAR: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, 1],
  [12, 11],
  [10, 11],
  [16, 11],
  [40, 33],
  [24, 11],
  [20, 11],
  [32, 11],
  [80, 33],
  [18, 11],
  [15, 11],
  [64, 33],
  [160, 99],
  [4, 3],
  [3, 2],
  [2, 1],
];

/** w:h in lowest terms; undefined unless both are positive integers. */
export function reducedRatio(w: number, h: number): [number, number] | undefined {
  if (!Number.isSafeInteger(w) || !Number.isSafeInteger(h) || w <= 0 || h <= 0) return undefined;
  let a = w;
  let b = h;
  while (b !== 0) [a, b] = [b, a % b];
  return [w / a, h / a];
}

/** Sample aspect ratio from aspect_ratio_idc (Table E-1, shared by H.264 and H.265), undefined if unspecified. */
export function sampleAspectRatio(v: Fields): [number, number] | undefined {
  if (v.aspect_ratio_info_present_flag !== 1 || typeof v.aspect_ratio_idc !== 'number') return undefined;
  if (v.aspect_ratio_idc === 255) {
    if (typeof v.sar_width !== 'number' || typeof v.sar_height !== 'number' || v.sar_width === 0 || v.sar_height === 0) return undefined;
    return [v.sar_width, v.sar_height];
  }
  const sar = SAR[v.aspect_ratio_idc];
  if (!sar || sar[0] === 0) return undefined;
  return [sar[0], sar[1]];
}
