import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkAacCodecPrivate,
  checkVideoCodecPrivate,
  checkWaveFormatCodecPrivate,
  parseAudioSpecificConfig,
  parseAvcDecoderConfigurationRecord,
  parseH264Pps,
  parseH264Sps,
  parseH265Pps,
  parseH265Sps,
  parseH265Vps,
  parseHevcDecoderConfigurationRecord,
} from '../../../../src/formats/codecs/index';
import type { ParsedSyntax } from '../../../../src/formats/codecs/index';
import { buildNal, u, ue } from './helpers/elements';
import { epbPositions, assertLocationsReadBackFromRaw } from './helpers/rawBits';
import { extradata, media } from './helpers/ffmpeg';

const avcc = extradata(media('h264-high.mkv'));
const avcRecord = parseAvcDecoderConfigurationRecord(avcc);
const hvcc = extradata(media('h265-main10.mkv'));
const hvcRecord = parseHevcDecoderConfigurationRecord(hvcc);
const nalOf = (cpd: Uint8Array, s: { offset: number; length: number }): Uint8Array => cpd.subarray(s.offset, s.offset + s.length);

test('the fixture SPS has emulation-prevention bytes and every location reads back from the raw bytes', () => {
  const sps = avcRecord.sps[0];
  assert.ok(sps);
  const nal = nalOf(avcc, sps);
  assert.deepEqual([...epbPositions(nal)], [13, 18]);
  assertLocationsReadBackFromRaw(nal, sps.offset, sps.locations);
  // elements after the first EPB sit one byte later in the input than in the RBSP
  const late = sps.locations.filter((l) => l.bitOffset >= 14 * 8);
  assert.ok(late.length > 0);
  for (const l of late) assert.ok(l.byteOffset - sps.offset > Math.floor(l.bitOffset / 8), l.path);
  for (const s of avcRecord.pps) assertLocationsReadBackFromRaw(nalOf(avcc, s), s.offset, s.locations);
  for (const s of [...hvcRecord.vps, ...hvcRecord.sps, ...hvcRecord.pps]) assertLocationsReadBackFromRaw(nalOf(hvcc, s), s.offset, s.locations);
});

test('hand-made SPS whose elements straddle emulation-prevention bytes: offsets and lengths map back to raw bytes', () => {
  // time_scale 0x00000003 and num_units_in_tick 0 force 00 00 03 sequences inside 32-bit elements
  const elements = [
    u('forbidden_zero_bit', 1, 0), u('nal_ref_idc', 2, 3), u('nal_unit_type', 5, 7),
    u('profile_idc', 8, 66), u('constraint', 8, 0), u('level_idc', 8, 0),
    ue('seq_parameter_set_id', 0), ue('log2_max_frame_num_minus4', 0), ue('pic_order_cnt_type', 2), ue('max_num_ref_frames', 0),
    u('gaps', 1, 0), ue('w', 0), ue('h', 0), u('frame_mbs_only_flag', 1, 1), u('direct', 1, 0), u('crop', 1, 0),
    u('vui_parameters_present_flag', 1, 1), u('aspect', 1, 0), u('overscan', 1, 0), u('signal', 1, 0), u('chroma_loc', 1, 0),
    u('timing_info_present_flag', 1, 1), u('num_units_in_tick', 32, 0), u('time_scale', 32, 3), u('fixed', 1, 0),
    u('nal_hrd', 1, 0), u('vcl_hrd', 1, 0), u('pic_struct', 1, 0), u('restriction', 1, 0),
  ];
  const nal = buildNal(elements);
  assert.ok(epbPositions(nal).size >= 2);
  const sps = parseH264Sps(nal, 5000);
  assert.deepEqual(sps.issues, []);
  assertLocationsReadBackFromRaw(nal, 5000, sps.locations);
  const scale = sps.locations.find((l) => l.path === 'vui_parameters.time_scale');
  assert.ok(scale && scale.byteLength >= 5, 'time_scale spans an emulation-prevention byte');
  assert.equal(sps.derived.frameRate, undefined); // num_units_in_tick 0: no rate
});

/**
 * Every prefix parses to the beginning of the complete parse. It also yields an issue, except where a
 * prefix is itself a valid structure (a PPS cut before its optional High-profile part can be).
 */
function assertPrefixBehaviour(label: string, full: Uint8Array, parse: (b: Uint8Array) => ParsedSyntax<unknown>, mayLookComplete = false): void {
  const complete = parse(full);
  for (let n = 0; n < full.length; n++) {
    const part = parse(full.subarray(0, n));
    if (!mayLookComplete || n < 3) assert.ok(part.issues.length > 0, `${label}: ${n} of ${full.length} bytes gives an issue`);
    assert.ok(part.locations.length <= complete.locations.length, `${label} ${n}`);
    // what was read is exactly the beginning of the complete parse
    part.locations.forEach((l, i) => assert.deepEqual(l, complete.locations[i], `${label} ${n}: location ${i}`));
  }
}

test('truncated at every byte length: SPS, PPS, VPS, avcC, hvcC and ASC give the fields read so far plus an issue', () => {
  const sps = avcRecord.sps[0];
  const pps = avcRecord.pps[0];
  assert.ok(sps && pps);
  assertPrefixBehaviour('H.264 SPS', nalOf(avcc, sps), (b) => parseH264Sps(b));
  assertPrefixBehaviour('H.264 PPS', nalOf(avcc, pps), (b) => parseH264Pps(b, 0, sps), true);
  const [vps, hsps, hpps] = [hvcRecord.vps[0], hvcRecord.sps[0], hvcRecord.pps[0]];
  assert.ok(vps && hsps && hpps);
  assertPrefixBehaviour('H.265 VPS', nalOf(hvcc, vps), (b) => parseH265Vps(b));
  assertPrefixBehaviour('H.265 SPS', nalOf(hvcc, hsps), (b) => parseH265Sps(b));
  assertPrefixBehaviour('H.265 PPS', nalOf(hvcc, hpps), (b) => parseH265Pps(b));
  assertPrefixBehaviour('avcC', avcc, (b) => parseAvcDecoderConfigurationRecord(b));
  assertPrefixBehaviour('hvcC', hvcc.subarray(0, 200), (b) => parseHevcDecoderConfigurationRecord(b));
  assertPrefixBehaviour('ASC', Uint8Array.of(0x2b, 0x92, 0x08, 0x00).subarray(0, 3), (b) => parseAudioSpecificConfig(b));

  // cut inside the VUI: the picture size is known, the frame rate is not
  const inVui = parseH264Sps(nalOf(avcc, sps).subarray(0, 12));
  assert.equal(inVui.issues[0]?.code, 'H264_SPS_TRUNCATED');
  assert.match(inVui.issues[0]?.message ?? '', /vui_parameters\./);
  assert.equal(inVui.derived.displayWidth, 320);
  assert.equal(inVui.derived.frameRate, undefined);
  // cut before the picture size
  const early = parseH264Sps(nalOf(avcc, sps).subarray(0, 6));
  assert.equal(early.fields.profile_idc, 100);
  assert.equal(early.derived.profileName, 'High');
  assert.equal(early.derived.displayWidth, undefined);
});

test('wrong inputs for the NAL parsers: a start code, another NAL type, the forbidden bit', () => {
  const sps = avcRecord.sps[0];
  assert.ok(sps);
  const withStartCode = Uint8Array.of(0, 0, 0, 1, ...nalOf(avcc, sps));
  const r = parseH264Sps(withStartCode);
  assert.equal(r.issues[0]?.code, 'H264_SPS_WRONG_NAL_TYPE');
  assert.match(r.issues[0]?.message ?? '', /start code/);
  assert.equal(parseH264Pps(nalOf(avcc, sps)).issues[0]?.code, 'H264_PPS_WRONG_NAL_TYPE');
  assert.equal(parseH265Sps(Uint8Array.of(0x40, 0x01, 0x0c)).issues[0]?.code, 'HEVC_SPS_WRONG_NAL_TYPE');
  assert.equal(parseH264Sps(Uint8Array.of(0xe7, 0x42)).issues[0]?.code, 'H264_SPS_INVALID');
  assert.equal(parseH264Sps(new Uint8Array(0)).issues[0]?.code, 'H264_SPS_TRUNCATED');
});

test('codec private data checks: missing, Annex-B, unparseable, and avcC/SPS disagreements', () => {
  const codes = (issues: { code: string; severity: string }[]): string[] => issues.map((i) => `${i.severity}:${i.code}`);
  for (const codec of ['h264', 'h265'] as const) {
    assert.deepEqual(codes(checkVideoCodecPrivate(codec, undefined)), ['error:CODEC_PRIVATE_MISSING']);
    assert.deepEqual(codes(checkVideoCodecPrivate(codec, new Uint8Array(0))), ['error:CODEC_PRIVATE_MISSING']);
    const annexB = checkVideoCodecPrivate(codec, Uint8Array.of(0, 0, 0, 1, 0x67, 0x42, 0, 0x1e, 0, 0, 0, 1, 0x68, 0xce));
    assert.deepEqual(codes(annexB), ['error:CODEC_PRIVATE_ANNEX_B']);
    assert.match(annexB[0]?.hint ?? '', /NAL_ADAPTATION_ANNEXB_CPD_NALS/);
    assert.deepEqual(codes(checkVideoCodecPrivate(codec, Uint8Array.of(0, 0, 1, 0x67, 0x42))), ['error:CODEC_PRIVATE_ANNEX_B']);
    assert.deepEqual(codes(checkVideoCodecPrivate(codec, Uint8Array.of(2, 0x42, 0, 0x1e, 0xff, 0xe1))), ['error:CODEC_PRIVATE_INVALID']);
    assert.deepEqual(codes(checkVideoCodecPrivate(codec, Uint8Array.of(1, 0x42))), ['error:CODEC_PRIVATE_INVALID']);
  }
  assert.deepEqual(checkVideoCodecPrivate('h264', avcc), []);
  assert.deepEqual(checkVideoCodecPrivate('h265', hvcc, 0, 'hev1'), []);
  // an SPS cut short inside the record
  const cut = Uint8Array.from(avcc);
  cut[7] = 8; // sequenceParameterSetLength: 8 bytes of the SPS, then the PPS bytes follow
  assert.deepEqual(codes(checkVideoCodecPrivate('h264', cut)), ['error:CODEC_PRIVATE_INVALID']);
  // record header bytes that disagree with the SPS
  const wrong = Uint8Array.from(avcc);
  wrong[1] = 77;
  wrong[2] = 0x40;
  wrong[3] = 31;
  const issues = checkVideoCodecPrivate('h264', wrong);
  assert.deepEqual(codes(issues), ['warning:AVCC_PROFILE_MISMATCH', 'warning:AVCC_COMPATIBILITY_MISMATCH', 'warning:AVCC_LEVEL_MISMATCH']);
  assert.deepEqual(
    issues.map((i) => i.offset),
    [1, 2, 3],
  );
  const hwrong = Uint8Array.from(hvcc);
  hwrong[12] = 93;
  assert.deepEqual(codes(checkVideoCodecPrivate('h265', hwrong, 0, 'hev1')), ['warning:HVCC_LEVEL_MISMATCH']);
});

test('audio codec private data checks', () => {
  const codes = (issues: { code: string }[]): string[] => issues.map((i) => i.code);
  assert.deepEqual(codes(checkAacCodecPrivate(undefined)), ['CODEC_PRIVATE_MISSING']);
  assert.deepEqual(checkAacCodecPrivate(Uint8Array.of(0x11, 0x90)), []);
  assert.deepEqual(checkAacCodecPrivate(Uint8Array.of(0x11, 0x88, 0x56, 0xe5, 0x00)), []);
  assert.deepEqual(codes(checkAacCodecPrivate(Uint8Array.of(0x16, 0x90))), ['CODEC_PRIVATE_INVALID']); // index 13
  const wave = Uint8Array.of(6, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x40, 0x1f, 0, 0, 1, 0, 8, 0, 0, 0);
  const asAac = checkAacCodecPrivate(wave);
  assert.ok(asAac.length > 0);
  assert.match(asAac[0]?.hint ?? '', /A_MS\/ACM/);
  assert.deepEqual(checkWaveFormatCodecPrivate(wave), []);
  assert.deepEqual(codes(checkWaveFormatCodecPrivate(undefined)), ['CODEC_PRIVATE_MISSING']);
  assert.deepEqual(codes(checkWaveFormatCodecPrivate(wave.subarray(0, 12))), ['CODEC_PRIVATE_INVALID']);
  const mp3 = Uint8Array.from(wave);
  mp3[0] = 0x55;
  assert.deepEqual(codes(checkWaveFormatCodecPrivate(mp3)), ['WAVE_FORMAT_UNSUPPORTED']);
});

test('record bit depths and chroma format against the SPS: mismatches at the field, and 16-bit H.265 that no hvcC can hold', () => {
  const codes = (issues: { code: string; severity: string; offset: number }[]): string[] => issues.map((i) => `${i.severity}:${i.code}@${i.offset}`);
  // avcC High-profile fields (h264-high: 4:2:0, 8-bit), each set to a value its SPS does not code
  const at = (path: string): number => avcRecord.locations.find((l) => l.path === path)?.byteOffset ?? -1;
  const avc = Uint8Array.from(avcc);
  avc[at('chroma_format')] = 0xfc | 2;
  avc[at('bit_depth_luma_minus8')] = 0xf8 | 2;
  avc[at('bit_depth_chroma_minus8')] = 0xf8 | 1;
  const avcIssues = checkVideoCodecPrivate('h264', avc);
  assert.deepEqual(codes(avcIssues), [
    `warning:AVCC_CHROMA_FORMAT_MISMATCH@${at('chroma_format')}`,
    `warning:AVCC_BIT_DEPTH_MISMATCH@${at('bit_depth_luma_minus8')}`,
    `warning:AVCC_BIT_DEPTH_MISMATCH@${at('bit_depth_chroma_minus8')}`,
  ]);
  assert.match(avcIssues[1]?.message ?? '', /bit_depth_luma_minus8 is 2 but the SPS codes 0 \(8-bit luma\)/);
  // hvcC (h265-main10: 10-bit) saying 8-bit luma and 12-bit chroma, at bytes 17 and 18
  const hevc = Uint8Array.from(hvcc);
  hevc[17] = 0xf8 | 0;
  hevc[18] = 0xf8 | 4;
  assert.deepEqual(codes(checkVideoCodecPrivate('h265', hevc, 0, 'hev1')), ['warning:HVCC_BIT_DEPTH_MISMATCH@17', 'warning:HVCC_BIT_DEPTH_MISMATCH@18']);
  // a 16-bit 4:2:0 RExt SPS (bit_depth_*_minus8 = 8): hvcC's 3-bit fields cannot say 8
  const sps16 = buildNal([
    u('forbidden_zero_bit', 1, 0), u('nal_unit_type', 6, 33), u('nuh_layer_id', 6, 0), u('nuh_temporal_id_plus1', 3, 1),
    u('sps_video_parameter_set_id', 4, 0), u('sps_max_sub_layers_minus1', 3, 0), u('sps_temporal_id_nesting_flag', 1, 1),
    u('general_profile_space', 2, 0), u('general_tier_flag', 1, 0), u('general_profile_idc', 5, 4), u('general_profile_compatibility_flags', 32, 0x08000000),
    u('general_source_flags', 4, 0b1001), u('general_reserved_zero_43bits', 32, 0), u('general_reserved_zero_43bits', 11, 0), u('general_inbld_flag', 1, 0),
    u('general_level_idc', 8, 93),
    ue('sps_seq_parameter_set_id', 0), ue('chroma_format_idc', 1), ue('pic_width_in_luma_samples', 320), ue('pic_height_in_luma_samples', 240),
    u('conformance_window_flag', 1, 0), ue('bit_depth_luma_minus8', 8), ue('bit_depth_chroma_minus8', 8), ue('log2_max_pic_order_cnt_lsb_minus4', 4),
    u('sps_sub_layer_ordering_info_present_flag', 1, 1), ue('sps_max_dec_pic_buffering_minus1', 1), ue('sps_max_num_reorder_pics', 0), ue('sps_max_latency_increase_plus1', 0),
    ue('log2_min_luma_coding_block_size_minus3', 0), ue('log2_diff_max_min_luma_coding_block_size', 3), ue('log2_min_luma_transform_block_size_minus2', 0),
    ue('log2_diff_max_min_luma_transform_block_size', 3), ue('max_transform_hierarchy_depth_inter', 0), ue('max_transform_hierarchy_depth_intra', 0),
    u('scaling_list_enabled_flag', 1, 0), u('amp_enabled_flag', 1, 0), u('sample_adaptive_offset_enabled_flag', 1, 0), u('pcm_enabled_flag', 1, 0),
    ue('num_short_term_ref_pic_sets', 0), u('long_term_ref_pics_present_flag', 1, 0), u('sps_temporal_mvp_enabled_flag', 1, 0),
    u('strong_intra_smoothing_enabled_flag', 1, 0), u('vui_parameters_present_flag', 1, 0), u('sps_extension_present_flag', 1, 0),
  ]);
  assert.deepEqual(parseH265Sps(sps16).issues, []);
  const record16 = Uint8Array.of(
    1, 4, 0x08, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 93, 0xf0, 0, 0xfc, 0xfc | 1, 0xf8 | 0, 0xf8 | 0, 0, 0, 0x0f,
    1, 0x80 | 33, 0, 1, 0, sps16.length, ...sps16,
  );
  const issues16 = checkVideoCodecPrivate('h265', record16, 0, 'hev1');
  assert.deepEqual(codes(issues16), ['info:HVCC_BIT_DEPTH_UNREPRESENTABLE@17', 'info:HVCC_BIT_DEPTH_UNREPRESENTABLE@18']);
  assert.match(issues16[0]?.message ?? '', /16-bit luma, more than the 3-bit hvcC bitDepthLumaMinus8 can hold/);
});
