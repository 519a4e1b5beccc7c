import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFrameNals, buildParameterSetReference, parseH264Pps, parseH264Sps } from '../../../../src/formats/codecs/index';
import { DEFAULT_4X4_INTER, DEFAULT_4X4_INTRA, DEFAULT_8X8_INTER } from '../../../../src/formats/codecs/h264/scalingList';
import { assertMatchesTrace } from './helpers/compare';
import { buildNal, flag, scalingListDeltas, se, u, ue } from './helpers/elements';
import type { Element } from './helpers/elements';
import { traceNals } from './helpers/ffmpeg';
import type { TraceSection } from './helpers/ffmpeg';

const LIST0 = [6, 13, 13, 20, 20, 20, 28, 28, 28, 28, 32, 32, 32, 37, 37, 42].map((v) => v + 1);
const FLAT20 = new Array<number>(16).fill(20);
const LIST8 = Array.from({ length: 64 }, (_, i) => 8 + Math.floor(i / 2));

/** High 4:4:4 with separate colour planes, SPS scaling lists, POC type 1, field coding, cropping and a full VUI. */
function richSps(): Element[] {
  const present = [1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0];
  const lists: Element[] = [];
  present.forEach((p, i) => {
    lists.push(flag('seq_scaling_list_present_flag', p));
    if (!p) return;
    if (i === 0) lists.push(...scalingListDeltas('delta_scale', LIST0));
    else if (i === 1) lists.push(...scalingListDeltas('delta_scale', 'default'));
    else if (i === 4) lists.push(...scalingListDeltas('delta_scale', FLAT20));
    else if (i === 6) lists.push(...scalingListDeltas('delta_scale', LIST8));
    else lists.push(...scalingListDeltas('delta_scale', 'default'));
  });
  const hrd = (cpbs: [number, number, number][]): Element[] => [
    ue('cpb_cnt_minus1', cpbs.length - 1),
    u('bit_rate_scale', 4, 2),
    u('cpb_size_scale', 4, 3),
    ...cpbs.flatMap(([rate, size, cbr]) => [ue('bit_rate_value_minus1', rate), ue('cpb_size_value_minus1', size), flag('cbr_flag', cbr)]),
    u('initial_cpb_removal_delay_length_minus1', 5, 23),
    u('cpb_removal_delay_length_minus1', 5, 23),
    u('dpb_output_delay_length_minus1', 5, 23),
    u('time_offset_length', 5, 24),
  ];
  return [
    u('forbidden_zero_bit', 1, 0),
    u('nal_ref_idc', 2, 3),
    u('nal_unit_type', 5, 7),
    u('profile_idc', 8, 244),
    ...[0, 0, 0, 1, 0, 0].map((v, i) => flag(`constraint_set${i}_flag`, v)),
    u('reserved_zero_2bits', 2, 0),
    u('level_idc', 8, 40),
    ue('seq_parameter_set_id', 3),
    ue('chroma_format_idc', 3),
    flag('separate_colour_plane_flag', 1),
    ue('bit_depth_luma_minus8', 2),
    ue('bit_depth_chroma_minus8', 2),
    flag('qpprime_y_zero_transform_bypass_flag', 1),
    flag('seq_scaling_matrix_present_flag', 1),
    ...lists,
    ue('log2_max_frame_num_minus4', 5),
    ue('pic_order_cnt_type', 1),
    flag('delta_pic_order_always_zero_flag', 0),
    se('offset_for_non_ref_pic', -3),
    se('offset_for_top_to_bottom_field', 2),
    ue('num_ref_frames_in_pic_order_cnt_cycle', 3),
    se('offset_for_ref_frame', 1),
    se('offset_for_ref_frame', -1),
    se('offset_for_ref_frame', 4),
    ue('max_num_ref_frames', 4),
    flag('gaps_in_frame_num_value_allowed_flag', 1),
    ue('pic_width_in_mbs_minus1', 79),
    ue('pic_height_in_map_units_minus1', 22),
    flag('frame_mbs_only_flag', 0),
    flag('mb_adaptive_frame_field_flag', 1),
    flag('direct_8x8_inference_flag', 1),
    flag('frame_cropping_flag', 1),
    ue('frame_crop_left_offset', 1),
    ue('frame_crop_right_offset', 3),
    ue('frame_crop_top_offset', 2),
    ue('frame_crop_bottom_offset', 5),
    flag('vui_parameters_present_flag', 1),
    flag('aspect_ratio_info_present_flag', 1),
    u('aspect_ratio_idc', 8, 255),
    u('sar_width', 16, 4),
    u('sar_height', 16, 3),
    flag('overscan_info_present_flag', 1),
    flag('overscan_appropriate_flag', 0),
    flag('video_signal_type_present_flag', 1),
    u('video_format', 3, 5),
    flag('video_full_range_flag', 1),
    flag('colour_description_present_flag', 1),
    u('colour_primaries', 8, 1),
    u('transfer_characteristics', 8, 1),
    u('matrix_coefficients', 8, 1),
    flag('chroma_loc_info_present_flag', 1),
    ue('chroma_sample_loc_type_top_field', 2),
    ue('chroma_sample_loc_type_bottom_field', 3),
    flag('timing_info_present_flag', 1),
    u('num_units_in_tick', 32, 1001),
    u('time_scale', 32, 60000),
    flag('fixed_frame_rate_flag', 1),
    flag('nal_hrd_parameters_present_flag', 1),
    ...hrd([
      [1000, 2000, 0],
      [1500, 3000, 1],
    ]),
    flag('vcl_hrd_parameters_present_flag', 1),
    ...hrd([[900, 1800, 0]]),
    flag('low_delay_hrd_flag', 0),
    flag('pic_struct_present_flag', 1),
    flag('bitstream_restriction_flag', 1),
    flag('motion_vectors_over_pic_boundaries_flag', 1),
    ue('max_bytes_per_pic_denom', 2),
    ue('max_bits_per_mb_denom', 1),
    ue('log2_max_mv_length_horizontal', 16),
    ue('log2_max_mv_length_vertical', 16),
    ue('max_num_reorder_frames', 2),
    ue('max_dec_frame_buffering', 4),
  ];
}

/** A PPS with explicit slice groups (map type 6), 8x8 transform and PPS scaling lists for a 4:4:4 SPS. */
function richPps(mapType: 0 | 2 | 3 | 6): Element[] {
  const groups: Element[] = [ue('num_slice_groups_minus1', 2), ue('slice_group_map_type', mapType)];
  if (mapType === 0) groups.push(ue('run_length_minus1', 4), ue('run_length_minus1', 0), ue('run_length_minus1', 9));
  if (mapType === 2) groups.push(ue('top_left', 0), ue('bottom_right', 10), ue('top_left', 20), ue('bottom_right', 30));
  if (mapType === 3) groups.push(flag('slice_group_change_direction_flag', 1), ue('slice_group_change_rate_minus1', 7));
  // PicSizeInMapUnits of the rich SPS: 80 x 23
  if (mapType === 6) groups.push(ue('pic_size_in_map_units_minus1', 1839), ...Array.from({ length: 1840 }, (_, i) => u('slice_group_id', 2, i % 3)));
  const present = [0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0];
  const lists: Element[] = [];
  present.forEach((p, i) => {
    lists.push(flag('pic_scaling_list_present_flag', p));
    if (p) lists.push(...scalingListDeltas('delta_scale', i === 3 ? FLAT20 : LIST8));
  });
  return [
    u('forbidden_zero_bit', 1, 0),
    u('nal_ref_idc', 2, 3),
    u('nal_unit_type', 5, 8),
    ue('pic_parameter_set_id', 7),
    ue('seq_parameter_set_id', 3),
    flag('entropy_coding_mode_flag', 0),
    flag('bottom_field_pic_order_in_frame_present_flag', 1),
    ...groups,
    ue('num_ref_idx_l0_default_active_minus1', 3),
    ue('num_ref_idx_l1_default_active_minus1', 1),
    flag('weighted_pred_flag', 1),
    u('weighted_bipred_idc', 2, 2),
    se('pic_init_qp_minus26', -4),
    se('pic_init_qs_minus26', 3),
    se('chroma_qp_index_offset', -2),
    flag('deblocking_filter_control_present_flag', 1),
    flag('constrained_intra_pred_flag', 1),
    flag('redundant_pic_cnt_present_flag', 0),
    flag('transform_8x8_mode_flag', 1),
    flag('pic_scaling_matrix_present_flag', 1),
    ...lists,
    se('second_chroma_qp_index_offset', 5),
  ];
}

function only(trace: TraceSection[], title: string): TraceSection {
  const s = trace.find((t) => t.title === title);
  assert.ok(s, `ffmpeg traced a ${title}`);
  return s;
}

test('hand-made High 4:4:4 SPS: every element equals ffmpeg trace_headers; derived sizes, rates, HRD and matrices', () => {
  const elements = richSps();
  const nal = buildNal(elements);
  const sps = parseH264Sps(nal, 300);
  assert.deepEqual(sps.issues, []);
  assert.deepEqual(
    sps.locations.map((l) => [l.path.split('.').pop()?.replace(/\[\d+\]/g, ''), l.value]),
    elements.map(([name, , value]) => [name, value]),
  );
  const trace = traceNals('h264', [nal], 'rich-sps');
  assertMatchesTrace(sps.locations, only(trace, 'Sequence Parameter Set').lines, 'h264', 'rich SPS');

  const d = sps.derived;
  assert.equal(d.profileName, 'High 4:4:4 Intra');
  assert.equal(d.ChromaArrayType, 0);
  assert.equal(d.SubWidthC, undefined);
  assert.equal(d.CropUnitX, 1);
  assert.equal(d.CropUnitY, 2);
  assert.equal(d.codedWidth, 1280);
  assert.equal(d.codedHeight, 736);
  assert.deepEqual(d.crop, { left: 1, right: 3, top: 4, bottom: 10 });
  assert.equal(d.displayWidth, 1276);
  assert.equal(d.displayHeight, 722);
  assert.equal(d.BitDepthY, 10);
  assert.equal(d.MaxFrameNum, 512);
  assert.deepEqual(d.sampleAspectRatio, [4, 3]);
  assert.equal(d.frameRate, 60000 / 2002);
  assert.equal(d.maxNumReorderFrames, 2);
  assert.deepEqual(d.nalHrd?.schedules, [
    { bitRate: 1001 * 2 ** 8, cpbSize: 2001 * 2 ** 7, cbr: false },
    { bitRate: 1501 * 2 ** 8, cpbSize: 3001 * 2 ** 7, cbr: true },
  ]);
  assert.equal(d.vclHrd?.schedules.length, 1);
  assert.deepEqual(sps.fields.offset_for_ref_frame, [1, -1, 4]);
  const vui = sps.fields.vui_parameters as Record<string, unknown>;
  assert.deepEqual((vui.nal_hrd_parameters as Record<string, unknown>).bit_rate_value_minus1, [1000, 1500]);
  // scaling lists: coded, default (UseDefaultScalingMatrixFlag), and fall-back rule A for absent ones
  const m = d.scalingMatrices;
  assert.ok(m);
  assert.deepEqual(m.ScalingList4x4[0], LIST0);
  assert.deepEqual(m.ScalingList4x4[1], DEFAULT_4X4_INTRA);
  assert.deepEqual(m.ScalingList4x4[2], DEFAULT_4X4_INTRA); // absent: copies list 1
  assert.deepEqual(m.ScalingList4x4[3], DEFAULT_4X4_INTER); // absent: the default
  assert.deepEqual(m.ScalingList4x4[4], FLAT20);
  assert.deepEqual(m.ScalingList4x4[5], FLAT20);
  assert.deepEqual(m.ScalingList8x8[0], LIST8);
  assert.deepEqual(m.ScalingList8x8[1], DEFAULT_8X8_INTER);
  assert.deepEqual(m.ScalingList8x8[2], LIST8); // i = 8 falls back to i = 6
  assert.deepEqual(m.ScalingList8x8[3], DEFAULT_8X8_INTER); // i = 9 (Cb inter) coded as default
  assert.deepEqual(m.ScalingList8x8[4], LIST8); // i = 10 falls back to i = 8
  assert.equal(m.ScalingList8x8.length, 6);
});

for (const mapType of [0, 2, 3, 6] as const) {
  test(`hand-made PPS with slice_group_map_type ${mapType} and 4:4:4 scaling lists equals ffmpeg trace_headers`, () => {
    const spsNal = buildNal(richSps());
    const sps = parseH264Sps(spsNal);
    const elements = richPps(mapType);
    const nal = buildNal(elements);
    const pps = parseH264Pps(nal, 0, [sps]);
    assert.deepEqual(pps.issues, []);
    assert.deepEqual(
      pps.locations.map((l) => [l.path.split('.').pop()?.replace(/\[\d+\]/g, ''), l.value]),
      elements.map(([name, , value]) => [name, value]),
    );
    const trace = traceNals('h264', [spsNal, nal], `rich-pps-${mapType}`);
    assertMatchesTrace(pps.locations, only(trace, 'Picture Parameter Set').lines, 'h264', `PPS map type ${mapType}`);
    const m = pps.derived.scalingMatrices;
    assert.ok(m);
    assert.deepEqual(m.ScalingList4x4[0], LIST0); // rule B: from the SPS
    assert.deepEqual(m.ScalingList4x4[3], FLAT20);
    assert.deepEqual(m.ScalingList4x4[4], FLAT20); // rule B: previous list
    assert.deepEqual(m.ScalingList8x8[0], LIST8);
    assert.deepEqual(m.ScalingList8x8[1], DEFAULT_8X8_INTER); // rule B: the SPS's list 7
    assert.deepEqual(m.ScalingList8x8[4], LIST8);
    assert.equal(pps.derived.entropyCoding, 'CAVLC');
  });
}

/** Minimal SPS for the crop-unit matrix: one per chroma_format_idc, separate planes, and frame/field coding. */
function cropSps(chroma: number, separate: boolean, frameMbsOnly: boolean, crop = [1, 2, 1, 2]): Uint8Array {
  return buildNal([
    u('forbidden_zero_bit', 1, 0),
    u('nal_ref_idc', 2, 3),
    u('nal_unit_type', 5, 7),
    u('profile_idc', 8, 244),
    u('constraint_flags', 8, 0),
    u('level_idc', 8, 30),
    ue('seq_parameter_set_id', 0),
    ue('chroma_format_idc', chroma),
    ...(chroma === 3 ? [flag('separate_colour_plane_flag', separate)] : []),
    ue('bit_depth_luma_minus8', 0),
    ue('bit_depth_chroma_minus8', 0),
    flag('qpprime_y_zero_transform_bypass_flag', 0),
    flag('seq_scaling_matrix_present_flag', 0),
    ue('log2_max_frame_num_minus4', 0),
    ue('pic_order_cnt_type', 2),
    ue('max_num_ref_frames', 1),
    flag('gaps_in_frame_num_value_allowed_flag', 0),
    ue('pic_width_in_mbs_minus1', 19),
    ue('pic_height_in_map_units_minus1', frameMbsOnly ? 15 : 7),
    flag('frame_mbs_only_flag', frameMbsOnly),
    ...(frameMbsOnly ? [] : [flag('mb_adaptive_frame_field_flag', 0)]),
    flag('direct_8x8_inference_flag', 1),
    flag('frame_cropping_flag', 1),
    ue('frame_crop_left_offset', crop[0] ?? 0),
    ue('frame_crop_right_offset', crop[1] ?? 0),
    ue('frame_crop_top_offset', crop[2] ?? 0),
    ue('frame_crop_bottom_offset', crop[3] ?? 0),
    flag('vui_parameters_present_flag', 0),
  ]);
}

test('display size after cropping is right for every chroma format, separate planes, frames and fields (7-19..7-22)', () => {
  // [chroma_format_idc, separate_colour_plane_flag, CropUnitX, SubHeightC-or-1 for fields factor]
  const cases: [number, boolean, number, number][] = [
    [0, false, 1, 1],
    [1, false, 2, 2],
    [2, false, 2, 1],
    [3, false, 1, 1],
    [3, true, 1, 1],
  ];
  for (const [chroma, separate, unitX, subHeight] of cases) {
    for (const frameMbsOnly of [true, false]) {
      const nal = cropSps(chroma, separate, frameMbsOnly);
      const sps = parseH264Sps(nal);
      const unitY = subHeight * (frameMbsOnly ? 1 : 2);
      const label = `chroma ${chroma}${separate ? ' separate' : ''} ${frameMbsOnly ? 'frames' : 'fields'}`;
      assert.deepEqual(sps.issues, [], label);
      assert.equal(sps.derived.CropUnitX, unitX, label);
      assert.equal(sps.derived.CropUnitY, unitY, label);
      assert.equal(sps.derived.codedHeight, 256, label);
      assert.equal(sps.derived.displayWidth, 320 - 3 * unitX, label);
      assert.equal(sps.derived.displayHeight, 256 - 3 * unitY, label);
    }
  }
});

test('cropping that removes the whole picture (a damaged SPS) is an error, and the size shown is the coded one, never negative', () => {
  // 320x256 4:2:0 frames: crop units of 2, so 100 + 70 units take 340 of the 320 columns.
  for (const crop of [[100, 70, 0, 0], [0, 0, 64, 64], [0, 0, 2000, 0]]) {
    const sps = parseH264Sps(cropSps(1, false, true, crop));
    const d = sps.derived;
    assert.deepEqual([d.displayWidth, d.displayHeight], [320, 256], String(crop));
    assert.deepEqual(d.crop, { left: 2 * (crop[0] ?? 0), right: 2 * (crop[1] ?? 0), top: 2 * (crop[2] ?? 0), bottom: 2 * (crop[3] ?? 0) });
    const [only] = sps.issues;
    assert.equal(sps.issues.length, 1);
    assert.equal(only?.code, 'H264_SPS_CROP_INVALID');
    assert.match(only?.message ?? '', /removes more than the coded 320x256 picture .*the size shown is the whole coded picture/);
  }
});

test('a field slice (PAFF): field_pic_flag and bottom_field_flag as trace_headers reads them, and the picture is a field', () => {
  const sps = cropSps(1, false, false); // frame_mbs_only_flag 0, mb_adaptive_frame_field_flag 0
  const pps = buildNal([
    u('forbidden_zero_bit', 1, 0), u('nal_ref_idc', 2, 3), u('nal_unit_type', 5, 8),
    ue('pic_parameter_set_id', 0), ue('seq_parameter_set_id', 0), flag('entropy_coding_mode_flag', 0),
    flag('bottom_field_pic_order_in_frame_present_flag', 0), ue('num_slice_groups_minus1', 0),
    ue('num_ref_idx_l0_default_active_minus1', 0), ue('num_ref_idx_l1_default_active_minus1', 0),
    flag('weighted_pred_flag', 0), u('weighted_bipred_idc', 2, 0), se('pic_init_qp_minus26', 0), se('pic_init_qs_minus26', 0),
    se('chroma_qp_index_offset', 0), flag('deblocking_filter_control_present_flag', 0), flag('constrained_intra_pred_flag', 0),
    flag('redundant_pic_cnt_present_flag', 0),
  ]);
  const slice = buildNal([
    u('forbidden_zero_bit', 1, 0), u('nal_ref_idc', 2, 3), u('nal_unit_type', 5, 5),
    ue('first_mb_in_slice', 0), ue('slice_type', 7), ue('pic_parameter_set_id', 0), u('frame_num', 4, 0),
    flag('field_pic_flag', 1), flag('bottom_field_flag', 1), ue('idr_pic_id', 0),
    flag('no_output_of_prior_pics_flag', 0), flag('long_term_reference_flag', 0), se('slice_qp_delta', 0),
  ]);
  const trace = traceNals('h264', [sps, pps, slice], 'paff-field');
  const header = trace.find((section) => section.lines.some((line) => line.name === 'field_pic_flag'));
  assert.deepEqual(['field_pic_flag', 'bottom_field_flag'].map((name) => header?.lines.find((line) => line.name === name)?.value), [1, 1]);
  const reference = buildParameterSetReference('h264', [sps, pps]);
  const frame = Uint8Array.from([0, 0, 0, slice.length, ...slice]);
  const a = analyzeFrameNals(frame, { codec: 'h264', expected: 4, reference });
  const [unit] = a.nalUnits;
  assert.deepEqual([unit?.field_pic_flag, unit?.bottom_field_flag, unit?.MbaffFrameFlag, a.pictureStructure], [1, 1, 0, 'field']);
});
