import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields, FieldValue } from '../../bits/syntax';
import { issue } from '../../issues';
import type { Issue } from '../../issues';
import { openNal, stopIssues, trailingBitsIssues, wrongNalIssue } from '../nalSyntax';
import type { ParsedSyntax } from '../nalSyntax';
import { readH265Hrd } from './hrd';
import type { HrdCommonFlags } from './hrd';
import { describeH265Nal, readH265NalHeader } from './nalHeader';
import { H265_NAL } from './nalTypes';
import { h265LevelName, h265ProfileName } from './profile';
import { readProfileTierLevel } from './ptl';
import type { H265PtlSummary } from './ptl';

export interface H265VpsDerived {
  vps_video_parameter_set_id?: number;
  ptl?: H265PtlSummary;
  profileName?: string;
  tier?: 'Main' | 'High';
  level?: string;
  /** vps_time_scale / vps_num_units_in_tick. */
  frameRate?: number;
}

export type H265Vps = ParsedSyntax<H265VpsDerived>;

const CODE = 'HEVC_VPS';
const WHAT = 'H.265 VPS';

/** Decodes an H.265 video parameter set NAL unit (7.3.2.1), header first, no start code. */
export function parseH265Vps(nal: Uint8Array, baseOffset = 0): H265Vps {
  const r = openNal(nal, baseOffset);
  const f: Fields = {};
  const issues: Issue[] = [];
  const derived: H265VpsDerived = {};
  const result: H265Vps = { fields: f, derived, locations: r.locations, issues, offset: baseOffset, length: nal.length };
  const type = readH265NalHeader(r, f);
  if (r.ok && type !== H265_NAL.VPS) {
    issues.push(wrongNalIssue(CODE, 'a VPS (nal_unit_type 32)', describeH265Nal(nal, type), baseOffset));
    return result;
  }
  const ext = readBody(r, f, derived);
  issues.push(...stopIssues(r, CODE, WHAT));
  if (ext) issues.push(issue('info', `${CODE}_EXTENSION`, 'vps_extension_flag is 1; the VPS extension (multi-layer coding) is not decoded.', baseOffset));
  else issues.push(...trailingBitsIssues(r, CODE, WHAT));
  return result;
}

function readBody(r: SyntaxReader, f: Fields, d: H265VpsDerived): boolean {
  const id = r.u(f, 'vps_video_parameter_set_id', 4);
  if (r.ok) d.vps_video_parameter_set_id = id;
  r.u(f, 'vps_base_layer_internal_flag', 1);
  r.u(f, 'vps_base_layer_available_flag', 1);
  r.u(f, 'vps_max_layers_minus1', 6);
  const maxSub = r.u(f, 'vps_max_sub_layers_minus1', 3);
  if (maxSub > 6) {
    r.invalid('vps_max_sub_layers_minus1', `is ${maxSub}; the range is 0..6`);
    return false;
  }
  r.u(f, 'vps_temporal_id_nesting_flag', 1);
  r.u(f, 'vps_reserved_0xffff_16bits', 16);
  const p: Fields = {};
  f.profile_tier_level = p;
  const ptl = r.within('profile_tier_level', () => readProfileTierLevel(r, p, true, maxSub));
  if (ptl) {
    d.ptl = ptl;
    d.profileName = h265ProfileName(ptl.general_profile_idc, p);
    d.tier = ptl.general_tier_flag ? 'High' : 'Main';
    d.level = h265LevelName(ptl.general_level_idc);
  }
  const ordering = r.u(f, 'vps_sub_layer_ordering_info_present_flag', 1);
  const dpb: FieldValue[] = new Array<FieldValue>(maxSub + 1).fill(null);
  const reorder: FieldValue[] = dpb.slice();
  const latency: FieldValue[] = dpb.slice();
  f.vps_max_dec_pic_buffering_minus1 = dpb;
  f.vps_max_num_reorder_pics = reorder;
  f.vps_max_latency_increase_plus1 = latency;
  for (let i = ordering ? 0 : maxSub; i <= maxSub && r.ok; i++) {
    r.within('vps_max_dec_pic_buffering_minus1', () => r.ue(dpb, i));
    r.within('vps_max_num_reorder_pics', () => r.ue(reorder, i));
    r.within('vps_max_latency_increase_plus1', () => r.ue(latency, i));
  }
  const maxLayerId = r.u(f, 'vps_max_layer_id', 6);
  const numLayerSets = r.ue(f, 'vps_num_layer_sets_minus1');
  if (numLayerSets > 1023) {
    r.invalid('vps_num_layer_sets_minus1', `is ${numLayerSets}; the range is 0..1023`);
    return false;
  }
  if (numLayerSets > 0) {
    const included: FieldValue[] = [null];
    f.layer_id_included_flag = included;
    for (let i = 1; i <= numLayerSets && r.ok; i++) {
      const row: number[] = [];
      included.push(row);
      r.within('layer_id_included_flag', () =>
        r.within(i, () => {
          for (let j = 0; j <= maxLayerId && r.ok; j++) r.u(row, j, 1);
        }),
      );
    }
  }
  if (r.u(f, 'vps_timing_info_present_flag', 1)) {
    const tick = r.u(f, 'vps_num_units_in_tick', 32);
    const scale = r.u(f, 'vps_time_scale', 32);
    if (r.ok && tick > 0 && scale > 0) d.frameRate = scale / tick;
    if (r.u(f, 'vps_poc_proportional_to_timing_flag', 1)) r.ue(f, 'vps_num_ticks_poc_diff_one_minus1');
    const numHrd = r.ue(f, 'vps_num_hrd_parameters');
    if (numHrd > numLayerSets + 1) {
      r.invalid('vps_num_hrd_parameters', `is ${numHrd}; at most vps_num_layer_sets_minus1 + 1 = ${numLayerSets + 1}`);
      return false;
    }
    const layerSetIdx: number[] = [];
    const cprms: FieldValue[] = [null];
    const hrds: Fields[] = [];
    if (numHrd > 0) {
      f.hrd_layer_set_idx = layerSetIdx;
      f.cprms_present_flag = cprms;
      f.hrd_parameters = hrds;
    }
    let previous: HrdCommonFlags | undefined;
    for (let i = 0; i < numHrd && r.ok; i++) {
      r.within('hrd_layer_set_idx', () => r.ue(layerSetIdx, i));
      let common = 1; // cprms_present_flag[0] is inferred 1
      if (i > 0) common = r.within('cprms_present_flag', () => r.u(cprms, i, 1));
      const h: Fields = {};
      hrds.push(h);
      const inherited = previous;
      previous = r.within('hrd_parameters', () => r.within(i, () => readH265Hrd(r, h, common === 1, maxSub, inherited)));
    }
  }
  return r.u(f, 'vps_extension_flag', 1) === 1;
}
