import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFrameNals, buildParameterSetReference, hevcCodecStringFromSps, parseH265Pps, parseH265Sps, parseH265Vps } from '../../../../src/formats/codecs/index';
import { assertMatchesTrace } from './helpers/compare';
import { buildNal, flag, se, u, ue } from './helpers/elements';
import type { Element } from './helpers/elements';
import { traceNals } from './helpers/ffmpeg';
import type { TraceSection } from './helpers/ffmpeg';

const header = (type: number): Element[] => [u('forbidden_zero_bit', 1, 0), u('nal_unit_type', 6, type), u('nuh_layer_id', 6, 0), u('nuh_temporal_id_plus1', 3, 1)];

/** profile_tier_level(1, 2): Main 4:2:2 10 (format range extensions) in High tier, with two sub-layers. */
function ptl(): Element[] {
  const compat = (set: number[], name: string): Element[] => Array.from({ length: 32 }, (_, j) => flag(name, set.includes(j)));
  return [
    u('general_profile_space', 2, 0),
    flag('general_tier_flag', 1),
    u('general_profile_idc', 5, 4),
    ...compat([4], 'general_profile_compatibility_flag'),
    flag('general_progressive_source_flag', 1),
    flag('general_interlaced_source_flag', 0),
    flag('general_non_packed_constraint_flag', 0),
    flag('general_frame_only_constraint_flag', 1),
    flag('general_max_12bit_constraint_flag', 1),
    flag('general_max_10bit_constraint_flag', 1),
    flag('general_max_8bit_constraint_flag', 0),
    flag('general_max_422chroma_constraint_flag', 1),
    flag('general_max_420chroma_constraint_flag', 0),
    flag('general_max_monochrome_constraint_flag', 0),
    flag('general_intra_constraint_flag', 0),
    flag('general_one_picture_only_constraint_flag', 0),
    flag('general_lower_bit_rate_constraint_flag', 1),
    u('general_reserved_zero_34bits', 34, 0),
    flag('general_inbld_flag', 0),
    u('general_level_idc', 8, 123),
    flag('sub_layer_profile_present_flag', 1),
    flag('sub_layer_level_present_flag', 1),
    flag('sub_layer_profile_present_flag', 0),
    flag('sub_layer_level_present_flag', 1),
    ...Array.from({ length: 6 }, () => u('reserved_zero_2bits', 2, 0)),
    // sub-layer 0: Main 10 profile signalled on its own
    u('sub_layer_profile_space', 2, 0),
    flag('sub_layer_tier_flag', 0),
    u('sub_layer_profile_idc', 5, 2),
    ...compat([2], 'sub_layer_profile_compatibility_flag'),
    flag('sub_layer_progressive_source_flag', 1),
    flag('sub_layer_interlaced_source_flag', 0),
    flag('sub_layer_non_packed_constraint_flag', 0),
    flag('sub_layer_frame_only_constraint_flag', 1),
    u('sub_layer_reserved_zero_7bits', 7, 0),
    flag('sub_layer_one_picture_only_constraint_flag', 0),
    u('sub_layer_reserved_zero_35bits', 35, 0),
    flag('sub_layer_inbld_flag', 0),
    u('sub_layer_level_idc', 8, 90),
    u('sub_layer_level_idc', 8, 120),
  ];
}

/** hrd_parameters(commonInfPresentFlag, 2) with NAL and VCL HRDs and sub-picture parameters. */
function hrd(common: boolean, subPic: boolean, vcl: boolean): Element[] {
  const out: Element[] = [];
  if (common) {
    out.push(flag('nal_hrd_parameters_present_flag', 1), flag('vcl_hrd_parameters_present_flag', vcl), flag('sub_pic_hrd_params_present_flag', subPic));
    if (subPic) {
      out.push(u('tick_divisor_minus2', 8, 10), u('du_cpb_removal_delay_increment_length_minus1', 5, 7), flag('sub_pic_cpb_params_in_pic_timing_sei_flag', 1), u('dpb_output_delay_du_length_minus1', 5, 9));
    }
    out.push(u('bit_rate_scale', 4, 2), u('cpb_size_scale', 4, 3));
    if (subPic) out.push(u('cpb_size_du_scale', 4, 4));
    out.push(u('initial_cpb_removal_delay_length_minus1', 5, 23), u('au_cpb_removal_delay_length_minus1', 5, 15), u('dpb_output_delay_length_minus1', 5, 11));
  }
  const subLayer = (cpbs: number): Element[] =>
    Array.from({ length: cpbs }, (_, i) => [
      ue('bit_rate_value_minus1', 1000 + i * 500),
      ue('cpb_size_value_minus1', 2000 + i * 500),
      ...(subPic ? [ue('cpb_size_du_value_minus1', 300 + i), ue('bit_rate_du_value_minus1', 400 + i)] : []),
      flag('cbr_flag', i % 2),
    ]).flat();
  const both = (cpbs: number): Element[] => [...subLayer(cpbs), ...(vcl ? subLayer(cpbs) : [])];
  // sub-layer 0: fixed rate, two CPBs; 1: low delay (no cpb_cnt_minus1); 2: fixed within the CVS
  out.push(flag('fixed_pic_rate_general_flag', 1), ue('elemental_duration_in_tc_minus1', 0), ue('cpb_cnt_minus1', 1), ...both(2));
  out.push(flag('fixed_pic_rate_general_flag', 0), flag('fixed_pic_rate_within_cvs_flag', 0), flag('low_delay_hrd_flag', 1), ...both(1));
  out.push(flag('fixed_pic_rate_general_flag', 0), flag('fixed_pic_rate_within_cvs_flag', 1), ue('elemental_duration_in_tc_minus1', 3), ue('cpb_cnt_minus1', 0), ...both(1));
  return out;
}

function vps(): Element[] {
  return [
    ...header(32),
    u('vps_video_parameter_set_id', 4, 0),
    flag('vps_base_layer_internal_flag', 1),
    flag('vps_base_layer_available_flag', 1),
    u('vps_max_layers_minus1', 6, 0),
    u('vps_max_sub_layers_minus1', 3, 2),
    flag('vps_temporal_id_nesting_flag', 0),
    u('vps_reserved_0xffff_16bits', 16, 0xffff),
    ...ptl(),
    flag('vps_sub_layer_ordering_info_present_flag', 1),
    ...[0, 1, 2].flatMap(() => [ue('vps_max_dec_pic_buffering_minus1', 5), ue('vps_max_num_reorder_pics', 2), ue('vps_max_latency_increase_plus1', 5)]),
    u('vps_max_layer_id', 6, 1),
    ue('vps_num_layer_sets_minus1', 1),
    flag('layer_id_included_flag', 1),
    flag('layer_id_included_flag', 0),
    flag('vps_timing_info_present_flag', 1),
    u('vps_num_units_in_tick', 32, 1001),
    u('vps_time_scale', 32, 60000),
    flag('vps_poc_proportional_to_timing_flag', 1),
    ue('vps_num_ticks_poc_diff_one_minus1', 0),
    ue('vps_num_hrd_parameters', 2),
    ue('hrd_layer_set_idx', 0),
    ...hrd(true, true, true),
    ue('hrd_layer_set_idx', 1),
    flag('cprms_present_flag', 1),
    ...hrd(true, false, false),
    flag('vps_extension_flag', 0),
  ];
}

const coefs = (n: number, step: number): Element[] => Array.from({ length: n }, (_, i) => se('scaling_list_delta_coef', i % 3 === 0 ? step : -1));

function scalingListData(): Element[] {
  const out: Element[] = [];
  const pred = (mode: number): Element => flag('scaling_list_pred_mode_flag', mode);
  // sizeId 0: coded, copy of 0, default, then defaults
  out.push(pred(1), ...coefs(16, 2), pred(0), ue('scaling_list_pred_matrix_id_delta', 1), pred(0), ue('scaling_list_pred_matrix_id_delta', 0));
  for (let m = 3; m < 6; m++) out.push(pred(0), ue('scaling_list_pred_matrix_id_delta', 0));
  // sizeId 1: coded, then a chain of copies
  out.push(pred(1), ...coefs(64, 3));
  for (let m = 1; m < 6; m++) out.push(pred(0), ue('scaling_list_pred_matrix_id_delta', 1));
  // sizeId 2: coded with a DC, a copy (DC included), defaults
  out.push(pred(1), se('scaling_list_dc_coef_minus8', 4), ...coefs(64, 1), pred(0), ue('scaling_list_pred_matrix_id_delta', 1));
  for (let m = 2; m < 6; m++) out.push(pred(0), ue('scaling_list_pred_matrix_id_delta', 0));
  // sizeId 3: matrices 0 and 3 only
  out.push(pred(1), se('scaling_list_dc_coef_minus8', -2), ...coefs(64, 2), pred(0), ue('scaling_list_pred_matrix_id_delta', 1));
  return out;
}

function sps(): Element[] {
  return [
    ...header(33),
    u('sps_video_parameter_set_id', 4, 0),
    u('sps_max_sub_layers_minus1', 3, 2),
    flag('sps_temporal_id_nesting_flag', 0),
    ...ptl(),
    ue('sps_seq_parameter_set_id', 2),
    ue('chroma_format_idc', 2),
    ue('pic_width_in_luma_samples', 200),
    ue('pic_height_in_luma_samples', 120),
    flag('conformance_window_flag', 1),
    ue('conf_win_left_offset', 1),
    ue('conf_win_right_offset', 2),
    ue('conf_win_top_offset', 3),
    ue('conf_win_bottom_offset', 4),
    ue('bit_depth_luma_minus8', 2),
    ue('bit_depth_chroma_minus8', 2),
    ue('log2_max_pic_order_cnt_lsb_minus4', 4),
    flag('sps_sub_layer_ordering_info_present_flag', 0),
    ue('sps_max_dec_pic_buffering_minus1', 5),
    ue('sps_max_num_reorder_pics', 2),
    ue('sps_max_latency_increase_plus1', 0),
    ue('log2_min_luma_coding_block_size_minus3', 0),
    ue('log2_diff_max_min_luma_coding_block_size', 2),
    ue('log2_min_luma_transform_block_size_minus2', 0),
    ue('log2_diff_max_min_luma_transform_block_size', 3),
    ue('max_transform_hierarchy_depth_inter', 1),
    ue('max_transform_hierarchy_depth_intra', 1),
    flag('scaling_list_enabled_flag', 1),
    flag('sps_scaling_list_data_present_flag', 1),
    ...scalingListData(),
    flag('amp_enabled_flag', 1),
    flag('sample_adaptive_offset_enabled_flag', 1),
    flag('pcm_enabled_flag', 1),
    u('pcm_sample_bit_depth_luma_minus1', 4, 7),
    u('pcm_sample_bit_depth_chroma_minus1', 4, 7),
    ue('log2_min_pcm_luma_coding_block_size_minus3', 0),
    ue('log2_diff_max_min_pcm_luma_coding_block_size', 1),
    flag('pcm_loop_filter_disabled_flag', 1),
    ue('num_short_term_ref_pic_sets', 3),
    // set 0: explicit, two negative and one positive picture
    ue('num_negative_pics', 2),
    ue('num_positive_pics', 1),
    ue('delta_poc_s0_minus1', 0),
    flag('used_by_curr_pic_s0_flag', 1),
    ue('delta_poc_s0_minus1', 1),
    flag('used_by_curr_pic_s0_flag', 0),
    ue('delta_poc_s1_minus1', 0),
    flag('used_by_curr_pic_s1_flag', 1),
    // set 1: explicit, one negative picture
    flag('inter_ref_pic_set_prediction_flag', 0),
    ue('num_negative_pics', 1),
    ue('num_positive_pics', 0),
    ue('delta_poc_s0_minus1', 1),
    flag('used_by_curr_pic_s0_flag', 1),
    // set 2: predicted from set 1 with deltaRps = -1
    flag('inter_ref_pic_set_prediction_flag', 1),
    flag('delta_rps_sign', 1),
    ue('abs_delta_rps_minus1', 0),
    flag('used_by_curr_pic_flag', 1),
    flag('used_by_curr_pic_flag', 0),
    flag('use_delta_flag', 1),
    flag('long_term_ref_pics_present_flag', 1),
    ue('num_long_term_ref_pics_sps', 2),
    u('lt_ref_pic_poc_lsb_sps', 8, 5),
    flag('used_by_curr_pic_lt_sps_flag', 1),
    u('lt_ref_pic_poc_lsb_sps', 8, 200),
    flag('used_by_curr_pic_lt_sps_flag', 0),
    flag('sps_temporal_mvp_enabled_flag', 1),
    flag('strong_intra_smoothing_enabled_flag', 0),
    flag('vui_parameters_present_flag', 1),
    flag('aspect_ratio_info_present_flag', 1),
    u('aspect_ratio_idc', 8, 255),
    u('sar_width', 16, 16),
    u('sar_height', 16, 11),
    flag('overscan_info_present_flag', 0),
    flag('video_signal_type_present_flag', 1),
    u('video_format', 3, 2),
    flag('video_full_range_flag', 0),
    flag('colour_description_present_flag', 1),
    u('colour_primaries', 8, 9),
    u('transfer_characteristics', 8, 16),
    u('matrix_coeffs', 8, 9),
    flag('chroma_loc_info_present_flag', 1),
    ue('chroma_sample_loc_type_top_field', 1),
    ue('chroma_sample_loc_type_bottom_field', 1),
    flag('neutral_chroma_indication_flag', 0),
    flag('field_seq_flag', 0),
    flag('frame_field_info_present_flag', 1),
    flag('default_display_window_flag', 1),
    ue('def_disp_win_left_offset', 1),
    ue('def_disp_win_right_offset', 1),
    ue('def_disp_win_top_offset', 2),
    ue('def_disp_win_bottom_offset', 2),
    flag('vui_timing_info_present_flag', 1),
    u('vui_num_units_in_tick', 32, 1),
    u('vui_time_scale', 32, 50),
    flag('vui_poc_proportional_to_timing_flag', 0),
    flag('vui_hrd_parameters_present_flag', 1),
    ...hrd(true, false, true),
    flag('bitstream_restriction_flag', 1),
    flag('tiles_fixed_structure_flag', 0),
    flag('motion_vectors_over_pic_boundaries_flag', 1),
    flag('restricted_ref_pic_lists_flag', 1),
    ue('min_spatial_segmentation_idc', 0),
    ue('max_bytes_per_pic_denom', 2),
    ue('max_bits_per_min_cu_denom', 1),
    ue('log2_max_mv_length_horizontal', 15),
    ue('log2_max_mv_length_vertical', 15),
    flag('sps_extension_present_flag', 1),
    flag('sps_range_extension_flag', 1),
    flag('sps_multilayer_extension_flag', 0),
    flag('sps_3d_extension_flag', 0),
    flag('sps_scc_extension_flag', 0),
    u('sps_extension_4bits', 4, 0),
    ...[1, 0, 1, 0, 1, 0, 1, 0, 1].map((v, i) =>
      flag(
        [
          'transform_skip_rotation_enabled_flag',
          'transform_skip_context_enabled_flag',
          'implicit_rdpcm_enabled_flag',
          'explicit_rdpcm_enabled_flag',
          'extended_precision_processing_flag',
          'intra_smoothing_disabled_flag',
          'high_precision_offsets_enabled_flag',
          'persistent_rice_adaptation_enabled_flag',
          'cabac_bypass_alignment_enabled_flag',
        ][i] ?? '',
        v,
      ),
    ),
  ];
}

function pps(): Element[] {
  const defaults: Element[] = [];
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let m = 0; m < 6; m += sizeId === 3 ? 3 : 1) defaults.push(flag('scaling_list_pred_mode_flag', 0), ue('scaling_list_pred_matrix_id_delta', 0));
  }
  return [
    ...header(34),
    ue('pps_pic_parameter_set_id', 5),
    ue('pps_seq_parameter_set_id', 2),
    flag('dependent_slice_segments_enabled_flag', 1),
    flag('output_flag_present_flag', 1),
    u('num_extra_slice_header_bits', 3, 2),
    flag('sign_data_hiding_enabled_flag', 0),
    flag('cabac_init_present_flag', 1),
    ue('num_ref_idx_l0_default_active_minus1', 3),
    ue('num_ref_idx_l1_default_active_minus1', 1),
    se('init_qp_minus26', -5),
    flag('constrained_intra_pred_flag', 0),
    flag('transform_skip_enabled_flag', 1),
    flag('cu_qp_delta_enabled_flag', 1),
    ue('diff_cu_qp_delta_depth', 1),
    se('pps_cb_qp_offset', -2),
    se('pps_cr_qp_offset', 3),
    flag('pps_slice_chroma_qp_offsets_present_flag', 1),
    flag('weighted_pred_flag', 1),
    flag('weighted_bipred_flag', 1),
    flag('transquant_bypass_enabled_flag', 0),
    flag('tiles_enabled_flag', 1),
    flag('entropy_coding_sync_enabled_flag', 1),
    ue('num_tile_columns_minus1', 2),
    ue('num_tile_rows_minus1', 1),
    flag('uniform_spacing_flag', 0),
    ue('column_width_minus1', 1),
    ue('column_width_minus1', 2),
    ue('row_height_minus1', 1),
    flag('loop_filter_across_tiles_enabled_flag', 1),
    flag('pps_loop_filter_across_slices_enabled_flag', 0),
    flag('deblocking_filter_control_present_flag', 1),
    flag('deblocking_filter_override_enabled_flag', 1),
    flag('pps_deblocking_filter_disabled_flag', 0),
    se('pps_beta_offset_div2', -2),
    se('pps_tc_offset_div2', 1),
    flag('pps_scaling_list_data_present_flag', 1),
    ...defaults,
    flag('lists_modification_present_flag', 1),
    ue('log2_parallel_merge_level_minus2', 1),
    flag('slice_segment_header_extension_present_flag', 0),
    flag('pps_extension_present_flag', 1),
    flag('pps_range_extension_flag', 1),
    flag('pps_multilayer_extension_flag', 0),
    flag('pps_3d_extension_flag', 0),
    flag('pps_scc_extension_flag', 0),
    u('pps_extension_4bits', 4, 0),
    ue('log2_max_transform_skip_block_size_minus2', 1),
    flag('cross_component_prediction_enabled_flag', 1),
    flag('chroma_qp_offset_list_enabled_flag', 1),
    ue('diff_cu_chroma_qp_offset_depth', 1),
    ue('chroma_qp_offset_list_len_minus1', 1),
    se('cb_qp_offset_list', -1),
    se('cr_qp_offset_list', 1),
    se('cb_qp_offset_list', 2),
    se('cr_qp_offset_list', -2),
    ue('log2_sao_offset_scale_luma', 0),
    ue('log2_sao_offset_scale_chroma', 0),
  ];
}

const leafValues = (locations: { path: string; value: number }[]): [string, number][] =>
  locations.map((l) => [(l.path.split('.').pop() ?? '').replace(/\[\d+\]/g, ''), l.value]);

function section(trace: TraceSection[], title: string): TraceSection {
  const s = trace.find((t) => t.title === title);
  assert.ok(s, `ffmpeg traced a ${title}`);
  return s;
}

test('hand-made VPS/SPS/PPS with sub-layers, HRD, scaling lists, RPS, PCM and range extensions equal ffmpeg trace_headers', () => {
  const [vpsNal, spsNal, ppsNal] = [buildNal(vps()), buildNal(sps()), buildNal(pps())];
  const v = parseH265Vps(vpsNal);
  const s = parseH265Sps(spsNal);
  const p = parseH265Pps(ppsNal);
  assert.deepEqual([v.issues, s.issues, p.issues], [[], [], []]);
  assert.deepEqual(leafValues(v.locations), vps().map(([n, , x]) => [n, x]));
  assert.deepEqual(leafValues(s.locations), sps().map(([n, , x]) => [n, x]));
  assert.deepEqual(leafValues(p.locations), pps().map(([n, , x]) => [n, x]));
  const trace = traceNals('h265', [vpsNal, spsNal, ppsNal], 'rich-hevc');
  assertMatchesTrace(v.locations, section(trace, 'Video Parameter Set').lines, 'h265', 'VPS');
  assertMatchesTrace(s.locations, section(trace, 'Sequence Parameter Set').lines, 'h265', 'SPS');
  assertMatchesTrace(p.locations, section(trace, 'Picture Parameter Set').lines, 'h265', 'PPS');
});

test('hand-made SPS: derived sizes, reference picture sets (incl. inter prediction), scaling lists, names', () => {
  const s = parseH265Sps(buildNal(sps()));
  const d = s.derived;
  assert.equal(d.profileName, 'Main 4:2:2 10');
  assert.equal(d.tier, 'High');
  assert.equal(d.level, '4.1');
  assert.equal(hevcCodecStringFromSps(s), 'hvc1.4.10.H123.9D.8');
  assert.deepEqual([d.SubWidthC, d.SubHeightC], [2, 1]);
  assert.deepEqual(d.conformanceWindow, { left: 2, right: 4, top: 3, bottom: 4 });
  assert.deepEqual([d.displayWidth, d.displayHeight], [194, 113]);
  assert.deepEqual(d.defaultDisplayWindow, { left: 2, right: 2, top: 2, bottom: 2 });
  assert.deepEqual([d.CtbSizeY, d.PicWidthInCtbsY, d.PicHeightInCtbsY], [32, 7, 4]);
  assert.equal(d.maxDecPicBuffering, 6);
  assert.deepEqual(s.fields.sps_max_dec_pic_buffering_minus1, [null, null, 5]);
  assert.deepEqual(d.stRps, [
    { NumNegativePics: 2, NumPositivePics: 1, DeltaPocS0: [-1, -3], UsedByCurrPicS0: [1, 0], DeltaPocS1: [1], UsedByCurrPicS1: [1] },
    { NumNegativePics: 1, NumPositivePics: 0, DeltaPocS0: [-2], UsedByCurrPicS0: [1], DeltaPocS1: [], UsedByCurrPicS1: [] },
    { NumNegativePics: 2, NumPositivePics: 0, DeltaPocS0: [-1, -3], UsedByCurrPicS0: [0, 1], DeltaPocS1: [], UsedByCurrPicS1: [] },
  ]);
  const lists = d.scalingLists;
  assert.ok(lists);
  assert.deepEqual(lists.ScalingList[0]?.[1], lists.ScalingList[0]?.[0]); // predicted copy
  assert.deepEqual(lists.ScalingList[0]?.[2], new Array<number>(16).fill(16)); // default 4x4
  assert.deepEqual(lists.ScalingList[1]?.[5], lists.ScalingList[1]?.[0]); // chain of copies
  assert.deepEqual(lists.dc[0], [12, 12, 16, 16, 16, 16]);
  assert.deepEqual(lists.dc[1], [6, null, null, 6, null, null]);
  assert.equal(d.frameRate, 50);
  assert.equal(d.hrd?.subLayers.length, 3);
  assert.deepEqual(d.hrd?.subLayers[0], [
    { bitRate: 1001 * 2 ** 8, cpbSize: 2001 * 2 ** 7, cbr: false },
    { bitRate: 1501 * 2 ** 8, cpbSize: 2501 * 2 ** 7, cbr: true },
  ]);
  const p = parseH265Pps(buildNal(pps()));
  assert.equal(p.derived.parallelismType, 0);
  assert.deepEqual(p.fields.column_width_minus1, [1, 2]);
  const v = parseH265Vps(buildNal(vps()));
  assert.equal(v.derived.frameRate, 60000 / 1001);
});

test('an hrd_parameters() without common information inherits the NAL/VCL flags of the previous one (E.3.2)', () => {
  const elements = vps();
  // switch the second hrd_parameters() to cprms_present_flag = 0: its common part (13 elements with sub-picture
  // parameters) is not coded, and its sub-layers are coded as the first one's flags say
  const idx = elements.findIndex(([n]) => n === 'cprms_present_flag');
  const withoutCommon = [...elements.slice(0, idx), flag('cprms_present_flag', 0), ...hrd(true, true, true).slice(13), flag('vps_extension_flag', 0)];
  const v = parseH265Vps(buildNal(withoutCommon));
  assert.deepEqual(v.issues, []);
  const hrds = v.fields.hrd_parameters as Record<string, unknown>[];
  assert.equal(hrds.length, 2);
  // sub-picture fields are read because the first hrd_parameters() had them
  assert.ok(Array.isArray(hrds[1]?.vcl_sub_layer_hrd_parameters));
  assert.ok(v.locations.some((l) => l.path.startsWith('hrd_parameters[1].nal_sub_layer_hrd_parameters[0].cpb_size_du_value_minus1')));
});

test('H.265 slice types come from the slice header with the PPS context (extra slice header bits, dependent slices)', () => {
  const spsNal = buildNal(sps());
  const ppsNal = buildNal(pps());
  const ref = buildParameterSetReference('h265', [spsNal, ppsNal]);
  assert.deepEqual(ref.hevcPps.get(5), { dependent_slice_segments_enabled_flag: 1, num_extra_slice_header_bits: 2, sliceAddressBits: 5 });
  // TRAIL_R slice, first in picture: first_slice_segment_in_pic_flag 1, pps id 5, two reserved bits, slice_type P (1)
  const slice = buildNal([u('forbidden_zero_bit', 1, 0), u('nal_unit_type', 6, 1), u('nuh_layer_id', 6, 0), u('nuh_temporal_id_plus1', 3, 1), flag('first', 1), ue('pps', 5), u('reserved', 2, 3), ue('slice_type', 1), u('data', 16, 0xabcd)]);
  // a second, dependent segment: slice_segment_address 7 in 5 bits, no slice_type
  const dependent = buildNal([u('forbidden_zero_bit', 1, 0), u('nal_unit_type', 6, 1), u('nuh_layer_id', 6, 0), u('nuh_temporal_id_plus1', 3, 1), flag('first', 0), ue('pps', 5), flag('dependent', 1), u('address', 5, 7), u('data', 16, 0xabcd)]);
  // an independent second segment: slice_type B
  const second = buildNal([u('forbidden_zero_bit', 1, 0), u('nal_unit_type', 6, 1), u('nuh_layer_id', 6, 0), u('nuh_temporal_id_plus1', 3, 1), flag('first', 0), ue('pps', 5), flag('dependent', 0), u('address', 5, 9), u('reserved', 2, 0), ue('slice_type', 0), u('data', 16, 0xabcd)]);
  const frame = new Uint8Array(12 + slice.length + dependent.length + second.length);
  let pos = 0;
  for (const nal of [slice, dependent, second]) {
    new DataView(frame.buffer).setUint32(pos, nal.length);
    frame.set(nal, pos + 4);
    pos += 4 + nal.length;
  }
  const a = analyzeFrameNals(frame, { codec: 'h265', expected: 4, reference: ref });
  assert.deepEqual(a.issues, []);
  assert.deepEqual(
    a.nalUnits.map((n) => [n.first_slice_segment_in_pic_flag, n.pic_parameter_set_id, n.sliceTypeName]),
    [
      [1, 5, 'P'],
      [0, 5, undefined],
      [0, 5, 'B'],
    ],
  );
  assert.deepEqual(a.sliceTypes, ['P', 'B']);
});

test('a conformance window that removes the whole picture (a damaged SPS) is an error, and the size shown is the coded one', () => {
  // 4:2:2: SubWidthC 2, so left 60 + right 41 units take 202 of the 200 columns.
  const damaged = sps().map((e): Element => (e[0] === 'conf_win_left_offset' ? ue(e[0], 60) : e[0] === 'conf_win_right_offset' ? ue(e[0], 41) : e));
  const s = parseH265Sps(buildNal(damaged));
  assert.deepEqual([s.derived.displayWidth, s.derived.displayHeight], [200, 120]);
  assert.deepEqual(s.derived.conformanceWindow, { left: 120, right: 82, top: 3, bottom: 4 });
  const errors = s.issues.filter((i) => i.severity === 'error');
  assert.deepEqual(errors.map((i) => i.code), ['HEVC_SPS_CONFORMANCE_WINDOW_INVALID']);
  assert.match(errors[0]?.message ?? '', /left 120, right 82, top 3, bottom 4\); the size shown is the whole coded picture/);
});
