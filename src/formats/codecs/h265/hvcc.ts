import type { Fields, FieldValue } from '../../bits/syntax';
import type { SyntaxReader } from '../../bits/syntaxReader';
import { issue } from '../../issues';
import type { Issue } from '../../issues';
import { openRecord, readReserved, reservedBitsIssues, stopIssues } from '../nalSyntax';
import type { ReservedBitsNotOnes } from '../nalSyntax';
import type { ParsedSyntax } from '../nalSyntax';
import { H265_NAL, h265NalTypeName } from './nalTypes';
import { parseH265Pps } from './pps';
import type { H265Pps } from './pps';
import { h265LevelName, h265ProfileName } from './profile';
import { parseH265Sps } from './sps';
import type { H265Sps } from './sps';
import { parseH265Vps } from './vps';
import type { H265Vps } from './vps';

export interface HevcConfigDerived {
  lengthSize?: number;
  profileName?: string;
  tier?: 'Main' | 'High';
  level?: string;
  /** general_constraint_indicator_flags as 6 bytes (for the hvc1 codec string). */
  constraintBytes?: number[];
  /**
   * Every VPS, SPS and PPS array has array_completeness = 1 (all parameter sets of its type are in the
   * record), as an hvc1 sample entry requires; other arrays (SEI) have 0 there (ISO/IEC 14496-15 8.4.1.1).
   */
  parameterSetArraysComplete?: boolean;
}

export interface HevcDecoderConfigurationRecord extends ParsedSyntax<HevcConfigDerived> {
  vps: H265Vps[];
  sps: H265Sps[];
  pps: H265Pps[];
  /** NAL units of other types (SEI) in the arrays, located only. */
  other: { nal_unit_type: number; offset: number; length: number }[];
}

/** NAL unit types an hvcC array may hold: VPS, SPS, PPS, prefix and suffix SEI. */
const ARRAY_TYPES: readonly number[] = [H265_NAL.VPS, H265_NAL.SPS, H265_NAL.PPS, H265_NAL.PREFIX_SEI, H265_NAL.SUFFIX_SEI];

const CODE = 'HVCC';
const WHAT = 'HEVCDecoderConfigurationRecord';

/**
 * Decodes an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1): the hvcC box payload and the
 * Matroska CodecPrivate of V_MPEGH/ISO/HEVC. Issues of the embedded VPS/SPS/PPS are repeated here.
 */
export function parseHevcDecoderConfigurationRecord(bytes: Uint8Array, baseOffset = 0): HevcDecoderConfigurationRecord {
  const r = openRecord(bytes, baseOffset);
  const f: Fields = {};
  const issues: Issue[] = [];
  const d: HevcConfigDerived = {};
  const result: HevcDecoderConfigurationRecord = { fields: f, derived: d, locations: r.locations, issues, offset: baseOffset, length: bytes.length, vps: [], sps: [], pps: [], other: [] };
  const notOnes: ReservedBitsNotOnes[] = [];

  const version = r.u(f, 'configurationVersion', 8);
  if (r.ok && version !== 1) {
    const annexB = bytes[0] === 0 && bytes[1] === 0 && (bytes[2] === 1 || (bytes[2] === 0 && bytes[3] === 1));
    r.invalid('configurationVersion', annexB ? 'is 0: the bytes start with an Annex-B start code, not an HEVCDecoderConfigurationRecord' : `is ${version}; only version 1 is defined`);
  }
  const space = r.u(f, 'general_profile_space', 2);
  const tier = r.u(f, 'general_tier_flag', 1);
  const profile = r.u(f, 'general_profile_idc', 5);
  r.u(f, 'general_profile_compatibility_flags', 32);
  const constraintPos = r.bits.pos;
  r.u(f, 'general_constraint_indicator_flags', 48);
  const level = r.u(f, 'general_level_idc', 8);
  if (r.ok) {
    const bits = r.bits;
    const saved = bits.pos;
    bits.seek(constraintPos);
    d.constraintBytes = [0, 1, 2, 3, 4, 5].map(() => bits.u(8));
    bits.seek(saved);
    d.profileName = space === 0 ? h265ProfileName(profile) : `profile space ${space}, profile ${profile}`;
    d.tier = tier ? 'High' : 'Main';
    d.level = h265LevelName(level);
  }
  readReserved(r, 4, 'min_spatial_segmentation_idc', notOnes);
  r.u(f, 'min_spatial_segmentation_idc', 12);
  readReserved(r, 6, 'parallelismType', notOnes);
  r.u(f, 'parallelismType', 2);
  readReserved(r, 6, 'chromaFormat', notOnes);
  r.u(f, 'chromaFormat', 2);
  readReserved(r, 5, 'bitDepthLumaMinus8', notOnes);
  r.u(f, 'bitDepthLumaMinus8', 3);
  readReserved(r, 5, 'bitDepthChromaMinus8', notOnes);
  r.u(f, 'bitDepthChromaMinus8', 3);
  r.u(f, 'avgFrameRate', 16);
  r.u(f, 'constantFrameRate', 2);
  r.u(f, 'numTemporalLayers', 3);
  r.u(f, 'temporalIdNested', 1);
  const lengthSizeMinusOne = r.u(f, 'lengthSizeMinusOne', 2);
  if (r.ok) {
    d.lengthSize = lengthSizeMinusOne + 1;
    if (lengthSizeMinusOne === 2) {
      issues.push(issue('warning', `${CODE}_LENGTH_SIZE`, 'lengthSizeMinusOne is 2 (3-byte NAL lengths); ISO/IEC 14496-15 allows 1, 2 or 4 bytes only.', baseOffset + 21));
    }
  }
  const numArrays = r.u(f, 'numOfArrays', 8);
  readArrays(r, f, numArrays, bytes, baseOffset, result);
  if (r.ok) {
    const completeness = f.array_completeness;
    const types = f.NAL_unit_type;
    d.parameterSetArraysComplete = Array.isArray(completeness) && Array.isArray(types) && completeness.every((c, j) => c === 1 || !isParameterSetType(types[j]));
    if (result.vps.length === 0) issues.push(issue('warning', `${CODE}_NO_VPS`, 'The record has no VPS array entry.', baseOffset + 22));
    if (result.sps.length === 0) {
      issues.push(issue('warning', `${CODE}_NO_SPS`, 'The record has no SPS: decoders and KVS cannot learn the picture size or profile from it.', baseOffset + 22));
    }
    if (result.pps.length === 0) issues.push(issue('warning', `${CODE}_NO_PPS`, 'The record has no PPS array entry.', baseOffset + 22));
    if (r.bits.bitsLeft > 0) {
      issues.push(issue('info', `${CODE}_TRAILING_BYTES`, `${r.bits.bitsLeft / 8} bytes follow the record; they were not decoded.`, baseOffset + (r.bits.pos >>> 3)));
    }
  }
  issues.push(...reservedBitsIssues(CODE, WHAT, notOnes));
  issues.push(...stopIssues(r, CODE, WHAT));
  for (const s of [...result.vps, ...result.sps, ...result.pps]) issues.push(...s.issues);
  return result;
}

function readArrays(r: SyntaxReader, f: Fields, count: number, bytes: Uint8Array, baseOffset: number, out: HevcDecoderConfigurationRecord): void {
  if (!r.ok) return;
  const completeness: number[] = [];
  const reserved: number[] = [];
  const types: number[] = [];
  const numNalus: number[] = [];
  const lengths: FieldValue[] = [];
  const units: FieldValue[] = [];
  Object.assign(f, { array_completeness: completeness, reserved: reserved, NAL_unit_type: types, numNalus, nalUnitLength: lengths, nalUnit: units });
  for (let j = 0; j < count && r.ok; j++) {
    r.within('array_completeness', () => r.u(completeness, j, 1));
    r.within('reserved', () => r.f(reserved, j, 1));
    const type = r.within('NAL_unit_type', () => r.u(types, j, 6));
    const n = r.within('numNalus', () => r.u(numNalus, j, 16));
    const lens: number[] = [];
    const nals: string[] = [];
    lengths.push(lens);
    units.push(nals);
    if (r.ok && !ARRAY_TYPES.includes(type)) {
      out.issues.push(issue('info', `${CODE}_ARRAY_TYPE`, `Array ${j} holds NAL unit type ${type} (${h265NalTypeName(type)}); hvcC arrays carry VPS, SPS, PPS and SEI.`, r.byteOffsetOfBit(r.bits.pos) - 3));
    }
    for (let i = 0; i < n && r.ok; i++) {
      const len = r.within('nalUnitLength', () => r.within(j, () => r.u(lens, i, 16)));
      const start = r.within('nalUnit', () => r.within(j, () => r.bytes(nals, i, len)));
      if (start < 0) break;
      const nal = bytes.subarray(start, start + len);
      const actual = len > 0 ? ((nal[0] ?? 0) >> 1) & 0x3f : -1;
      if (actual !== type) {
        out.issues.push(
          issue('warning', `${CODE}_NAL_TYPE_MISMATCH`, `Array ${j} declares NAL_unit_type ${type} but NAL unit ${i} has type ${actual} (${h265NalTypeName(actual)}).`, baseOffset + start),
        );
      }
      if (actual === H265_NAL.VPS) out.vps.push(parseH265Vps(nal, baseOffset + start));
      else if (actual === H265_NAL.SPS) out.sps.push(parseH265Sps(nal, baseOffset + start));
      else if (actual === H265_NAL.PPS) out.pps.push(parseH265Pps(nal, baseOffset + start));
      else out.other.push({ nal_unit_type: actual, offset: baseOffset + start, length: len });
    }
  }
}

/** VPS, SPS or PPS: the arrays an hvc1 record must hold complete. */
export function isParameterSetType(type: unknown): boolean {
  return type === H265_NAL.VPS || type === H265_NAL.SPS || type === H265_NAL.PPS;
}
