import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields, FieldValue } from '../../bits/syntax';

/** Table 7-6 default lists for sizeId 1..3 (the 4x4 default of Table 7-5 is flat 16). */
const DEFAULT_INTRA = [
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 17, 16, 17, 16, 17, 18, 17, 18, 18, 17, 18, 21, 19, 20, 21, 20, 19, 21, 24, 22, 22, 24,
  24, 22, 22, 24, 25, 25, 27, 30, 27, 25, 25, 29, 31, 35, 35, 31, 29, 36, 41, 44, 41, 36, 47, 54, 54, 47, 65, 70, 65, 88, 88, 115,
];
const DEFAULT_INTER = [
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 17, 18, 18, 18, 18, 18, 18, 20, 20, 20, 20, 20, 20, 20, 24, 24, 24, 24,
  24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 25, 28, 28, 28, 28, 28, 28, 33, 33, 33, 33, 33, 41, 41, 41, 41, 54, 54, 54, 71, 71, 91,
];

export interface H265ScalingLists {
  /** ScalingList[sizeId][matrixId][i] in coded (up-right diagonal) order; null where not coded. */
  ScalingList: (number[] | null)[][];
  /** DC values of the 16x16 and 32x32 lists: [sizeId − 2][matrixId]. */
  dc: (number | null)[][];
}

function grid(rows: number, cols: number): FieldValue[][] {
  return Array.from({ length: rows }, () => new Array<FieldValue>(cols).fill(null));
}

/** 7.3.4 scaling_list_data() into `s`, with the resulting lists (7.4.5). */
export function readH265ScalingListData(r: SyntaxReader, s: Fields): H265ScalingLists {
  const predMode = grid(4, 6);
  const predDelta = grid(4, 6);
  const dcCoef = grid(2, 6);
  const deltaCoef = grid(4, 6);
  s.scaling_list_pred_mode_flag = predMode;
  s.scaling_list_pred_matrix_id_delta = predDelta;
  s.scaling_list_dc_coef_minus8 = dcCoef;
  s.scaling_list_delta_coef = deltaCoef;
  const lists: (number[] | null)[][] = Array.from({ length: 4 }, () => new Array<number[] | null>(6).fill(null));
  const dc: (number | null)[][] = [new Array<number | null>(6).fill(null), new Array<number | null>(6).fill(null)];
  for (let sizeId = 0; sizeId < 4 && r.ok; sizeId++) {
    const coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
    for (let matrixId = 0; matrixId < 6 && r.ok; matrixId += sizeId === 3 ? 3 : 1) {
      const at = <T>(name: string, fn: () => T): T => r.within(name, () => r.within(sizeId, fn));
      const mode = at('scaling_list_pred_mode_flag', () => r.u(predMode[sizeId] ?? [], matrixId, 1));
      if (!r.ok) break;
      if (!mode) {
        const delta = at('scaling_list_pred_matrix_id_delta', () => r.ue(predDelta[sizeId] ?? [], matrixId));
        const refMatrixId = matrixId - delta * (sizeId === 3 ? 3 : 1);
        if (refMatrixId < 0) {
          at('scaling_list_pred_matrix_id_delta', () => r.invalid(matrixId, `is ${delta}; it refers before the first matrix`));
          break;
        }
        const row = lists[sizeId] ?? [];
        if (delta === 0) {
          row[matrixId] = defaultList(sizeId, matrixId);
          if (sizeId > 1) (dc[sizeId - 2] ?? [])[matrixId] = 16;
        } else {
          row[matrixId] = row[refMatrixId]?.slice() ?? null;
          if (sizeId > 1) (dc[sizeId - 2] ?? [])[matrixId] = dc[sizeId - 2]?.[refMatrixId] ?? null;
        }
        continue;
      }
      let nextCoef = 8;
      if (sizeId > 1) {
        const dcMinus8 = r.within('scaling_list_dc_coef_minus8', () => r.within(sizeId - 2, () => r.se(dcCoef[sizeId - 2] ?? [], matrixId)));
        nextCoef = dcMinus8 + 8;
        (dc[sizeId - 2] ?? [])[matrixId] = nextCoef;
      }
      const coefs: number[] = [];
      const deltas: number[] = [];
      (deltaCoef[sizeId] ?? [])[matrixId] = deltas;
      r.within('scaling_list_delta_coef', () =>
        r.within(sizeId, () =>
          r.within(matrixId, () => {
            for (let i = 0; i < coefNum && r.ok; i++) {
              nextCoef = (nextCoef + r.se(deltas, i) + 256) % 256;
              coefs.push(nextCoef);
            }
          }),
        ),
      );
      (lists[sizeId] ?? [])[matrixId] = coefs;
    }
  }
  return { ScalingList: lists, dc };
}

function defaultList(sizeId: number, matrixId: number): number[] {
  if (sizeId === 0) return new Array<number>(16).fill(16);
  return (matrixId < 3 ? DEFAULT_INTRA : DEFAULT_INTER).slice();
}
