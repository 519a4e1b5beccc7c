import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields } from '../../bits/syntax';
import { issue } from '../../issues';
import type { Issue } from '../../issues';
import { openNal, stopIssues, trailingBitsIssues, wrongNalIssue } from '../nalSyntax';
import type { ParsedSyntax } from '../nalSyntax';
import { h264NalTypeName, H264_NAL } from './nalTypes';
import { h264HasChromaInfo, h264LevelName, h264ProfileName } from './profile';
import { deriveH264ScalingMatrices, readH264ScalingLists } from './scalingList';
import type { CodedScalingList, H264ScalingMatrices } from './scalingList';
import { sampleAspectRatio } from '../aspectRatio';
import { readH264Vui, summarizeH264Hrd } from './vui';
import type { HrdSummary } from './vui';

export interface H264SpsDerived {
  profileName?: string;
  /** Level as Table A-1 names it ("3.1", "4", "1b"). */
  level?: string;
  profile_idc?: number;
  /** Byte 2 of the SPS: constraint_set0..5_flag and reserved_zero_2bits (the CC of avc1.PPCCLL). */
  constraintFlags?: number;
  level_idc?: number;
  seq_parameter_set_id?: number;
  /** Inferred 1 (4:2:0) when the profile does not code it. */
  chroma_format_idc: number;
  separate_colour_plane_flag: number;
  ChromaArrayType: number;
  /** Table 6-1; absent for monochrome and separate colour planes. */
  SubWidthC?: number;
  SubHeightC?: number;
  BitDepthY: number;
  BitDepthC: number;
  MaxFrameNum?: number;
  PicWidthInMbs?: number;
  FrameHeightInMbs?: number;
  codedWidth?: number;
  codedHeight?: number;
  CropUnitX?: number;
  CropUnitY?: number;
  /** Samples removed by frame cropping, in luma samples of the frame. */
  crop?: { left: number; right: number; top: number; bottom: number };
  displayWidth?: number;
  displayHeight?: number;
  /** frame_mbs_only_flag = 0: pictures may be coded as fields (interlaced). */
  interlaced?: boolean;
  sampleAspectRatio?: [number, number];
  /** time_scale / (2 · num_units_in_tick) (E.2.1; one frame is two field ticks). */
  frameRate?: number;
  fixedFrameRate?: boolean;
  maxNumReorderFrames?: number;
  maxDecFrameBuffering?: number;
  nalHrd?: HrdSummary;
  vclHrd?: HrdSummary;
  /** The scaling matrices when seq_scaling_matrix_present_flag is 1 (else all entries are 16). */
  scalingMatrices?: H264ScalingMatrices;
}

export type H264Sps = ParsedSyntax<H264SpsDerived>;

const WHAT = 'H.264 SPS';
const CODE = 'H264_SPS';

/** Decodes an H.264 sequence parameter set NAL unit (7.3.2.1.1), header byte first, no start code. */
export function parseH264Sps(nal: Uint8Array, baseOffset = 0): H264Sps {
  const r = openNal(nal, baseOffset);
  const f: Fields = {};
  const issues: Issue[] = [];
  const derived: H264SpsDerived = { chroma_format_idc: 1, separate_colour_plane_flag: 0, ChromaArrayType: 1, BitDepthY: 8, BitDepthC: 8 };
  const result: H264Sps = { fields: f, derived, locations: r.locations, issues, offset: baseOffset, length: nal.length };

  const type = readH264NalHeader(r, f);
  if (r.ok && type !== H264_NAL.SPS) {
    issues.push(wrongNalIssue(CODE, 'an SPS (nal_unit_type 7)', describeH264Nal(nal, type), baseOffset));
    return result;
  }
  const scaling = readSeqParameterSetData(r, f);
  issues.push(...stopIssues(r, CODE, WHAT), ...trailingBitsIssues(r, CODE, WHAT));
  deriveSps(f, derived, scaling, issues, baseOffset);
  return result;
}

/** nal_unit_header for H.264 (7.3.1): forbidden_zero_bit, nal_ref_idc, nal_unit_type. */
export function readH264NalHeader(r: SyntaxReader, f: Fields): number {
  if (r.f(f, 'forbidden_zero_bit', 1) === 1) r.invalid('forbidden_zero_bit', 'is 1; this is not a valid NAL unit');
  r.u(f, 'nal_ref_idc', 2);
  return r.u(f, 'nal_unit_type', 5);
}

export function describeH264Nal(nal: Uint8Array, type: number): string {
  if (nal.length === 0) return 'no bytes';
  if (nal.length >= 3 && nal[0] === 0 && nal[1] === 0 && (nal[2] === 1 || (nal[2] === 0 && nal[3] === 1))) {
    return 'an Annex-B start code (00 00 01): pass the NAL unit without its start code';
  }
  return `nal_unit_type ${type} (${h264NalTypeName(type)})`;
}

/** seq_parameter_set_data(); returns the coded scaling lists when seq_scaling_matrix_present_flag is 1. */
function readSeqParameterSetData(r: SyntaxReader, f: Fields): CodedScalingList[] | undefined {
  let scaling: CodedScalingList[] | undefined;
  const profileIdc = r.u(f, 'profile_idc', 8);
  for (let i = 0; i < 6; i++) r.u(f, `constraint_set${i}_flag`, 1);
  r.u(f, 'reserved_zero_2bits', 2);
  r.u(f, 'level_idc', 8);
  const spsId = r.ue(f, 'seq_parameter_set_id');
  if (spsId > 31) {
    r.invalid('seq_parameter_set_id', `is ${spsId}; the range is 0..31`);
    return scaling;
  }
  if (h264HasChromaInfo(profileIdc)) {
    const chromaFormatIdc = r.ue(f, 'chroma_format_idc');
    if (chromaFormatIdc > 3) {
      r.invalid('chroma_format_idc', `is ${chromaFormatIdc}; the range is 0..3`);
      return scaling;
    }
    if (chromaFormatIdc === 3) r.u(f, 'separate_colour_plane_flag', 1);
    const luma = r.ue(f, 'bit_depth_luma_minus8');
    if (luma > 6) {
      r.invalid('bit_depth_luma_minus8', `is ${luma}; the range is 0..6`);
      return scaling;
    }
    const chroma = r.ue(f, 'bit_depth_chroma_minus8');
    if (chroma > 6) {
      r.invalid('bit_depth_chroma_minus8', `is ${chroma}; the range is 0..6`);
      return scaling;
    }
    r.u(f, 'qpprime_y_zero_transform_bypass_flag', 1);
    if (r.u(f, 'seq_scaling_matrix_present_flag', 1)) {
      scaling = readH264ScalingLists(r, f, 'seq_scaling_list_present_flag', chromaFormatIdc !== 3 ? 8 : 12);
    }
  }
  const log2MaxFrameNum = r.ue(f, 'log2_max_frame_num_minus4');
  if (log2MaxFrameNum > 12) {
    r.invalid('log2_max_frame_num_minus4', `is ${log2MaxFrameNum}; the range is 0..12`);
    return scaling;
  }
  const pocType = r.ue(f, 'pic_order_cnt_type');
  if (pocType > 2) {
    r.invalid('pic_order_cnt_type', `is ${pocType}; the range is 0..2`);
    return scaling;
  }
  if (pocType === 0) {
    const lsb = r.ue(f, 'log2_max_pic_order_cnt_lsb_minus4');
    if (lsb > 12) {
      r.invalid('log2_max_pic_order_cnt_lsb_minus4', `is ${lsb}; the range is 0..12`);
      return scaling;
    }
  } else if (pocType === 1) {
    r.u(f, 'delta_pic_order_always_zero_flag', 1);
    r.se(f, 'offset_for_non_ref_pic');
    r.se(f, 'offset_for_top_to_bottom_field');
    const cycle = r.ue(f, 'num_ref_frames_in_pic_order_cnt_cycle');
    if (cycle > 255) {
      r.invalid('num_ref_frames_in_pic_order_cnt_cycle', `is ${cycle}; the range is 0..255`);
      return scaling;
    }
    const offsets: number[] = [];
    f.offset_for_ref_frame = offsets;
    r.within('offset_for_ref_frame', () => {
      for (let i = 0; i < cycle && r.ok; i++) r.se(offsets, i);
    });
  }
  r.ue(f, 'max_num_ref_frames');
  r.u(f, 'gaps_in_frame_num_value_allowed_flag', 1);
  r.ue(f, 'pic_width_in_mbs_minus1');
  r.ue(f, 'pic_height_in_map_units_minus1');
  if (!r.u(f, 'frame_mbs_only_flag', 1)) r.u(f, 'mb_adaptive_frame_field_flag', 1);
  r.u(f, 'direct_8x8_inference_flag', 1);
  if (r.u(f, 'frame_cropping_flag', 1)) {
    r.ue(f, 'frame_crop_left_offset');
    r.ue(f, 'frame_crop_right_offset');
    r.ue(f, 'frame_crop_top_offset');
    r.ue(f, 'frame_crop_bottom_offset');
  }
  if (r.u(f, 'vui_parameters_present_flag', 1)) {
    const v: Fields = {};
    f.vui_parameters = v;
    r.within('vui_parameters', () => readH264Vui(r, v));
  }
  return scaling;
}

function num(f: Fields, key: string): number | undefined {
  const v = f[key];
  return typeof v === 'number' ? v : undefined;
}

function deriveSps(f: Fields, d: H264SpsDerived, scaling: CodedScalingList[] | undefined, issues: Issue[], offset: number): void {
  const profileIdc = num(f, 'profile_idc');
  const levelIdc = num(f, 'level_idc');
  if (profileIdc !== undefined) d.profile_idc = profileIdc;
  if (num(f, 'reserved_zero_2bits') !== undefined && profileIdc !== undefined) {
    let flags = 0;
    for (let i = 0; i < 6; i++) flags |= (num(f, `constraint_set${i}_flag`) ?? 0) << (7 - i);
    flags |= num(f, 'reserved_zero_2bits') ?? 0;
    d.constraintFlags = flags;
    d.profileName = h264ProfileName(profileIdc, flags);
    if (levelIdc !== undefined) {
      d.level_idc = levelIdc;
      d.level = h264LevelName(levelIdc, profileIdc, flags);
    }
  }
  const spsId = num(f, 'seq_parameter_set_id');
  if (spsId !== undefined) d.seq_parameter_set_id = spsId;

  d.chroma_format_idc = num(f, 'chroma_format_idc') ?? 1;
  d.separate_colour_plane_flag = num(f, 'separate_colour_plane_flag') ?? 0;
  d.ChromaArrayType = d.separate_colour_plane_flag === 1 ? 0 : d.chroma_format_idc;
  if (d.ChromaArrayType !== 0) {
    d.SubWidthC = d.chroma_format_idc === 3 ? 1 : 2;
    d.SubHeightC = d.chroma_format_idc === 1 ? 2 : 1;
  }
  d.BitDepthY = 8 + (num(f, 'bit_depth_luma_minus8') ?? 0);
  d.BitDepthC = 8 + (num(f, 'bit_depth_chroma_minus8') ?? 0);
  // Flat_4x4_16 / Flat_8x8_16 apply when no matrix is coded; only coded matrices are spelled out.
  if (scaling && f.log2_max_frame_num_minus4 !== undefined) {
    d.scalingMatrices = deriveH264ScalingMatrices(scaling, d.chroma_format_idc === 3 ? 6 : 2);
  }
  const log2MaxFrameNum = num(f, 'log2_max_frame_num_minus4');
  if (log2MaxFrameNum !== undefined) d.MaxFrameNum = 2 ** (log2MaxFrameNum + 4);

  const w = num(f, 'pic_width_in_mbs_minus1');
  const h = num(f, 'pic_height_in_map_units_minus1');
  const frameMbsOnly = num(f, 'frame_mbs_only_flag');
  const cropping = num(f, 'frame_cropping_flag');
  if (w !== undefined && h !== undefined && frameMbsOnly !== undefined) {
    d.interlaced = frameMbsOnly === 0;
    d.PicWidthInMbs = w + 1;
    d.FrameHeightInMbs = (2 - frameMbsOnly) * (h + 1);
    d.codedWidth = d.PicWidthInMbs * 16;
    d.codedHeight = d.FrameHeightInMbs * 16;
    // 7-19..7-22: crop units depend on the chroma format and on field coding
    d.CropUnitX = d.ChromaArrayType === 0 ? 1 : (d.SubWidthC ?? 1);
    d.CropUnitY = d.ChromaArrayType === 0 ? 2 - frameMbsOnly : (d.SubHeightC ?? 1) * (2 - frameMbsOnly);
    if (cropping !== undefined && (cropping === 0 || num(f, 'frame_crop_bottom_offset') !== undefined)) {
      const crop = {
        left: d.CropUnitX * (num(f, 'frame_crop_left_offset') ?? 0),
        right: d.CropUnitX * (num(f, 'frame_crop_right_offset') ?? 0),
        top: d.CropUnitY * (num(f, 'frame_crop_top_offset') ?? 0),
        bottom: d.CropUnitY * (num(f, 'frame_crop_bottom_offset') ?? 0),
      };
      d.crop = crop;
      d.displayWidth = d.codedWidth - crop.left - crop.right;
      d.displayHeight = d.codedHeight - crop.top - crop.bottom;
      if (d.displayWidth <= 0 || d.displayHeight <= 0) {
        // No picture is left: the size shown is the whole coded picture (a decoder that reads on past
        // this SPS shows that; ffmpeg rejects the SPS), never a negative one.
        d.displayWidth = d.codedWidth;
        d.displayHeight = d.codedHeight;
        issues.push(
          issue(
            'error',
            `${CODE}_CROP_INVALID`,
            `Frame cropping removes more than the coded ${d.codedWidth}x${d.codedHeight} picture (crop left ${crop.left}, right ${crop.right}, top ${crop.top}, bottom ${crop.bottom}); the size shown is the whole coded picture.`,
            offset,
          ),
        );
      }
    }
  }

  const vui = f.vui_parameters;
  if (vui && typeof vui === 'object' && !Array.isArray(vui)) {
    const sar = sampleAspectRatio(vui);
    if (sar) d.sampleAspectRatio = sar;
    const tick = num(vui, 'num_units_in_tick');
    const scale = num(vui, 'time_scale');
    if (tick !== undefined && scale !== undefined && tick > 0 && scale > 0) d.frameRate = scale / (2 * tick);
    if (num(vui, 'fixed_frame_rate_flag') !== undefined) d.fixedFrameRate = vui.fixed_frame_rate_flag === 1;
    const reorder = num(vui, 'max_num_reorder_frames');
    const dpb = num(vui, 'max_dec_frame_buffering');
    if (reorder !== undefined) d.maxNumReorderFrames = reorder;
    if (dpb !== undefined) d.maxDecFrameBuffering = dpb;
    const nal = vui.nal_hrd_parameters;
    if (nal && typeof nal === 'object' && !Array.isArray(nal)) d.nalHrd = summarizeH264Hrd(nal);
    const vcl = vui.vcl_hrd_parameters;
    if (vcl && typeof vcl === 'object' && !Array.isArray(vcl)) d.vclHrd = summarizeH264Hrd(vcl);
  }
}
