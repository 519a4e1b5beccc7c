import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields } from '../../bits/syntax';
import { issue } from '../../issues';
import type { Issue } from '../../issues';
import { openNal, stopIssues, trailingBitsIssues, wrongNalIssue } from '../nalSyntax';
import type { ParsedSyntax } from '../nalSyntax';
import { H264_NAL } from './nalTypes';
import { deriveH264ScalingMatrices, readH264ScalingLists } from './scalingList';
import type { CodedScalingList, H264ScalingMatrices } from './scalingList';
import { describeH264Nal, readH264NalHeader } from './sps';
import type { H264Sps } from './sps';

export interface H264PpsDerived {
  pic_parameter_set_id?: number;
  seq_parameter_set_id?: number;
  entropyCoding?: 'CABAC' | 'CAVLC';
  /** Matrices in effect for pictures using this PPS (fall-back rule B over the SPS), when a scaling matrix is coded. */
  scalingMatrices?: H264ScalingMatrices;
}

export type H264Pps = ParsedSyntax<H264PpsDerived>;

const WHAT = 'H.264 PPS';
const CODE = 'H264_PPS';

/**
 * Decodes an H.264 picture parameter set (7.3.2.2). The SPS it refers to supplies chroma_format_idc (the
 * number of 8x8 scaling lists); pass one SPS or all known ones (matched by seq_parameter_set_id).
 */
export function parseH264Pps(nal: Uint8Array, baseOffset = 0, sps?: H264Sps | readonly H264Sps[]): H264Pps {
  const r = openNal(nal, baseOffset);
  const f: Fields = {};
  const issues: Issue[] = [];
  const derived: H264PpsDerived = {};
  const result: H264Pps = { fields: f, derived, locations: r.locations, issues, offset: baseOffset, length: nal.length };
  const type = readH264NalHeader(r, f);
  if (r.ok && type !== H264_NAL.PPS) {
    issues.push(wrongNalIssue(CODE, 'a PPS (nal_unit_type 8)', describeH264Nal(nal, type), baseOffset));
    return result;
  }
  const ppsId = r.ue(f, 'pic_parameter_set_id');
  const spsId = r.ue(f, 'seq_parameter_set_id');
  if (ppsId > 255) r.invalid('pic_parameter_set_id', `is ${ppsId}; the range is 0..255`);
  if (spsId > 31) r.invalid('seq_parameter_set_id', `is ${spsId}; the range is 0..31`);
  const refSps = pickSps(sps, spsId);
  const scaling = readBody(r, f, refSps, issues, baseOffset);
  const mapUnits = refSps ? picSizeInMapUnits(refSps) : undefined;
  if (typeof f.pic_size_in_map_units_minus1 === 'number' && mapUnits !== undefined && f.pic_size_in_map_units_minus1 !== mapUnits - 1) {
    const at = r.locations.find((l) => l.path === 'pic_size_in_map_units_minus1')?.byteOffset ?? baseOffset;
    issues.push(issue('warning', `${CODE}_MAP_UNITS`, `pic_size_in_map_units_minus1 is ${f.pic_size_in_map_units_minus1}; the SPS has ${mapUnits} map units.`, at));
  }
  issues.push(...stopIssues(r, CODE, WHAT), ...trailingBitsIssues(r, CODE, WHAT));

  if (f.pic_parameter_set_id !== undefined) derived.pic_parameter_set_id = ppsId;
  if (f.seq_parameter_set_id !== undefined) derived.seq_parameter_set_id = spsId;
  if (f.entropy_coding_mode_flag !== undefined) derived.entropyCoding = f.entropy_coding_mode_flag === 1 ? 'CABAC' : 'CAVLC';
  if (scaling && f.second_chroma_qp_index_offset !== undefined) {
    const num8x8 = f.transform_8x8_mode_flag === 1 ? ((refSps?.derived.chroma_format_idc ?? 1) === 3 ? 6 : 2) : 0;
    derived.scalingMatrices = deriveH264ScalingMatrices(scaling, num8x8, refSps?.derived.scalingMatrices);
  }
  return result;
}

/** PicWidthInMbs × PicHeightInMapUnits (7-13..7-17). */
function picSizeInMapUnits(sps: H264Sps): number | undefined {
  const w = sps.fields.pic_width_in_mbs_minus1;
  const h = sps.fields.pic_height_in_map_units_minus1;
  return typeof w === 'number' && typeof h === 'number' ? (w + 1) * (h + 1) : undefined;
}

function pickSps(sps: H264Sps | readonly H264Sps[] | undefined, id: number): H264Sps | undefined {
  if (!sps) return undefined;
  if (!Array.isArray(sps)) return sps as H264Sps;
  return (sps as readonly H264Sps[]).find((s) => s.derived.seq_parameter_set_id === id);
}

function readBody(r: SyntaxReader, f: Fields, sps: H264Sps | undefined, issues: Issue[], offset: number): CodedScalingList[] | undefined {
  r.u(f, 'entropy_coding_mode_flag', 1);
  r.u(f, 'bottom_field_pic_order_in_frame_present_flag', 1);
  const groups = r.ue(f, 'num_slice_groups_minus1');
  if (groups > 7) {
    r.invalid('num_slice_groups_minus1', `is ${groups}; the range is 0..7`);
    return undefined;
  }
  if (groups > 0) readSliceGroups(r, f, groups);
  r.ue(f, 'num_ref_idx_l0_default_active_minus1');
  r.ue(f, 'num_ref_idx_l1_default_active_minus1');
  r.u(f, 'weighted_pred_flag', 1);
  r.u(f, 'weighted_bipred_idc', 2);
  r.se(f, 'pic_init_qp_minus26');
  r.se(f, 'pic_init_qs_minus26');
  r.se(f, 'chroma_qp_index_offset');
  r.u(f, 'deblocking_filter_control_present_flag', 1);
  r.u(f, 'constrained_intra_pred_flag', 1);
  r.u(f, 'redundant_pic_cnt_present_flag', 1);
  if (!r.ok || !r.bits.moreRbspData()) return undefined;
  const t8x8 = r.u(f, 'transform_8x8_mode_flag', 1);
  let scaling: CodedScalingList[] | undefined;
  if (r.u(f, 'pic_scaling_matrix_present_flag', 1)) {
    if (t8x8 && !sps) {
      issues.push(issue('info', `${CODE}_SPS_UNKNOWN`, 'The PPS codes 8x8 scaling lists but its SPS is not known; chroma_format_idc 1 (4:2:0) was assumed for their number.', offset));
    }
    const chroma = sps?.derived.chroma_format_idc ?? 1;
    scaling = readH264ScalingLists(r, f, 'pic_scaling_list_present_flag', 6 + (chroma !== 3 ? 2 : 6) * t8x8);
  }
  r.se(f, 'second_chroma_qp_index_offset');
  return scaling;
}

function readSliceGroups(r: SyntaxReader, f: Fields, groups: number): void {
  const mapType = r.ue(f, 'slice_group_map_type');
  if (mapType === 0) {
    const run: number[] = [];
    f.run_length_minus1 = run;
    r.within('run_length_minus1', () => {
      for (let i = 0; i <= groups && r.ok; i++) r.ue(run, i);
    });
  } else if (mapType === 2) {
    const topLeft: number[] = [];
    const bottomRight: number[] = [];
    f.top_left = topLeft;
    f.bottom_right = bottomRight;
    for (let i = 0; i < groups && r.ok; i++) {
      r.within('top_left', () => r.ue(topLeft, i));
      r.within('bottom_right', () => r.ue(bottomRight, i));
    }
  } else if (mapType >= 3 && mapType <= 5) {
    r.u(f, 'slice_group_change_direction_flag', 1);
    r.ue(f, 'slice_group_change_rate_minus1');
  } else if (mapType === 6) {
    const size = r.ue(f, 'pic_size_in_map_units_minus1');
    // Level 6.2 allows 139264 macroblocks per frame; anything above is not a real stream.
    if (size >= 139264) return r.invalid('pic_size_in_map_units_minus1', `is ${size}; no level allows that many map units`);
    const bits = Math.ceil(Math.log2(groups + 1));
    const ids: number[] = [];
    f.slice_group_id = ids;
    r.within('slice_group_id', () => {
      for (let i = 0; i <= size && r.ok; i++) r.u(ids, i, bits);
    });
  } else if (mapType > 6) {
    r.invalid('slice_group_map_type', `is ${mapType}; the range is 0..6`);
  }
}
