import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields } from '../../bits/syntax';
import { readVuiPrefix } from '../vuiPrefix';
import { readH265Hrd } from './hrd';

/** E.2.1 vui_parameters() of H.265. */
export function readH265Vui(r: SyntaxReader, v: Fields, maxSubLayersMinus1: number): void {
  readVuiPrefix(r, v, 'matrix_coeffs');
  r.u(v, 'neutral_chroma_indication_flag', 1);
  r.u(v, 'field_seq_flag', 1);
  r.u(v, 'frame_field_info_present_flag', 1);
  if (r.u(v, 'default_display_window_flag', 1)) {
    r.ue(v, 'def_disp_win_left_offset');
    r.ue(v, 'def_disp_win_right_offset');
    r.ue(v, 'def_disp_win_top_offset');
    r.ue(v, 'def_disp_win_bottom_offset');
  }
  if (r.u(v, 'vui_timing_info_present_flag', 1)) {
    r.u(v, 'vui_num_units_in_tick', 32);
    r.u(v, 'vui_time_scale', 32);
    if (r.u(v, 'vui_poc_proportional_to_timing_flag', 1)) r.ue(v, 'vui_num_ticks_poc_diff_one_minus1');
    if (r.u(v, 'vui_hrd_parameters_present_flag', 1)) {
      const h: Fields = {};
      v.hrd_parameters = h;
      r.within('hrd_parameters', () => readH265Hrd(r, h, true, maxSubLayersMinus1));
    }
  }
  if (r.u(v, 'bitstream_restriction_flag', 1)) {
    r.u(v, 'tiles_fixed_structure_flag', 1);
    r.u(v, 'motion_vectors_over_pic_boundaries_flag', 1);
    r.u(v, 'restricted_ref_pic_lists_flag', 1);
    r.ue(v, 'min_spatial_segmentation_idc');
    r.ue(v, 'max_bytes_per_pic_denom');
    r.ue(v, 'max_bits_per_min_cu_denom');
    r.ue(v, 'log2_max_mv_length_horizontal');
    r.ue(v, 'log2_max_mv_length_vertical');
  }
}
