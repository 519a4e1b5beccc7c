import { issue } from '../issues';
import type { Issue } from '../issues';
import { parseAudioSpecificConfig } from './aac/audioSpecificConfig';
import { configLengthIssue } from './aac/kvsConfigLength';
import { producerLimitIssues } from './aac/kvsProducerLimits';
import { parseAvcDecoderConfigurationRecord } from './h264/avcc';
import type { AvcDecoderConfigurationRecord } from './h264/avcc';
import { isParameterSetType, parseHevcDecoderConfigurationRecord } from './h265/hvcc';
import type { HevcDecoderConfigurationRecord } from './h265/hvcc';
import { parseWaveFormatEx, waveFormatOf } from './wave/waveFormatEx';

/*
 * Checks that concern codec private data (Matroska CodecPrivate / avcC / hvcC / esds) on its own.
 * Each returns only the findings of the check; the parsers' own issues come with the parse results.
 */

const MISSING_VIDEO_HINT =
  'KVS answers MissingCodecPrivateDataException. Give the producer the codec private data (an avcC/hvcC record with SPS and PPS, and VPS for H.265), or keep NAL_ADAPTATION_ANNEXB_CPD_NALS and send SPS/PPS in front of the first key frame so the producer SDK extracts them.';
const ANNEX_B_HINT =
  'KVS answers InvalidCodecPrivateData. Set NAL_ADAPTATION_ANNEXB_CPD_NALS in the stream definition so the producer converts "00 00 00 01 SPS 00 00 00 01 PPS" into an avcC record (hvcC with VPS/SPS/PPS for H.265), or write the record yourself.';
const INVALID_HINT = 'KVS answers InvalidCodecPrivateData for codec private data it cannot parse: write an ISO/IEC 14496-15 decoder configuration record (configurationVersion 1).';

function isAnnexB(cpd: Uint8Array): boolean {
  return cpd[0] === 0 && cpd[1] === 0 && (cpd[2] === 1 || (cpd[2] === 0 && cpd[3] === 1));
}

/**
 * Video codec private data of an H.264 (V_MPEG4/ISO/AVC) or H.265 (V_MPEGH/ISO/HEVC) track:
 * CODEC_PRIVATE_MISSING, CODEC_PRIVATE_ANNEX_B, CODEC_PRIVATE_INVALID (errors), then the record checks.
 */
export function checkVideoCodecPrivate(codec: 'h264' | 'h265', cpd: Uint8Array | undefined, baseOffset = 0, sampleEntry?: 'avc1' | 'avc3' | 'hvc1' | 'hev1'): Issue[] {
  const name = codec === 'h264' ? 'AVCDecoderConfigurationRecord' : 'HEVCDecoderConfigurationRecord';
  if (!cpd || cpd.length === 0) {
    return [issue('error', 'CODEC_PRIVATE_MISSING', `The ${codec === 'h264' ? 'H.264' : 'H.265'} track has no codec private data (${name} expected).`, baseOffset, MISSING_VIDEO_HINT)];
  }
  if (isAnnexB(cpd)) {
    return [issue('error', 'CODEC_PRIVATE_ANNEX_B', `The codec private data is in Annex-B form (starts with a start code), not an ${name}.`, baseOffset, ANNEX_B_HINT)];
  }
  if (codec === 'h264') return checkAvcRecord(parseAvcDecoderConfigurationRecord(cpd, baseOffset));
  return checkHevcRecord(parseHevcDecoderConfigurationRecord(cpd, baseOffset), sampleEntry === 'hev1' || sampleEntry === 'hvc1' ? sampleEntry : undefined);
}

/** CODEC_PRIVATE_INVALID when the record or its SPS cannot be read; warnings when the record disagrees with its SPS. */
export function checkAvcRecord(record: AvcDecoderConfigurationRecord): Issue[] {
  const out: Issue[] = [];
  const fatal = record.issues.find((i) => i.severity === 'error' && i.code.startsWith('AVCC_'));
  const sps = record.sps[0];
  if (fatal) return [issue('error', 'CODEC_PRIVATE_INVALID', `The AVCDecoderConfigurationRecord cannot be read: ${fatal.message}`, fatal.offset, INVALID_HINT)];
  if (!sps) return [issue('error', 'CODEC_PRIVATE_INVALID', 'The AVCDecoderConfigurationRecord holds no SPS.', record.offset, INVALID_HINT)];
  const spsError = sps.issues.find((i) => i.severity === 'error');
  if (spsError || sps.derived.displayWidth === undefined) {
    out.push(issue('error', 'CODEC_PRIVATE_INVALID', `The SPS in the codec private data cannot be decoded: ${spsError?.message ?? 'it ends before the picture size'}`, sps.offset, INVALID_HINT));
    return out;
  }
  const f = record.fields;
  const d = sps.derived;
  const hint = 'Build the avcC from the SPS the encoder produces: AVCProfileIndication, profile_compatibility and AVCLevelIndication are SPS bytes 1, 2 and 3.';
  if (f.AVCProfileIndication !== d.profile_idc) {
    out.push(issue('warning', 'AVCC_PROFILE_MISMATCH', `avcC AVCProfileIndication is ${String(f.AVCProfileIndication)} but the SPS has profile_idc ${String(d.profile_idc)}.`, record.offset + 1, hint));
  }
  if (f.profile_compatibility !== d.constraintFlags) {
    out.push(
      issue(
        'warning',
        'AVCC_COMPATIBILITY_MISMATCH',
        `avcC profile_compatibility is 0x${hex(f.profile_compatibility)} but the SPS constraint flags byte is 0x${hex(d.constraintFlags)}.`,
        record.offset + 2,
        hint,
      ),
    );
  }
  if (f.AVCLevelIndication !== d.level_idc) {
    out.push(issue('warning', 'AVCC_LEVEL_MISMATCH', `avcC AVCLevelIndication is ${String(f.AVCLevelIndication)} but the SPS has level_idc ${String(d.level_idc)}.`, record.offset + 3, hint));
  }
  if (record.derived.hasHighProfileFields) {
    const at = (path: string): number => fieldOffset(record, path);
    if (typeof f.chroma_format === 'number' && f.chroma_format !== d.chroma_format_idc) {
      out.push(issue('warning', 'AVCC_CHROMA_FORMAT_MISMATCH', `avcC chroma_format is ${f.chroma_format} but the SPS has chroma_format_idc ${d.chroma_format_idc}.`, at('chroma_format'), hint));
    }
    const depthHint = 'Build the avcC from the SPS the encoder produces: its High-profile fields copy chroma_format_idc and the bit depths of the SPS.';
    out.push(...depthIssues('avcC', 'AVCC', f.bit_depth_luma_minus8, f.bit_depth_chroma_minus8, d, at('bit_depth_luma_minus8'), at('bit_depth_chroma_minus8'), depthHint));
  }
  return out;
}

/** Where the record's field `path` is (the record's start when it has no location for it). */
function fieldOffset(record: AvcDecoderConfigurationRecord, path: string): number {
  return record.locations.find((l) => l.path === path)?.byteOffset ?? record.offset;
}

/**
 * The record's luma and chroma bit depths against its SPS. Both records give a depth 3 bits
 * (bit depth − 8, so at most 15 bits): H.265 allows 16-bit (bit_depth_*_minus8 = 8), which no record
 * can hold, so that is said as such (info), not as a record to fix.
 */
function depthIssues(
  record: 'avcC' | 'hvcC', prefix: 'AVCC' | 'HVCC', lumaMinus8: unknown, chromaMinus8: unknown,
  sps: { BitDepthY: number; BitDepthC: number }, lumaAt: number, chromaAt: number, hint: string,
): Issue[] {
  const field = (plane: 'luma' | 'chroma'): string => (record === 'avcC' ? `bit_depth_${plane}_minus8` : `bitDepth${plane === 'luma' ? 'Luma' : 'Chroma'}Minus8`);
  const out: Issue[] = [];
  for (const [plane, value, depth, at] of [['luma', lumaMinus8, sps.BitDepthY, lumaAt], ['chroma', chromaMinus8, sps.BitDepthC, chromaAt]] as const) {
    if (typeof value !== 'number' || value + 8 === depth) continue;
    if (depth - 8 > 7) {
      out.push(issue('info', `${prefix}_BIT_DEPTH_UNREPRESENTABLE`, `The SPS codes ${depth}-bit ${plane}, more than the 3-bit ${record} ${field(plane)} can hold (at most 15 bits); the record says ${value + 8}.`, at,
        'Nothing in the record can fix it: decoders take the depth from the SPS. 16-bit HEVC is beyond what browsers and KVS HLS/DASH players decode.'));
    } else {
      out.push(issue('warning', `${prefix}_BIT_DEPTH_MISMATCH`, `${record} ${field(plane)} is ${value} but the SPS codes ${depth - 8} (${depth}-bit ${plane}).`, at, hint));
    }
  }
  return out;
}

/** CODEC_PRIVATE_INVALID, hvcC/SPS disagreements, and array_completeness for hvc1. */
export function checkHevcRecord(record: HevcDecoderConfigurationRecord, sampleEntry?: 'hvc1' | 'hev1'): Issue[] {
  const out: Issue[] = [];
  const fatal = record.issues.find((i) => i.severity === 'error' && i.code.startsWith('HVCC_'));
  if (fatal) return [issue('error', 'CODEC_PRIVATE_INVALID', `The HEVCDecoderConfigurationRecord cannot be read: ${fatal.message}`, fatal.offset, INVALID_HINT)];
  const sps = record.sps[0];
  if (!sps) return [issue('error', 'CODEC_PRIVATE_INVALID', 'The HEVCDecoderConfigurationRecord holds no SPS.', record.offset, INVALID_HINT)];
  const spsError = sps.issues.find((i) => i.severity === 'error');
  if (spsError || sps.derived.displayWidth === undefined) {
    return [issue('error', 'CODEC_PRIVATE_INVALID', `The SPS in the codec private data cannot be decoded: ${spsError?.message ?? 'it ends before the picture size'}`, sps.offset, INVALID_HINT)];
  }
  const f = record.fields;
  const ptl = sps.derived.ptl;
  const hint = 'Build the hvcC from the SPS the encoder produces: its general_* fields copy profile_tier_level() of the SPS.';
  if (ptl) {
    if (f.general_profile_idc !== ptl.general_profile_idc || f.general_profile_space !== ptl.general_profile_space) {
      out.push(issue('warning', 'HVCC_PROFILE_MISMATCH', `hvcC general_profile_idc is ${String(f.general_profile_idc)} but the SPS has ${ptl.general_profile_idc}.`, record.offset + 1, hint));
    }
    if (f.general_tier_flag !== ptl.general_tier_flag) {
      out.push(issue('warning', 'HVCC_TIER_MISMATCH', `hvcC general_tier_flag is ${String(f.general_tier_flag)} but the SPS has ${ptl.general_tier_flag}.`, record.offset + 1, hint));
    }
    if (f.general_level_idc !== ptl.general_level_idc) {
      out.push(issue('warning', 'HVCC_LEVEL_MISMATCH', `hvcC general_level_idc is ${String(f.general_level_idc)} but the SPS has ${ptl.general_level_idc}.`, record.offset + 12, hint));
    }
  }
  if (typeof f.chromaFormat === 'number' && f.chromaFormat !== sps.derived.chroma_format_idc) {
    out.push(issue('warning', 'HVCC_CHROMA_FORMAT_MISMATCH', `hvcC chromaFormat is ${f.chromaFormat} but the SPS has chroma_format_idc ${sps.derived.chroma_format_idc}.`, record.offset + 16, hint));
  }
  out.push(...depthIssues('hvcC', 'HVCC', f.bitDepthLumaMinus8, f.bitDepthChromaMinus8, sps.derived, record.offset + 17, record.offset + 18, hint));
  if (sampleEntry === 'hvc1' && record.derived.parameterSetArraysComplete === false) {
    const completeness = Array.isArray(f.array_completeness) ? f.array_completeness : [];
    const types = Array.isArray(f.NAL_unit_type) ? f.NAL_unit_type : [];
    const incomplete = completeness.flatMap((c, j) => (c === 0 && isParameterSetType(types[j]) ? [j] : []));
    const at = record.locations.find((l) => l.path === `array_completeness[${incomplete[0]}]`)?.byteOffset ?? record.offset;
    out.push(
      issue(
        'warning',
        'HVCC_ARRAY_INCOMPLETE',
        `array_completeness is 0 in ${incomplete.length} of the hvcC's ${types.filter(isParameterSetType).length} VPS/SPS/PPS arrays, but an hvc1 track must carry all parameter sets in the record.`,
        at,
        'Set array_completeness to 1 on the parameter-set arrays (parameter sets only in the hvcC) or label the track hev1 (parameter sets may also come in-band); browsers play hvc1, some reject records that allow in-band changes.',
      ),
    );
  }
  return out;
}

const WAVE_IN_AAC_HINT = 'These bytes look like a WAVEFORMATEX (G.711/PCM): label the track A_MS/ACM instead of A_AAC.';

/** A_AAC: the CodecPrivate must be an AudioSpecificConfig. */
export function checkAacCodecPrivate(cpd: Uint8Array | undefined, baseOffset = 0): Issue[] {
  if (!cpd || cpd.length === 0) {
    return [
      issue('error', 'CODEC_PRIVATE_MISSING', 'The AAC track has no codec private data (AudioSpecificConfig expected).', baseOffset, 'KVS answers MissingCodecPrivateDataException. Pass the AudioSpecificConfig, e.g. 11 90 for AAC LC at 48000 Hz stereo, 12 10 for 44100 Hz stereo.'),
    ];
  }
  const out: Issue[] = [];
  const asc = parseAudioSpecificConfig(cpd, baseOffset);
  const fatal = asc.issues.find((i) => i.severity === 'error');
  const looksLikeWave = cpd.length >= 16 && [1, 6, 7].includes((cpd[0] ?? 0) | ((cpd[1] ?? 0) << 8)) && cpd[3] === 0;
  if (fatal || asc.derived.sampleRate === undefined) {
    out.push(
      issue(
        'error',
        'CODEC_PRIVATE_INVALID',
        `The AudioSpecificConfig cannot be used: ${fatal?.message ?? 'it is too short'}`,
        fatal?.offset ?? baseOffset,
        looksLikeWave ? WAVE_IN_AAC_HINT : 'Pass the encoder\'s AudioSpecificConfig (2 bytes for AAC LC).',
      ),
    );
    return out;
  }
  const length = configLengthIssue(cpd, asc, baseOffset);
  if (length) out.push(looksLikeWave ? { ...length, hint: WAVE_IN_AAC_HINT } : length);
  out.push(...producerLimitIssues(asc, cpd));
  return out;
}

/** A_MS/ACM: the CodecPrivate must be a WAVEFORMATEX; KVS playback takes G.711 from it. */
export function checkWaveFormatCodecPrivate(cpd: Uint8Array | undefined, baseOffset = 0): Issue[] {
  if (!cpd || cpd.length === 0) {
    return [issue('error', 'CODEC_PRIVATE_MISSING', 'The A_MS/ACM track has no codec private data (WAVEFORMATEX expected).', baseOffset, 'Pass a WAVEFORMATEX: wFormatTag 6 (A-law) or 7 (mu-law), nChannels, nSamplesPerSec 8000, wBitsPerSample 8.')];
  }
  const wave = parseWaveFormatEx(cpd, baseOffset);
  const fatal = wave.issues.find((i) => i.severity === 'error');
  if (fatal) return [issue('error', 'CODEC_PRIVATE_INVALID', `The WAVEFORMATEX cannot be used: ${fatal.message}`, fatal.offset, 'A WAVEFORMATEX is 18 bytes: 16 bytes of format fields and a cbSize of 0 for G.711.')];
  const extensible = wave.derived.subFormatTag !== undefined;
  const tag = waveFormatOf(wave);
  const name = wave.derived.subFormatName ?? wave.derived.formatName ?? '?';
  if (tag !== 6 && tag !== 7 && tag !== 1) {
    return [
      issue('warning', 'WAVE_FORMAT_UNSUPPORTED', `${extensible ? 'The SubFormat' : `wFormatTag ${String(tag)}`} (${name}) is not G.711 or PCM.`, baseOffset, 'KVS HLS/DASH/GetClip output carries AAC or G.711 audio; encode to one of them.'),
    ];
  }
  if (extensible && tag !== 1) {
    return [
      issue('info', 'WAVE_FORMAT_EXTENSIBLE', `The ${name} track's WAVEFORMATEX is the WAVE_FORMAT_EXTENSIBLE form (wFormatTag 0xFFFE, the format in its SubFormat).`, baseOffset, `The KVS producer SDKs write G.711 as wFormatTag ${String(tag)} with cbSize 0, the form every reader knows; write that one.`),
    ];
  }
  return [];
}

function hex(v: unknown): string {
  return typeof v === 'number' ? v.toString(16).padStart(2, '0') : String(v);
}
