import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields, FieldValue } from '../../bits/syntax';
import { issue } from '../../issues';
import type { Issue } from '../../issues';
import { openRecord, readReserved, reservedBitsIssues, stopIssues } from '../nalSyntax';
import type { ReservedBitsNotOnes } from '../nalSyntax';
import type { ParsedSyntax } from '../nalSyntax';
import { h264LevelName, h264ProfileName } from './profile';
import { parseH264Pps } from './pps';
import type { H264Pps } from './pps';
import { parseH264Sps } from './sps';
import type { H264Sps } from './sps';

export interface AvcConfigDerived {
  /** NAL unit length prefix size in bytes (lengthSizeMinusOne + 1). */
  lengthSize?: number;
  profileName?: string;
  level?: string;
  /** The record carries the chroma_format / bit depth / SPS-extension part (ISO/IEC 14496-15 5.3.3.1.2). */
  hasHighProfileFields: boolean;
}

export interface AvcDecoderConfigurationRecord extends ParsedSyntax<AvcConfigDerived> {
  /** The SPS NAL units, decoded (offset/length locate each NAL unit in the input). */
  sps: H264Sps[];
  pps: H264Pps[];
  /** SPS extension NAL units (type 13), located only. */
  spsExt: { offset: number; length: number }[];
}

const CODE = 'AVCC';
const WHAT = 'AVCDecoderConfigurationRecord';

/** Profiles for which 14496-15 adds chroma_format, bit depths and SPS extensions to the record. */
const HIGH_PROFILES = [100, 110, 122, 144];

/**
 * Decodes an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1): the avcC box payload and the
 * Matroska CodecPrivate of V_MPEG4/ISO/AVC. Every issue of the embedded SPS/PPS is repeated here.
 */
export function parseAvcDecoderConfigurationRecord(bytes: Uint8Array, baseOffset = 0): AvcDecoderConfigurationRecord {
  const r = openRecord(bytes, baseOffset);
  const f: Fields = {};
  const issues: Issue[] = [];
  const derived: AvcConfigDerived = { hasHighProfileFields: false };
  const result: AvcDecoderConfigurationRecord = {
    fields: f,
    derived,
    locations: r.locations,
    issues,
    offset: baseOffset,
    length: bytes.length,
    sps: [],
    pps: [],
    spsExt: [],
  };
  const notOnes: ReservedBitsNotOnes[] = [];

  const version = r.u(f, 'configurationVersion', 8);
  if (r.ok && version !== 1) {
    const annexB = bytes[0] === 0 && bytes[1] === 0 && (bytes[2] === 1 || (bytes[2] === 0 && bytes[3] === 1));
    r.invalid(
      'configurationVersion',
      annexB ? 'is 0: the bytes start with an Annex-B start code, not an AVCDecoderConfigurationRecord' : `is ${version}; only version 1 is defined`,
    );
  }
  const profile = r.u(f, 'AVCProfileIndication', 8);
  const compat = r.u(f, 'profile_compatibility', 8);
  const level = r.u(f, 'AVCLevelIndication', 8);
  if (r.ok) {
    derived.profileName = h264ProfileName(profile, compat);
    derived.level = h264LevelName(level, profile, compat);
  }
  readReserved(r, 6, 'lengthSizeMinusOne', notOnes);
  const lengthSizeMinusOne = r.u(f, 'lengthSizeMinusOne', 2);
  if (r.ok) {
    derived.lengthSize = lengthSizeMinusOne + 1;
    if (lengthSizeMinusOne === 2) {
      issues.push(issue('warning', `${CODE}_LENGTH_SIZE`, 'lengthSizeMinusOne is 2 (3-byte NAL lengths); ISO/IEC 14496-15 allows 1, 2 or 4 bytes only.', baseOffset + 4));
    }
  }
  readReserved(r, 3, 'numOfSequenceParameterSets', notOnes);
  const numSps = r.u(f, 'numOfSequenceParameterSets', 5);
  const sps = readNalArray(r, f, numSps, 'sequenceParameterSetLength', 'sequenceParameterSetNALUnit');
  for (const [start, len] of sps) result.sps.push(parseH264Sps(bytes.subarray(start, start + len), baseOffset + start));
  const numPps = r.u(f, 'numOfPictureParameterSets', 8);
  const pps = readNalArray(r, f, numPps, 'pictureParameterSetLength', 'pictureParameterSetNALUnit');
  for (const [start, len] of pps) result.pps.push(parseH264Pps(bytes.subarray(start, start + len), baseOffset + start, result.sps));
  if (r.ok && numSps === 0) {
    issues.push(issue('warning', `${CODE}_NO_SPS`, 'The record has no SPS: decoders and KVS cannot learn the picture size or profile from it.', baseOffset + 5));
  }
  if (r.ok && numPps === 0) {
    issues.push(issue('warning', `${CODE}_NO_PPS`, 'The record has no PPS.', baseOffset));
  }

  // The High-profile part is optional in practice: older writers omit it, others add it for any profile.
  if (r.ok && r.bits.bitsLeft >= 32 && (profile === 66 || profile === 77 || profile === 88)) {
    issues.push(issue('info', `${CODE}_TRAILING_BYTES`, `${r.bits.bitsLeft / 8} bytes follow the record; a Baseline/Main/Extended record ends after its PPS.`, baseOffset + (r.bits.pos >>> 3)));
  } else if (r.ok && r.bits.bitsLeft >= 32) {
    derived.hasHighProfileFields = true;
    readReserved(r, 6, 'chroma_format', notOnes);
    r.u(f, 'chroma_format', 2);
    readReserved(r, 5, 'bit_depth_luma_minus8', notOnes);
    r.u(f, 'bit_depth_luma_minus8', 3);
    readReserved(r, 5, 'bit_depth_chroma_minus8', notOnes);
    r.u(f, 'bit_depth_chroma_minus8', 3);
    const numExt = r.u(f, 'numOfSequenceParameterSetExt', 8);
    const ext = readNalArray(r, f, numExt, 'sequenceParameterSetExtLength', 'sequenceParameterSetExtNALUnit');
    for (const [start, len] of ext) result.spsExt.push({ offset: baseOffset + start, length: len });
    if (r.ok && r.bits.bitsLeft > 0) {
      issues.push(issue('info', `${CODE}_TRAILING_BYTES`, `${r.bits.bitsLeft / 8} bytes follow the record; they were not decoded.`, baseOffset + (r.bits.pos >>> 3)));
    }
  } else if (r.ok && HIGH_PROFILES.includes(profile)) {
    issues.push(
      issue(
        'info',
        `${CODE}_NO_HIGH_PROFILE_FIELDS`,
        `AVCProfileIndication is ${profile} but the record ends without chroma_format / bit_depth fields (older writers omit them; decoders then read them from the SPS).`,
        baseOffset + (r.bits.pos >>> 3),
      ),
    );
  } else if (r.ok && r.bits.bitsLeft > 0) {
    issues.push(issue('info', `${CODE}_TRAILING_BYTES`, `${r.bits.bitsLeft / 8} bytes follow the record; they were not decoded.`, baseOffset + (r.bits.pos >>> 3)));
  }

  issues.push(...reservedBitsIssues(CODE, WHAT, notOnes));
  issues.push(...stopIssues(r, CODE, WHAT));
  for (const s of result.sps) issues.push(...s.issues);
  for (const p of result.pps) issues.push(...p.issues);
  return result;
}

/** Reads `count` (length, NAL unit) pairs; returns [byte index, length] of each NAL unit. */
function readNalArray(r: SyntaxReader, f: Fields, count: number, lengthKey: string, nalKey: string): [number, number][] {
  const lengths: FieldValue[] = [];
  const nals: FieldValue[] = [];
  const out: [number, number][] = [];
  if (!r.ok) return out;
  f[lengthKey] = lengths;
  f[nalKey] = nals;
  for (let i = 0; i < count && r.ok; i++) {
    const len = r.within(lengthKey, () => r.u(lengths, i, 16));
    const start = r.within(nalKey, () => r.bytes(nals, i, len));
    if (start >= 0) out.push([start, len]);
  }
  return out;
}
