import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields, FieldValue } from '../../bits/syntax';

/** The reference picture set an st_ref_pic_set() describes (7.4.8). */
export interface H265StRps {
  NumNegativePics: number;
  NumPositivePics: number;
  DeltaPocS0: number[];
  UsedByCurrPicS0: number[];
  DeltaPocS1: number[];
  UsedByCurrPicS1: number[];
}

/** MaxDpbSize is at most 16 (A.4.2), so no set may list more pictures. */
const MAX_PICS = 16;

/**
 * 7.3.7 st_ref_pic_set(stRpsIdx) as it appears in an SPS (delta_idx_minus1 is only coded in slice
 * headers). `previous` holds the sets already decoded, for inter RPS prediction.
 */
export function readStRefPicSet(r: SyntaxReader, s: Fields, idx: number, previous: readonly H265StRps[]): H265StRps | undefined {
  let inter = 0;
  if (idx !== 0) inter = r.u(s, 'inter_ref_pic_set_prediction_flag', 1);
  if (inter) {
    const ref = previous[idx - 1];
    const sign = r.u(s, 'delta_rps_sign', 1);
    const absMinus1 = r.ue(s, 'abs_delta_rps_minus1');
    if (absMinus1 > 32767) {
      r.invalid('abs_delta_rps_minus1', `is ${absMinus1}; the range is 0..32767`);
      return undefined;
    }
    if (!ref || !r.ok) return undefined;
    const deltaRps = (1 - 2 * sign) * (absMinus1 + 1);
    const numDelta = ref.NumNegativePics + ref.NumPositivePics;
    const used: number[] = [];
    const useDelta: FieldValue[] = [];
    s.used_by_curr_pic_flag = used;
    s.use_delta_flag = useDelta;
    const useDeltaOf: number[] = [];
    for (let j = 0; j <= numDelta && r.ok; j++) {
      const u = r.within('used_by_curr_pic_flag', () => r.u(used, j, 1));
      let d = 1; // inferred 1 when absent
      if (!u) d = r.within('use_delta_flag', () => r.u(useDelta, j, 1));
      else useDelta[j] = null; // absent: keeps indices aligned with used_by_curr_pic_flag
      useDeltaOf[j] = d;
    }
    if (!r.ok) return undefined;
    return predict(ref, deltaRps, used, useDeltaOf);
  }
  const neg = r.ue(s, 'num_negative_pics');
  if (neg > MAX_PICS) {
    r.invalid('num_negative_pics', `is ${neg}; a DPB holds at most ${MAX_PICS} pictures`);
    return undefined;
  }
  const pos = r.ue(s, 'num_positive_pics');
  if (neg + pos > MAX_PICS) {
    r.invalid('num_positive_pics', `is ${pos}; with ${neg} negative pictures that exceeds the ${MAX_PICS} a DPB holds`);
    return undefined;
  }
  const rps: H265StRps = { NumNegativePics: neg, NumPositivePics: pos, DeltaPocS0: [], UsedByCurrPicS0: [], DeltaPocS1: [], UsedByCurrPicS1: [] };
  const d0: number[] = [];
  const u0: number[] = [];
  const d1: number[] = [];
  const u1: number[] = [];
  s.delta_poc_s0_minus1 = d0;
  s.used_by_curr_pic_s0_flag = u0;
  s.delta_poc_s1_minus1 = d1;
  s.used_by_curr_pic_s1_flag = u1;
  let poc = 0;
  for (let i = 0; i < neg && r.ok; i++) {
    poc -= r.within('delta_poc_s0_minus1', () => r.ue(d0, i)) + 1;
    rps.DeltaPocS0.push(poc);
    rps.UsedByCurrPicS0.push(r.within('used_by_curr_pic_s0_flag', () => r.u(u0, i, 1)));
  }
  poc = 0;
  for (let i = 0; i < pos && r.ok; i++) {
    poc += r.within('delta_poc_s1_minus1', () => r.ue(d1, i)) + 1;
    rps.DeltaPocS1.push(poc);
    rps.UsedByCurrPicS1.push(r.within('used_by_curr_pic_s1_flag', () => r.u(u1, i, 1)));
  }
  return r.ok ? rps : undefined;
}

/** 7-61 and 7-62: a set predicted from the previous one. */
function predict(ref: H265StRps, deltaRps: number, used: number[], useDelta: number[]): H265StRps {
  const out: H265StRps = { NumNegativePics: 0, NumPositivePics: 0, DeltaPocS0: [], UsedByCurrPicS0: [], DeltaPocS1: [], UsedByCurrPicS1: [] };
  const numDelta = ref.NumNegativePics + ref.NumPositivePics;
  const at = (a: number[], i: number): number => a[i] ?? 0;
  for (let j = ref.NumPositivePics - 1; j >= 0; j--) {
    const dPoc = at(ref.DeltaPocS1, j) + deltaRps;
    if (dPoc < 0 && at(useDelta, ref.NumNegativePics + j)) {
      out.DeltaPocS0.push(dPoc);
      out.UsedByCurrPicS0.push(at(used, ref.NumNegativePics + j));
    }
  }
  if (deltaRps < 0 && at(useDelta, numDelta)) {
    out.DeltaPocS0.push(deltaRps);
    out.UsedByCurrPicS0.push(at(used, numDelta));
  }
  for (let j = 0; j < ref.NumNegativePics; j++) {
    const dPoc = at(ref.DeltaPocS0, j) + deltaRps;
    if (dPoc < 0 && at(useDelta, j)) {
      out.DeltaPocS0.push(dPoc);
      out.UsedByCurrPicS0.push(at(used, j));
    }
  }
  for (let j = ref.NumNegativePics - 1; j >= 0; j--) {
    const dPoc = at(ref.DeltaPocS0, j) + deltaRps;
    if (dPoc > 0 && at(useDelta, j)) {
      out.DeltaPocS1.push(dPoc);
      out.UsedByCurrPicS1.push(at(used, j));
    }
  }
  if (deltaRps > 0 && at(useDelta, numDelta)) {
    out.DeltaPocS1.push(deltaRps);
    out.UsedByCurrPicS1.push(at(used, numDelta));
  }
  for (let j = 0; j < ref.NumPositivePics; j++) {
    const dPoc = at(ref.DeltaPocS1, j) + deltaRps;
    if (dPoc > 0 && at(useDelta, ref.NumNegativePics + j)) {
      out.DeltaPocS1.push(dPoc);
      out.UsedByCurrPicS1.push(at(used, ref.NumNegativePics + j));
    }
  }
  out.NumNegativePics = out.DeltaPocS0.length;
  out.NumPositivePics = out.DeltaPocS1.length;
  return out;
}
