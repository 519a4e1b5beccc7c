import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields, FieldValue } from '../../bits/syntax';
import { issue } from '../../issues';
import type { Issue } from '../../issues';
import { openNal, stopIssues, trailingBitsIssues, wrongNalIssue } from '../nalSyntax';
import type { ParsedSyntax } from '../nalSyntax';
import { sampleAspectRatio } from '../aspectRatio';
import { summarizeH265Hrd } from './hrd';
import type { H265HrdSummary } from './hrd';
import { describeH265Nal, readH265NalHeader } from './nalHeader';
import { H265_NAL } from './nalTypes';
import { h265LevelName, h265ProfileName } from './profile';
import { readProfileTierLevel } from './ptl';
import type { H265PtlSummary } from './ptl';
import { readH265ScalingListData } from './scalingList';
import type { H265ScalingLists } from './scalingList';
import { readStRefPicSet } from './stRps';
import type { H265StRps } from './stRps';
import { readH265Vui } from './vui';

export interface Window {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface H265SpsDerived {
  sps_video_parameter_set_id?: number;
  sps_seq_parameter_set_id?: number;
  ptl?: H265PtlSummary;
  profileName?: string;
  tier?: 'Main' | 'High';
  level?: string;
  chroma_format_idc: number;
  separate_colour_plane_flag: number;
  ChromaArrayType: number;
  /** Table 6-1 (1 and 1 for monochrome and 4:4:4). */
  SubWidthC: number;
  SubHeightC: number;
  BitDepthY: number;
  BitDepthC: number;
  codedWidth?: number;
  codedHeight?: number;
  /** Conformance cropping window in luma samples (offsets × SubWidthC / SubHeightC). */
  conformanceWindow?: Window;
  displayWidth?: number;
  displayHeight?: number;
  /** VUI default display window in luma samples (applied on top of the conformance window, if at all). */
  defaultDisplayWindow?: Window;
  MaxPicOrderCntLsb?: number;
  CtbLog2SizeY?: number;
  CtbSizeY?: number;
  PicWidthInCtbsY?: number;
  PicHeightInCtbsY?: number;
  PicSizeInCtbsY?: number;
  /** Values for the highest sub-layer: sps_max_dec_pic_buffering_minus1 + 1, sps_max_num_reorder_pics. */
  maxDecPicBuffering?: number;
  maxNumReorderPics?: number;
  /** The short-term reference picture sets of the SPS (7.4.8). */
  stRps: H265StRps[];
  scalingLists?: H265ScalingLists;
  sampleAspectRatio?: [number, number];
  /** vui_time_scale / vui_num_units_in_tick (pictures per second; fields if field_seq_flag). */
  frameRate?: number;
  /** field_seq_flag = 1: every picture is a field (interlaced), and the picture size a field's. */
  interlaced?: boolean;
  hrd?: H265HrdSummary;
}

export type H265Sps = ParsedSyntax<H265SpsDerived>;

const CODE = 'HEVC_SPS';
const WHAT = 'H.265 SPS';

/** Decodes an H.265 sequence parameter set NAL unit (7.3.2.2), header first, no start code. */
export function parseH265Sps(nal: Uint8Array, baseOffset = 0): H265Sps {
  const r = openNal(nal, baseOffset);
  const f: Fields = {};
  const issues: Issue[] = [];
  const d: H265SpsDerived = { chroma_format_idc: 1, separate_colour_plane_flag: 0, ChromaArrayType: 1, SubWidthC: 2, SubHeightC: 2, BitDepthY: 8, BitDepthC: 8, stRps: [] };
  const result: H265Sps = { fields: f, derived: d, locations: r.locations, issues, offset: baseOffset, length: nal.length };
  const type = readH265NalHeader(r, f);
  if (r.ok && type !== H265_NAL.SPS) {
    issues.push(wrongNalIssue(CODE, 'an SPS (nal_unit_type 33)', describeH265Nal(nal, type), baseOffset));
    return result;
  }
  if (f.nuh_layer_id !== 0 && r.ok) {
    issues.push(issue('info', `${CODE}_LAYER`, `nuh_layer_id is ${String(f.nuh_layer_id)}; multi-layer SPS syntax is not decoded.`, baseOffset));
    return result;
  }
  const undecodedExtension = readBody(r, f, d);
  issues.push(...stopIssues(r, CODE, WHAT));
  if (undecodedExtension) {
    issues.push(issue('info', `${CODE}_EXTENSION`, `The SPS has a ${undecodedExtension} that is not decoded; the fields before it are complete.`, baseOffset));
  } else {
    issues.push(...trailingBitsIssues(r, CODE, WHAT));
  }
  derive(f, d, issues, baseOffset);
  return result;
}

/** Returns the name of an extension left undecoded, or '' when the whole SPS was read. */
function readBody(r: SyntaxReader, f: Fields, d: H265SpsDerived): string {
  r.u(f, 'sps_video_parameter_set_id', 4);
  const maxSub = r.u(f, 'sps_max_sub_layers_minus1', 3);
  if (maxSub > 6) {
    r.invalid('sps_max_sub_layers_minus1', `is ${maxSub}; the range is 0..6`);
    return '';
  }
  r.u(f, 'sps_temporal_id_nesting_flag', 1);
  const p: Fields = {};
  f.profile_tier_level = p;
  const ptl = r.within('profile_tier_level', () => readProfileTierLevel(r, p, true, maxSub));
  if (ptl) {
    d.ptl = ptl;
    d.profileName = h265ProfileName(ptl.general_profile_idc, p);
    d.tier = ptl.general_tier_flag ? 'High' : 'Main';
    d.level = h265LevelName(ptl.general_level_idc);
  }
  const id = r.ue(f, 'sps_seq_parameter_set_id');
  if (id > 15) {
    r.invalid('sps_seq_parameter_set_id', `is ${id}; the range is 0..15`);
    return '';
  }
  const chroma = r.ue(f, 'chroma_format_idc');
  if (chroma > 3) {
    r.invalid('chroma_format_idc', `is ${chroma}; the range is 0..3`);
    return '';
  }
  if (chroma === 3) r.u(f, 'separate_colour_plane_flag', 1);
  r.ue(f, 'pic_width_in_luma_samples');
  r.ue(f, 'pic_height_in_luma_samples');
  if (r.u(f, 'conformance_window_flag', 1)) {
    r.ue(f, 'conf_win_left_offset');
    r.ue(f, 'conf_win_right_offset');
    r.ue(f, 'conf_win_top_offset');
    r.ue(f, 'conf_win_bottom_offset');
  }
  for (const key of ['bit_depth_luma_minus8', 'bit_depth_chroma_minus8']) {
    const v = r.ue(f, key);
    if (v > 8) {
      r.invalid(key, `is ${v}; the range is 0..8`);
      return '';
    }
  }
  const lsbBits = r.ue(f, 'log2_max_pic_order_cnt_lsb_minus4') + 4;
  if (lsbBits > 16) {
    r.invalid('log2_max_pic_order_cnt_lsb_minus4', `is ${lsbBits - 4}; the range is 0..12`);
    return '';
  }
  const ordering = r.u(f, 'sps_sub_layer_ordering_info_present_flag', 1);
  const dpb: FieldValue[] = new Array<FieldValue>(maxSub + 1).fill(null);
  const reorder: FieldValue[] = dpb.slice();
  const latency: FieldValue[] = dpb.slice();
  f.sps_max_dec_pic_buffering_minus1 = dpb;
  f.sps_max_num_reorder_pics = reorder;
  f.sps_max_latency_increase_plus1 = latency;
  for (let i = ordering ? 0 : maxSub; i <= maxSub && r.ok; i++) {
    r.within('sps_max_dec_pic_buffering_minus1', () => r.ue(dpb, i));
    r.within('sps_max_num_reorder_pics', () => r.ue(reorder, i));
    r.within('sps_max_latency_increase_plus1', () => r.ue(latency, i));
  }
  r.ue(f, 'log2_min_luma_coding_block_size_minus3');
  r.ue(f, 'log2_diff_max_min_luma_coding_block_size');
  r.ue(f, 'log2_min_luma_transform_block_size_minus2');
  r.ue(f, 'log2_diff_max_min_luma_transform_block_size');
  r.ue(f, 'max_transform_hierarchy_depth_inter');
  r.ue(f, 'max_transform_hierarchy_depth_intra');
  if (r.u(f, 'scaling_list_enabled_flag', 1)) {
    if (r.u(f, 'sps_scaling_list_data_present_flag', 1)) {
      const s: Fields = {};
      f.scaling_list_data = s;
      d.scalingLists = r.within('scaling_list_data', () => readH265ScalingListData(r, s));
    }
  }
  r.u(f, 'amp_enabled_flag', 1);
  r.u(f, 'sample_adaptive_offset_enabled_flag', 1);
  if (r.u(f, 'pcm_enabled_flag', 1)) {
    r.u(f, 'pcm_sample_bit_depth_luma_minus1', 4);
    r.u(f, 'pcm_sample_bit_depth_chroma_minus1', 4);
    r.ue(f, 'log2_min_pcm_luma_coding_block_size_minus3');
    r.ue(f, 'log2_diff_max_min_pcm_luma_coding_block_size');
    r.u(f, 'pcm_loop_filter_disabled_flag', 1);
  }
  const numSets = r.ue(f, 'num_short_term_ref_pic_sets');
  if (numSets > 64) {
    r.invalid('num_short_term_ref_pic_sets', `is ${numSets}; the range is 0..64`);
    return '';
  }
  if (numSets > 0) {
    const sets: Fields[] = [];
    f.st_ref_pic_set = sets;
    for (let i = 0; i < numSets && r.ok; i++) {
      const s: Fields = {};
      sets.push(s);
      const rps = r.within('st_ref_pic_set', () => r.within(i, () => readStRefPicSet(r, s, i, d.stRps)));
      if (rps) d.stRps.push(rps);
    }
  }
  if (r.u(f, 'long_term_ref_pics_present_flag', 1)) {
    const num = r.ue(f, 'num_long_term_ref_pics_sps');
    if (num > 32) {
      r.invalid('num_long_term_ref_pics_sps', `is ${num}; the range is 0..32`);
      return '';
    }
    const lsb: number[] = [];
    const used: number[] = [];
    f.lt_ref_pic_poc_lsb_sps = lsb;
    f.used_by_curr_pic_lt_sps_flag = used;
    for (let i = 0; i < num && r.ok; i++) {
      r.within('lt_ref_pic_poc_lsb_sps', () => r.u(lsb, i, lsbBits));
      r.within('used_by_curr_pic_lt_sps_flag', () => r.u(used, i, 1));
    }
  }
  r.u(f, 'sps_temporal_mvp_enabled_flag', 1);
  r.u(f, 'strong_intra_smoothing_enabled_flag', 1);
  if (r.u(f, 'vui_parameters_present_flag', 1)) {
    const v: Fields = {};
    f.vui_parameters = v;
    r.within('vui_parameters', () => readH265Vui(r, v, maxSub));
  }
  if (!r.u(f, 'sps_extension_present_flag', 1)) return '';
  const range = r.u(f, 'sps_range_extension_flag', 1);
  const multilayer = r.u(f, 'sps_multilayer_extension_flag', 1);
  const ext3d = r.u(f, 'sps_3d_extension_flag', 1);
  const scc = r.u(f, 'sps_scc_extension_flag', 1);
  const ext4 = r.u(f, 'sps_extension_4bits', 4);
  if (range) {
    const e: Fields = {};
    f.sps_range_extension = e;
    r.within('sps_range_extension', () => {
      for (const name of [
        'transform_skip_rotation_enabled_flag',
        'transform_skip_context_enabled_flag',
        'implicit_rdpcm_enabled_flag',
        'explicit_rdpcm_enabled_flag',
        'extended_precision_processing_flag',
        'intra_smoothing_disabled_flag',
        'high_precision_offsets_enabled_flag',
        'persistent_rice_adaptation_enabled_flag',
        'cabac_bypass_alignment_enabled_flag',
      ]) {
        r.u(e, name, 1);
      }
    });
  }
  if (multilayer) {
    const e: Fields = {};
    f.sps_multilayer_extension = e;
    r.within('sps_multilayer_extension', () => r.u(e, 'inter_view_mv_vert_constraint_flag', 1));
  }
  if (ext3d) return 'sps_3d_extension';
  if (scc) return 'sps_scc_extension';
  if (ext4) return 'sps_extension_data';
  return '';
}

function num(f: Fields, key: string): number | undefined {
  const v = f[key];
  return typeof v === 'number' ? v : undefined;
}

function derive(f: Fields, d: H265SpsDerived, issues: Issue[], offset: number): void {
  const vpsId = num(f, 'sps_video_parameter_set_id');
  if (vpsId !== undefined) d.sps_video_parameter_set_id = vpsId;
  const spsId = num(f, 'sps_seq_parameter_set_id');
  if (spsId !== undefined) d.sps_seq_parameter_set_id = spsId;
  d.chroma_format_idc = num(f, 'chroma_format_idc') ?? 1;
  d.separate_colour_plane_flag = num(f, 'separate_colour_plane_flag') ?? 0;
  d.ChromaArrayType = d.separate_colour_plane_flag ? 0 : d.chroma_format_idc;
  d.SubWidthC = d.chroma_format_idc === 1 || d.chroma_format_idc === 2 ? (d.separate_colour_plane_flag ? 1 : 2) : 1;
  d.SubHeightC = d.chroma_format_idc === 1 && !d.separate_colour_plane_flag ? 2 : 1;
  d.BitDepthY = 8 + (num(f, 'bit_depth_luma_minus8') ?? 0);
  d.BitDepthC = 8 + (num(f, 'bit_depth_chroma_minus8') ?? 0);
  const width = num(f, 'pic_width_in_luma_samples');
  const height = num(f, 'pic_height_in_luma_samples');
  const conf = num(f, 'conformance_window_flag');
  if (width !== undefined && height !== undefined) {
    d.codedWidth = width;
    d.codedHeight = height;
    if (conf === 0 || num(f, 'conf_win_bottom_offset') !== undefined) {
      const w: Window = {
        left: d.SubWidthC * (num(f, 'conf_win_left_offset') ?? 0),
        right: d.SubWidthC * (num(f, 'conf_win_right_offset') ?? 0),
        top: d.SubHeightC * (num(f, 'conf_win_top_offset') ?? 0),
        bottom: d.SubHeightC * (num(f, 'conf_win_bottom_offset') ?? 0),
      };
      d.conformanceWindow = w;
      d.displayWidth = width - w.left - w.right;
      d.displayHeight = height - w.top - w.bottom;
      if (d.displayWidth <= 0 || d.displayHeight <= 0) {
        // As ffmpeg does ("Displaying the whole video surface"): never a negative size.
        d.displayWidth = width;
        d.displayHeight = height;
        issues.push(issue('error', `${CODE}_CONFORMANCE_WINDOW_INVALID`, `The conformance window removes more than the coded ${width}x${height} picture (left ${w.left}, right ${w.right}, top ${w.top}, bottom ${w.bottom}); the size shown is the whole coded picture.`, offset));
      }
    }
  }
  const lsb = num(f, 'log2_max_pic_order_cnt_lsb_minus4');
  if (lsb !== undefined) d.MaxPicOrderCntLsb = 2 ** (lsb + 4);
  const minCb = num(f, 'log2_min_luma_coding_block_size_minus3');
  const diffCb = num(f, 'log2_diff_max_min_luma_coding_block_size');
  if (minCb !== undefined && diffCb !== undefined && width !== undefined && height !== undefined) {
    d.CtbLog2SizeY = minCb + 3 + diffCb;
    if (d.CtbLog2SizeY <= 30) {
      d.CtbSizeY = 2 ** d.CtbLog2SizeY;
      d.PicWidthInCtbsY = Math.ceil(width / d.CtbSizeY);
      d.PicHeightInCtbsY = Math.ceil(height / d.CtbSizeY);
      d.PicSizeInCtbsY = d.PicWidthInCtbsY * d.PicHeightInCtbsY;
    }
  }
  const dpb = f.sps_max_dec_pic_buffering_minus1;
  const reorder = f.sps_max_num_reorder_pics;
  if (Array.isArray(dpb) && Array.isArray(reorder)) {
    const last = dpb[dpb.length - 1];
    const lastReorder = reorder[reorder.length - 1];
    if (typeof last === 'number') d.maxDecPicBuffering = last + 1;
    if (typeof lastReorder === 'number') d.maxNumReorderPics = lastReorder;
  }
  const v = f.vui_parameters;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const sar = sampleAspectRatio(v);
    if (sar) d.sampleAspectRatio = sar;
    if (num(v, 'field_seq_flag') !== undefined) d.interlaced = v.field_seq_flag === 1;
    if (num(v, 'def_disp_win_bottom_offset') !== undefined) {
      d.defaultDisplayWindow = {
        left: d.SubWidthC * (num(v, 'def_disp_win_left_offset') ?? 0),
        right: d.SubWidthC * (num(v, 'def_disp_win_right_offset') ?? 0),
        top: d.SubHeightC * (num(v, 'def_disp_win_top_offset') ?? 0),
        bottom: d.SubHeightC * (num(v, 'def_disp_win_bottom_offset') ?? 0),
      };
    }
    const tick = num(v, 'vui_num_units_in_tick');
    const scale = num(v, 'vui_time_scale');
    if (tick !== undefined && scale !== undefined && tick > 0 && scale > 0) d.frameRate = scale / tick;
    const h = v.hrd_parameters;
    if (h && typeof h === 'object' && !Array.isArray(h)) d.hrd = summarizeH265Hrd(h);
  }
}
