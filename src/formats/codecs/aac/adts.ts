import { BitReader } from '../../bits/bitReader';
import { BitSink } from '../../bits/bitSink';
import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields } from '../../bits/syntax';
import { issue } from '../../issues';
import { openRecord, stopIssues } from '../nalSyntax';
import type { ParsedSyntax } from '../nalSyntax';
import { readProgramConfigElement } from './programConfigElement';
import { audioObjectTypeName, channelCount, samplingFrequency } from './tables';

export interface AdtsHeaderDerived {
  /** profile_ObjectType + 1 (2 = AAC LC). */
  audioObjectType?: number;
  objectTypeName?: string;
  sampleRate?: number;
  channels?: number;
  /** 7, or 9 with crc_check. */
  headerLength?: number;
  /** aac_frame_length: header and raw data blocks. */
  frameLength?: number;
}

export type AdtsHeader = ParsedSyntax<AdtsHeaderDerived>;

/** The few numbers a demuxer needs per ADTS frame, read without allocating fields or locations. */
export interface AdtsFrameInfo {
  headerLength: number;
  frameLength: number;
  audioObjectType: number;
  samplingFrequencyIndex: number;
  channelConfiguration: number;
}

const CODE = 'ADTS';

/**
 * Decodes one adts_fixed_header + adts_variable_header (ISO/IEC 14496-3 1.A.2.2 / 13818-7 6.2) at `start`,
 * and with channel_configuration 0 the program_config_element that opens the frame's raw_data_block
 * (it describes the channels), when `bytes` holds it.
 */
export function parseAdtsHeader(bytes: Uint8Array, start = 0, baseOffset = 0): AdtsHeader {
  const window = bytes.subarray(start, start + (readAdtsFrameInfo(bytes, start)?.frameLength ?? 9));
  const offset = baseOffset + start;
  const r = openRecord(window, offset);
  const f: Fields = {};
  const d: AdtsHeaderDerived = {};
  const result: AdtsHeader = { fields: f, derived: d, locations: r.locations, issues: [], offset, length: 0 };
  const sync = r.u(f, 'syncword', 12);
  if (r.ok && sync !== 0xfff) {
    r.invalid('syncword', `is 0x${sync.toString(16)}; an ADTS header starts with 0xFFF`);
  }
  r.u(f, 'ID', 1);
  const layer = r.u(f, 'layer', 2);
  const protectionAbsent = r.u(f, 'protection_absent', 1);
  const profile = r.u(f, 'profile_ObjectType', 2);
  const sfi = r.u(f, 'sampling_frequency_index', 4);
  r.u(f, 'private_bit', 1);
  const channelConfig = r.u(f, 'channel_configuration', 3);
  r.u(f, 'original_copy', 1);
  r.u(f, 'home', 1);
  r.u(f, 'copyright_identification_bit', 1);
  r.u(f, 'copyright_identification_start', 1);
  const frameLength = r.u(f, 'aac_frame_length', 13);
  r.u(f, 'adts_buffer_fullness', 11);
  const rawBlocks = r.u(f, 'number_of_raw_data_blocks_in_frame', 2);
  if (protectionAbsent === 0) {
    // adts_error_check(), or adts_header_error_check() when the frame has several raw_data_blocks
    const positions: number[] = [];
    if (rawBlocks > 0) f.raw_data_block_position = positions;
    for (let i = 1; i <= rawBlocks; i++) r.within('raw_data_block_position', () => r.u(positions, i - 1, 16));
    r.u(f, 'crc_check', 16);
  }
  result.issues.push(...stopIssues(r, CODE, 'ADTS header'));
  if (f.number_of_raw_data_blocks_in_frame === undefined) return result;
  d.audioObjectType = profile + 1;
  d.objectTypeName = audioObjectTypeName(profile + 1);
  const rate = samplingFrequency(sfi);
  if (rate !== undefined) d.sampleRate = rate;
  else result.issues.push(issue('error', `${CODE}_SAMPLING_FREQUENCY_INDEX`, `sampling_frequency_index ${sfi} is reserved.`, offset + 2));
  d.headerLength = protectionAbsent ? 7 : 9 + 2 * rawBlocks;
  d.frameLength = frameLength;
  result.length = d.headerLength;
  const channels = channelConfig === 0 ? readConfigElement(r, f, result) : channelCount(channelConfig);
  if (channels !== undefined) d.channels = channels;
  if (layer !== 0) result.issues.push(issue('warning', `${CODE}_LAYER`, `layer is ${layer}; ADTS requires 0.`, offset + 1));
  if (frameLength < d.headerLength) {
    result.issues.push(issue('error', `${CODE}_FRAME_LENGTH`, `aac_frame_length ${frameLength} is shorter than the ${d.headerLength}-byte header.`, offset + 3));
  }
  return result;
}

/** The program_config_element that opens the raw_data_block, if the frame has one: its channel count. */
function readConfigElement(r: SyntaxReader, f: Fields, result: AdtsHeader): number | undefined {
  if (r.bits.bitsLeft < 3) return undefined;
  const block: Fields = {};
  const channels = r.within('raw_data_block', () => {
    if (r.u(block, 'id_syn_ele', 3) !== ID_PCE) return undefined;
    const pce: Fields = {};
    block.program_config_element = pce;
    return r.within('program_config_element', () => readProgramConfigElement(r, pce));
  });
  f.raw_data_block = block;
  result.issues.push(...stopIssues(r, CODE, 'program_config_element'));
  if (!r.ok) return undefined;
  result.length = Math.ceil(r.bits.pos / 8);
  return channels;
}

/** Fast path for demuxers: the frame's header numbers, or undefined when no valid ADTS header is at `start`. */
export function readAdtsFrameInfo(bytes: Uint8Array, start = 0): AdtsFrameInfo | undefined {
  if (start + 7 > bytes.length) return undefined;
  const b1 = bytes[start + 1] ?? 0;
  if (bytes[start] !== 0xff || (b1 & 0xf6) !== 0xf0) return undefined;
  const b2 = bytes[start + 2] ?? 0;
  const b3 = bytes[start + 3] ?? 0;
  const headerLength = b1 & 1 ? 7 : 9;
  const frameLength = ((b3 & 0x03) << 11) | ((bytes[start + 4] ?? 0) << 3) | ((bytes[start + 5] ?? 0) >> 5);
  if (frameLength < headerLength) return undefined;
  return {
    headerLength,
    frameLength,
    audioObjectType: (b2 >> 6) + 1,
    samplingFrequencyIndex: (b2 >> 2) & 0x0f,
    channelConfiguration: ((b2 & 1) << 2) | (b3 >> 6),
  };
}

/**
 * The AudioSpecificConfig equivalent to an ADTS header (what a TS→MP4 remuxer writes into esds): 2 bytes.
 * With channel_configuration 0 the channels are described by a program_config_element, which ADTS
 * carries as the first element of the frame's raw_data_block (`raw`, the bytes after the header); it is
 * copied into the config's GASpecificConfig, its byte alignment redone for its new place.
 */
export function adtsToAudioSpecificConfig(info: Pick<AdtsFrameInfo, 'audioObjectType' | 'samplingFrequencyIndex' | 'channelConfiguration'>, raw?: Uint8Array): Uint8Array {
  const aot = info.audioObjectType & 0x1f;
  const config = Uint8Array.of((aot << 3) | (info.samplingFrequencyIndex >> 1), ((info.samplingFrequencyIndex & 1) << 7) | ((info.channelConfiguration & 0x0f) << 3));
  if (info.channelConfiguration !== 0 || !raw) return config;
  const w = new BitSink();
  w.put(config[0] ?? 0, 8);
  w.put(config[1] ?? 0, 8); // its last 3 bits: frameLengthFlag, dependsOnCoreCoder and extensionFlag, 0
  return copyProgramConfigElement(new BitReader(raw), w) ? w.bytes() : config;
}

/** id_syn_ele of a program_config_element (ISO/IEC 14496-3 Table 4.85). */
const ID_PCE = 5;

/**
 * Copies the program_config_element that opens a raw_data_block from `r` to `w` (4.4.1.1): false when
 * the block does not start with one, or ends inside it.
 */
function copyProgramConfigElement(r: BitReader, w: BitSink): boolean {
  if (r.u(3) !== ID_PCE) return false;
  const copy = (bits: number): number => {
    const value = r.u(bits);
    w.put(value, bits);
    return value;
  };
  copy(4 + 2 + 4); // element_instance_tag, object_type, sampling_frequency_index
  const front = copy(4);
  const side = copy(4);
  const back = copy(4);
  const lfe = copy(2);
  const assoc = copy(3);
  const cc = copy(4);
  if (copy(1)) copy(4); // mono_mixdown
  if (copy(1)) copy(4); // stereo_mixdown
  if (copy(1)) copy(3); // matrix_mixdown_idx, pseudo_surround_enable
  // the element lists: is_cpe and tag_select (5 bits) per front/side/back element, 4 bits per LFE and
  // assoc_data element, is_ind_sw and tag_select (5 bits) per coupling channel element
  for (let left = (front + side + back) * 5 + (lfe + assoc) * 4 + cc * 5; left > 0; left -= 32) copy(Math.min(32, left));
  // byte_alignment(): in ADTS relative to the raw_data_block, in the config to the config's start
  r.skip((8 - (r.pos % 8)) % 8);
  w.align();
  const commentBytes = copy(8);
  for (let i = 0; i < commentBytes; i++) copy(8);
  return !r.exhausted;
}
