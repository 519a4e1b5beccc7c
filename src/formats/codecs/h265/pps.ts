import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields } from '../../bits/syntax';
import { issue } from '../../issues';
import type { Issue } from '../../issues';
import { openNal, stopIssues, trailingBitsIssues, wrongNalIssue } from '../nalSyntax';
import type { ParsedSyntax } from '../nalSyntax';
import { describeH265Nal, readH265NalHeader } from './nalHeader';
import { H265_NAL } from './nalTypes';
import { readH265ScalingListData } from './scalingList';
import type { H265ScalingLists } from './scalingList';

export interface H265PpsDerived {
  pps_pic_parameter_set_id?: number;
  pps_seq_parameter_set_id?: number;
  /** hvcC parallelismType this PPS suggests: 0 mixed/unknown, 1 slices, 2 tiles, 3 wavefront (entropy sync). */
  parallelismType?: number;
  scalingLists?: H265ScalingLists;
}

export type H265Pps = ParsedSyntax<H265PpsDerived>;

const CODE = 'HEVC_PPS';
const WHAT = 'H.265 PPS';

/** Decodes an H.265 picture parameter set (7.3.2.3); the range extension is decoded, later extensions are not. */
export function parseH265Pps(nal: Uint8Array, baseOffset = 0): H265Pps {
  const r = openNal(nal, baseOffset);
  const f: Fields = {};
  const issues: Issue[] = [];
  const d: H265PpsDerived = {};
  const result: H265Pps = { fields: f, derived: d, locations: r.locations, issues, offset: baseOffset, length: nal.length };
  const type = readH265NalHeader(r, f);
  if (r.ok && type !== H265_NAL.PPS) {
    issues.push(wrongNalIssue(CODE, 'a PPS (nal_unit_type 34)', describeH265Nal(nal, type), baseOffset));
    return result;
  }
  const undecoded = readBody(r, f, d);
  issues.push(...stopIssues(r, CODE, WHAT));
  if (undecoded) issues.push(issue('info', `${CODE}_EXTENSION`, `The PPS has a ${undecoded} that is not decoded; the fields before it are complete.`, baseOffset));
  else issues.push(...trailingBitsIssues(r, CODE, WHAT));
  if (typeof f.pps_pic_parameter_set_id === 'number') d.pps_pic_parameter_set_id = f.pps_pic_parameter_set_id;
  if (typeof f.pps_seq_parameter_set_id === 'number') d.pps_seq_parameter_set_id = f.pps_seq_parameter_set_id;
  if (f.entropy_coding_sync_enabled_flag !== undefined) {
    const tiles = f.tiles_enabled_flag === 1;
    const sync = f.entropy_coding_sync_enabled_flag === 1;
    d.parallelismType = tiles && sync ? 0 : tiles ? 2 : sync ? 3 : 1;
  }
  return result;
}

function readBody(r: SyntaxReader, f: Fields, d: H265PpsDerived): string {
  const ppsId = r.ue(f, 'pps_pic_parameter_set_id');
  if (ppsId > 63) {
    r.invalid('pps_pic_parameter_set_id', `is ${ppsId}; the range is 0..63`);
    return '';
  }
  const spsId = r.ue(f, 'pps_seq_parameter_set_id');
  if (spsId > 15) {
    r.invalid('pps_seq_parameter_set_id', `is ${spsId}; the range is 0..15`);
    return '';
  }
  r.u(f, 'dependent_slice_segments_enabled_flag', 1);
  r.u(f, 'output_flag_present_flag', 1);
  r.u(f, 'num_extra_slice_header_bits', 3);
  r.u(f, 'sign_data_hiding_enabled_flag', 1);
  r.u(f, 'cabac_init_present_flag', 1);
  r.ue(f, 'num_ref_idx_l0_default_active_minus1');
  r.ue(f, 'num_ref_idx_l1_default_active_minus1');
  r.se(f, 'init_qp_minus26');
  r.u(f, 'constrained_intra_pred_flag', 1);
  const transformSkip = r.u(f, 'transform_skip_enabled_flag', 1);
  if (r.u(f, 'cu_qp_delta_enabled_flag', 1)) r.ue(f, 'diff_cu_qp_delta_depth');
  r.se(f, 'pps_cb_qp_offset');
  r.se(f, 'pps_cr_qp_offset');
  r.u(f, 'pps_slice_chroma_qp_offsets_present_flag', 1);
  r.u(f, 'weighted_pred_flag', 1);
  r.u(f, 'weighted_bipred_flag', 1);
  r.u(f, 'transquant_bypass_enabled_flag', 1);
  const tiles = r.u(f, 'tiles_enabled_flag', 1);
  r.u(f, 'entropy_coding_sync_enabled_flag', 1);
  if (tiles) {
    const cols = r.ue(f, 'num_tile_columns_minus1');
    const rows = r.ue(f, 'num_tile_rows_minus1');
    if (cols > 255 || rows > 255) {
      r.invalid(cols > 255 ? 'num_tile_columns_minus1' : 'num_tile_rows_minus1', `is ${Math.max(cols, rows)}; no level allows that many tiles`);
      return '';
    }
    if (!r.u(f, 'uniform_spacing_flag', 1)) {
      const widths: number[] = [];
      const heights: number[] = [];
      f.column_width_minus1 = widths;
      f.row_height_minus1 = heights;
      for (let i = 0; i < cols && r.ok; i++) r.within('column_width_minus1', () => r.ue(widths, i));
      for (let i = 0; i < rows && r.ok; i++) r.within('row_height_minus1', () => r.ue(heights, i));
    }
    r.u(f, 'loop_filter_across_tiles_enabled_flag', 1);
  }
  r.u(f, 'pps_loop_filter_across_slices_enabled_flag', 1);
  if (r.u(f, 'deblocking_filter_control_present_flag', 1)) {
    r.u(f, 'deblocking_filter_override_enabled_flag', 1);
    if (!r.u(f, 'pps_deblocking_filter_disabled_flag', 1)) {
      r.se(f, 'pps_beta_offset_div2');
      r.se(f, 'pps_tc_offset_div2');
    }
  }
  if (r.u(f, 'pps_scaling_list_data_present_flag', 1)) {
    const s: Fields = {};
    f.scaling_list_data = s;
    d.scalingLists = r.within('scaling_list_data', () => readH265ScalingListData(r, s));
  }
  r.u(f, 'lists_modification_present_flag', 1);
  r.ue(f, 'log2_parallel_merge_level_minus2');
  r.u(f, 'slice_segment_header_extension_present_flag', 1);
  if (!r.u(f, 'pps_extension_present_flag', 1)) return '';
  const range = r.u(f, 'pps_range_extension_flag', 1);
  const multilayer = r.u(f, 'pps_multilayer_extension_flag', 1);
  const ext3d = r.u(f, 'pps_3d_extension_flag', 1);
  const scc = r.u(f, 'pps_scc_extension_flag', 1);
  const ext4 = r.u(f, 'pps_extension_4bits', 4);
  if (range) {
    const e: Fields = {};
    f.pps_range_extension = e;
    r.within('pps_range_extension', () => readRangeExtension(r, e, transformSkip === 1));
  }
  if (multilayer) return 'pps_multilayer_extension';
  if (ext3d) return 'pps_3d_extension';
  if (scc) return 'pps_scc_extension';
  if (ext4) return 'pps_extension_data';
  return '';
}

/** 7.3.2.3.2 pps_range_extension(). */
function readRangeExtension(r: SyntaxReader, e: Fields, transformSkip: boolean): void {
  if (transformSkip) r.ue(e, 'log2_max_transform_skip_block_size_minus2');
  r.u(e, 'cross_component_prediction_enabled_flag', 1);
  if (r.u(e, 'chroma_qp_offset_list_enabled_flag', 1)) {
    r.ue(e, 'diff_cu_chroma_qp_offset_depth');
    const len = r.ue(e, 'chroma_qp_offset_list_len_minus1');
    if (len > 5) return r.invalid('chroma_qp_offset_list_len_minus1', `is ${len}; the range is 0..5`);
    const cb: number[] = [];
    const cr: number[] = [];
    e.cb_qp_offset_list = cb;
    e.cr_qp_offset_list = cr;
    for (let i = 0; i <= len && r.ok; i++) {
      r.within('cb_qp_offset_list', () => r.se(cb, i));
      r.within('cr_qp_offset_list', () => r.se(cr, i));
    }
  }
  r.ue(e, 'log2_sao_offset_scale_luma');
  r.ue(e, 'log2_sao_offset_scale_chroma');
}
