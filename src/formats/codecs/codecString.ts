import type { AudioSpecificConfig } from './aac/audioSpecificConfig';
import type { AvcDecoderConfigurationRecord } from './h264/avcc';
import type { H264Sps } from './h264/sps';
import type { HevcDecoderConfigurationRecord } from './h265/hvcc';
import type { H265PtlSummary } from './h265/ptl';
import type { H265Sps } from './h265/sps';

const hex2 = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');

/** RFC 6381 avc1.PPCCLL: profile_idc, the constraint-flags byte and level_idc in hex. */
export function avcCodecString(profileIdc: number, constraintFlags: number, levelIdc: number, sampleEntry: 'avc1' | 'avc3' = 'avc1'): string {
  return `${sampleEntry}.${hex2(profileIdc)}${hex2(constraintFlags)}${hex2(levelIdc)}`;
}

/** From a decoded SPS (undefined when the SPS was too short to hold profile and level). */
export function avcCodecStringFromSps(sps: H264Sps, sampleEntry: 'avc1' | 'avc3' = 'avc1'): string | undefined {
  const d = sps.derived;
  if (d.profile_idc === undefined || d.constraintFlags === undefined || d.level_idc === undefined) return undefined;
  return avcCodecString(d.profile_idc, d.constraintFlags, d.level_idc, sampleEntry);
}

/** From the record's AVCProfileIndication, profile_compatibility and AVCLevelIndication. */
export function avcCodecStringFromRecord(record: AvcDecoderConfigurationRecord, sampleEntry: 'avc1' | 'avc3' = 'avc1'): string | undefined {
  const { AVCProfileIndication: p, profile_compatibility: c, AVCLevelIndication: l } = record.fields;
  if (typeof p !== 'number' || typeof c !== 'number' || typeof l !== 'number') return undefined;
  return avcCodecString(p, c, l, sampleEntry);
}

/**
 * ISO/IEC 14496-15 Annex E: hvc1.[A|B|C]profile_idc.compat.Ttier_level.constraint bytes
 * (compatibility flags bit-reversed in hex, constraint bytes in hex with trailing zero bytes left out).
 */
export function hevcCodecString(ptl: H265PtlSummary, sampleEntry: 'hvc1' | 'hev1' = 'hvc1'): string {
  const space = ['', 'A', 'B', 'C'][ptl.general_profile_space] ?? '';
  let reversed = 0;
  let flags = ptl.general_profile_compatibility_flags >>> 0;
  for (let i = 0; i < 32; i++) {
    reversed = (reversed << 1) | (flags & 1);
    flags >>>= 1;
  }
  const constraint = ptl.general_constraint_indicator_flags.slice();
  while (constraint.length > 0 && constraint[constraint.length - 1] === 0) constraint.pop();
  const parts = [
    sampleEntry,
    `${space}${ptl.general_profile_idc}`,
    (reversed >>> 0).toString(16).toUpperCase(),
    `${ptl.general_tier_flag ? 'H' : 'L'}${ptl.general_level_idc}`,
    ...constraint.map((b) => b.toString(16).toUpperCase()),
  ];
  return parts.join('.');
}

export function hevcCodecStringFromSps(sps: H265Sps, sampleEntry: 'hvc1' | 'hev1' = 'hvc1'): string | undefined {
  return sps.derived.ptl ? hevcCodecString(sps.derived.ptl, sampleEntry) : undefined;
}

export function hevcCodecStringFromRecord(record: HevcDecoderConfigurationRecord, sampleEntry: 'hvc1' | 'hev1' = 'hvc1'): string | undefined {
  const f = record.fields;
  const bytes = record.derived.constraintBytes;
  if (
    typeof f.general_profile_space !== 'number' ||
    typeof f.general_tier_flag !== 'number' ||
    typeof f.general_profile_idc !== 'number' ||
    typeof f.general_profile_compatibility_flags !== 'number' ||
    typeof f.general_level_idc !== 'number' ||
    !bytes
  ) {
    return undefined;
  }
  return hevcCodecString(
    {
      general_profile_space: f.general_profile_space,
      general_tier_flag: f.general_tier_flag,
      general_profile_idc: f.general_profile_idc,
      general_profile_compatibility_flags: f.general_profile_compatibility_flags,
      general_constraint_indicator_flags: bytes,
      general_level_idc: f.general_level_idc,
    },
    sampleEntry,
  );
}

/** RFC 6381 mp4a.40.N with N the (first) audioObjectType of the AudioSpecificConfig. */
export function aacCodecString(asc: AudioSpecificConfig): string | undefined {
  const aot = asc.derived.signalledObjectType;
  return aot === undefined ? undefined : `mp4a.40.${aot}`;
}

// Audio without a decoder configuration of its own is named, as RFC 6381 says for ISO BMFF, by its sample
// entry (G.711's are 'alaw' and 'ulaw'), or as mp4a with the objectTypeIndication the MP4 registration
// authority gives it.

/** AC-3 and E-AC-3: the 'ac-3' and 'ec-3' sample entries (ETSI TS 102 366 Annex F). */
export function ac3CodecString(enhanced: boolean): string {
  return enhanced ? 'ec-3' : 'ac-3';
}

/** MPEG audio: mp4a.6B for ISO/IEC 11172-3 (MPEG-1), mp4a.69 for ISO/IEC 13818-3 (MPEG-2); MPEG 2.5 is in neither. */
export function mpegAudioCodecString(version: number): string | undefined {
  return version === 1 ? 'mp4a.6B' : version === 2 ? 'mp4a.69' : undefined;
}
