import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields } from '../../bits/syntax';
import { readVuiPrefix } from '../vuiPrefix';

export interface HrdSummary {
  /** Per SchedSelIdx: BitRate (E-37) in bit/s, CpbSize (E-38) in bits, cbr_flag. */
  schedules: { bitRate: number; cpbSize: number; cbr: boolean }[];
}

/** E.1.2 hrd_parameters(). */
export function readH264Hrd(r: SyntaxReader, h: Fields): void {
  const cpbCnt = r.ue(h, 'cpb_cnt_minus1');
  if (cpbCnt > 31) return r.invalid('cpb_cnt_minus1', `is ${cpbCnt}; the range is 0..31`);
  r.u(h, 'bit_rate_scale', 4);
  r.u(h, 'cpb_size_scale', 4);
  const bitRate: number[] = [];
  const cpbSize: number[] = [];
  const cbr: number[] = [];
  h.bit_rate_value_minus1 = bitRate;
  h.cpb_size_value_minus1 = cpbSize;
  h.cbr_flag = cbr;
  for (let i = 0; i <= cpbCnt && r.ok; i++) {
    r.within('bit_rate_value_minus1', () => r.ue(bitRate, i));
    r.within('cpb_size_value_minus1', () => r.ue(cpbSize, i));
    r.within('cbr_flag', () => r.u(cbr, i, 1));
  }
  r.u(h, 'initial_cpb_removal_delay_length_minus1', 5);
  r.u(h, 'cpb_removal_delay_length_minus1', 5);
  r.u(h, 'dpb_output_delay_length_minus1', 5);
  r.u(h, 'time_offset_length', 5);
}

export function summarizeH264Hrd(h: Fields): HrdSummary {
  const bitRateScale = typeof h.bit_rate_scale === 'number' ? h.bit_rate_scale : 0;
  const cpbSizeScale = typeof h.cpb_size_scale === 'number' ? h.cpb_size_scale : 0;
  const rates = Array.isArray(h.bit_rate_value_minus1) ? h.bit_rate_value_minus1 : [];
  const sizes = Array.isArray(h.cpb_size_value_minus1) ? h.cpb_size_value_minus1 : [];
  const cbrs = Array.isArray(h.cbr_flag) ? h.cbr_flag : [];
  const schedules: HrdSummary['schedules'] = [];
  for (let i = 0; i < rates.length; i++) {
    const rate = rates[i];
    const size = sizes[i];
    if (typeof rate !== 'number' || typeof size !== 'number') break;
    schedules.push({ bitRate: (rate + 1) * 2 ** (6 + bitRateScale), cpbSize: (size + 1) * 2 ** (4 + cpbSizeScale), cbr: cbrs[i] === 1 });
  }
  return { schedules };
}

/** E.1.1 vui_parameters(). */
export function readH264Vui(r: SyntaxReader, v: Fields): void {
  readVuiPrefix(r, v, 'matrix_coefficients');
  if (r.u(v, 'timing_info_present_flag', 1)) {
    r.u(v, 'num_units_in_tick', 32);
    r.u(v, 'time_scale', 32);
    r.u(v, 'fixed_frame_rate_flag', 1);
  }
  const nal = r.u(v, 'nal_hrd_parameters_present_flag', 1);
  if (nal) {
    const h: Fields = {};
    v.nal_hrd_parameters = h;
    r.within('nal_hrd_parameters', () => readH264Hrd(r, h));
  }
  const vcl = r.u(v, 'vcl_hrd_parameters_present_flag', 1);
  if (vcl) {
    const h: Fields = {};
    v.vcl_hrd_parameters = h;
    r.within('vcl_hrd_parameters', () => readH264Hrd(r, h));
  }
  if (nal || vcl) r.u(v, 'low_delay_hrd_flag', 1);
  r.u(v, 'pic_struct_present_flag', 1);
  if (r.u(v, 'bitstream_restriction_flag', 1)) {
    r.u(v, 'motion_vectors_over_pic_boundaries_flag', 1);
    r.ue(v, 'max_bytes_per_pic_denom');
    r.ue(v, 'max_bits_per_mb_denom');
    r.ue(v, 'log2_max_mv_length_horizontal');
    r.ue(v, 'log2_max_mv_length_vertical');
    r.ue(v, 'max_num_reorder_frames');
    r.ue(v, 'max_dec_frame_buffering');
  }
}
