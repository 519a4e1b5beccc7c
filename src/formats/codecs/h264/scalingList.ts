import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields, FieldValue } from '../../bits/syntax';

/** Tables 7-3 and 7-4, in the coded (zig-zag) order of scaling_list(). */
export const DEFAULT_4X4_INTRA = [6, 13, 13, 20, 20, 20, 28, 28, 28, 28, 32, 32, 32, 37, 37, 42];
export const DEFAULT_4X4_INTER = [10, 14, 14, 20, 20, 20, 24, 24, 24, 24, 27, 27, 27, 30, 30, 34];
export const DEFAULT_8X8_INTRA = [
  6, 10, 10, 13, 11, 13, 16, 16, 16, 16, 18, 18, 18, 18, 18, 23, 23, 23, 23, 23, 23, 25, 25, 25, 25, 25, 25, 25, 27, 27, 27, 27,
  27, 27, 27, 27, 29, 29, 29, 29, 29, 29, 29, 31, 31, 31, 31, 31, 31, 33, 33, 33, 33, 33, 36, 36, 36, 36, 38, 38, 38, 40, 40, 42,
];
export const DEFAULT_8X8_INTER = [
  9, 13, 13, 15, 13, 15, 17, 17, 17, 17, 19, 19, 19, 19, 19, 21, 21, 21, 21, 21, 21, 22, 22, 22, 22, 22, 22, 22, 24, 24, 24, 24,
  24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 25, 27, 27, 27, 27, 27, 27, 28, 28, 28, 28, 28, 30, 30, 30, 30, 32, 32, 32, 33, 33, 35,
];

/** Per list index: the decoded list, 'default' (UseDefaultScalingMatrixFlag), or null (not present). */
export type CodedScalingList = number[] | 'default' | null;

export interface H264ScalingMatrices {
  ScalingList4x4: number[][];
  ScalingList8x8: number[][];
}

/**
 * Reads `count` scaling-list entries (7.3.2.1.1 / 7.3.2.2): `${presentKey}[i]` flags, and the
 * delta_scale values of each present list as `delta_scale[i][j]` (null for lists not present).
 */
export function readH264ScalingLists(r: SyntaxReader, f: Fields, presentKey: string, count: number): CodedScalingList[] {
  const present: FieldValue[] = [];
  const deltas: FieldValue[] = [];
  f[presentKey] = present;
  f.delta_scale = deltas;
  const coded: CodedScalingList[] = [];
  for (let i = 0; i < count && r.ok; i++) {
    const flag = r.within(presentKey, () => r.u(present, i, 1));
    if (!flag) {
      deltas.push(null);
      coded.push(null);
      continue;
    }
    const size = i < 6 ? 16 : 64;
    const list: number[] = [];
    const d: FieldValue[] = [];
    deltas.push(d);
    let lastScale = 8;
    let nextScale = 8;
    let useDefault = false;
    r.within('delta_scale', () =>
      r.within(i, () => {
        for (let j = 0; j < size && r.ok; j++) {
          if (nextScale !== 0) {
            const delta = r.se(d, j);
            nextScale = (lastScale + delta + 256) % 256;
            useDefault = j === 0 && nextScale === 0;
          }
          list[j] = nextScale === 0 ? lastScale : nextScale;
          lastScale = list[j] ?? 0;
        }
      }),
    );
    coded.push(useDefault ? 'default' : list);
  }
  return coded;
}

/**
 * Table 7-2: the matrices in effect. Without `sequence` (an SPS) lists that are not present follow
 * fall-back rule A; with it (a PPS) rule B takes lists 0, 3, 6 and 7 from the sequence-level matrices.
 */
export function deriveH264ScalingMatrices(coded: CodedScalingList[], num8x8: number, sequence?: H264ScalingMatrices): H264ScalingMatrices {
  const lists: number[][] = [];
  const total = 6 + num8x8;
  for (let i = 0; i < total; i++) {
    const c = coded[i] ?? null;
    if (c === 'default') lists.push(defaultFor(i));
    else if (c !== null) lists.push(c);
    else if (i === 0 || i === 3 || i === 6 || i === 7) {
      const seq = sequence ? (i < 6 ? sequence.ScalingList4x4[i] : sequence.ScalingList8x8[i - 6]) : undefined;
      lists.push(seq ?? defaultFor(i));
    } else {
      // 4x4 lists fall back to the previous one; 8x8 lists to the one two places before (same Intra/Inter)
      lists.push(lists[i < 6 ? i - 1 : i - 2] ?? defaultFor(i));
    }
  }
  return { ScalingList4x4: lists.slice(0, 6), ScalingList8x8: lists.slice(6) };
}

function defaultFor(i: number): number[] {
  if (i < 6) return (i < 3 ? DEFAULT_4X4_INTRA : DEFAULT_4X4_INTER).slice();
  return ((i - 6) % 2 === 0 ? DEFAULT_8X8_INTRA : DEFAULT_8X8_INTER).slice();
}
