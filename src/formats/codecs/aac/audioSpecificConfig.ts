import type { Fields } from '../../bits/syntax';
import type { SyntaxReader } from '../../bits/syntaxReader';
import { issue } from '../../issues';
import type { Issue } from '../../issues';
import { openRecord, stopIssues } from '../nalSyntax';
import type { ParsedSyntax } from '../nalSyntax';
import { readProgramConfigElement } from './programConfigElement';
import { audioObjectTypeName, channelCount, isAudioObjectType, samplingFrequency } from './tables';

export interface AudioSpecificConfigDerived {
  /** The first audioObjectType coded (5 or 29 with explicit hierarchical SBR/PS signalling): N of mp4a.40.N. */
  signalledObjectType?: number;
  /** The object type of the core coder (AAC LC for HE-AAC). */
  objectType?: number;
  objectTypeName?: string;
  /** Core sampling rate in Hz. */
  sampleRate?: number;
  /** Output rate of the SBR tool, when SBR is signalled. */
  extensionSampleRate?: number;
  channels?: number;
  /** 5 when SBR is signalled (explicitly or backward-compatibly), as 14496-3 defines the variable. */
  extensionAudioObjectType?: number;
  /** 1 signalled present, 0 signalled absent, -1 not signalled (implicit signalling may still apply). */
  sbrPresentFlag: number;
  psPresentFlag: number;
  /** 'hierarchical' (AOT 5/29 first), 'backward-compatible' (sync extension 0x2b7), or 'none'. */
  sbrSignalling: 'hierarchical' | 'backward-compatible' | 'none';
  /** Samples per frame of the core coder (1024 or 960 for AAC; doubled by SBR in the output). */
  frameLength?: number;
  /** Bytes the config takes, decoded to its end: fewer than were given when bytes follow it. */
  configLength?: number;
}

export type AudioSpecificConfig = ParsedSyntax<AudioSpecificConfigDerived>;

const CODE = 'AAC_ASC';
const WHAT = 'AudioSpecificConfig';

/** Object types whose specific config is GASpecificConfig() (14496-3 1.6.2.1). */
const GA_TYPES = [1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23];
const EP_TYPES = [17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 39];

/**
 * Decodes an AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): the Matroska CodecPrivate of A_AAC and the
 * DecoderSpecificInfo of an esds. In explicit hierarchical signalling (first audioObjectType 5 or 29) the
 * audioObjectType read after the extension sampling frequency is stored as `coreAudioObjectType`
 * (14496-3 reuses the name audioObjectType for it).
 */
export function parseAudioSpecificConfig(bytes: Uint8Array, baseOffset = 0): AudioSpecificConfig {
  const r = openRecord(bytes, baseOffset);
  const f: Fields = {};
  const issues: Issue[] = [];
  const d: AudioSpecificConfigDerived = { sbrPresentFlag: -1, psPresentFlag: -1, sbrSignalling: 'none' };
  const result: AudioSpecificConfig = { fields: f, derived: d, locations: r.locations, issues, offset: baseOffset, length: bytes.length };

  let aot = readObjectType(r, f, 'audioObjectType', 'audioObjectTypeExt');
  const signalled = aot;
  const rate = readFrequency(r, f, 'samplingFrequencyIndex', 'samplingFrequency', issues);
  const channelConfig = r.u(f, 'channelConfiguration', 4);
  if (r.ok) {
    d.sampleRate = rate;
    const count = channelCount(channelConfig);
    if (count !== undefined) d.channels = count;
    else if (channelConfig !== 0) issues.push(issue('warning', `${CODE}_CHANNEL_CONFIGURATION`, `channelConfiguration ${channelConfig} is reserved.`, baseOffset + 1));
  }
  if (aot === 5 || aot === 29) {
    d.extensionAudioObjectType = 5;
    d.sbrPresentFlag = 1;
    d.sbrSignalling = 'hierarchical';
    if (aot === 29) d.psPresentFlag = 1;
    const ext = readFrequency(r, f, 'extensionSamplingFrequencyIndex', 'extensionSamplingFrequency', issues);
    if (r.ok) d.extensionSampleRate = ext;
    aot = readObjectType(r, f, 'coreAudioObjectType', 'coreAudioObjectTypeExt');
    if (aot === 22) r.u(f, 'extensionChannelConfiguration', 4);
  }
  const invalidType = r.ok ? objectTypeIssue(r, signalled, aot) : undefined;
  if (invalidType) {
    issues.push(invalidType);
    return finish(r, result, true);
  }
  if (r.ok) {
    d.signalledObjectType = signalled;
    d.objectType = aot;
    d.objectTypeName = audioObjectTypeName(aot);
  }
  if (!r.ok) return finish(r, result);

  if (GA_TYPES.includes(aot)) {
    const ga: Fields = {};
    f.GASpecificConfig = ga;
    r.within('GASpecificConfig', () => readGASpecificConfig(r, ga, channelConfig, aot, d));
  } else {
    issues.push(issue('info', `${CODE}_SPECIFIC_CONFIG`, `The specific config of ${audioObjectTypeName(aot)} (object type ${aot}) is not decoded.`, baseOffset));
    return finish(r, result, true);
  }
  if (EP_TYPES.includes(aot)) {
    const ep = r.u(f, 'epConfig', 2);
    if (ep === 2 || ep === 3) {
      issues.push(issue('info', `${CODE}_EP_CONFIG`, `epConfig ${ep}: ErrorProtectionSpecificConfig is not decoded.`, baseOffset));
      return finish(r, result, true);
    }
  }
  const specificConfigEnd = r.bits.pos;
  const end = d.extensionAudioObjectType !== 5 && r.bits.bitsLeft >= 16 ? readSyncExtension(r, f, d, issues) : undefined;
  if (r.ok) d.configLength = Math.ceil((end ?? specificConfigEnd) / 8);
  return finish(r, result);
}

function finish(r: SyntaxReader, result: AudioSpecificConfig, partial = false): AudioSpecificConfig {
  result.issues.push(...stopIssues(r, CODE, WHAT));
  const end = result.derived.configLength ?? Math.ceil(r.bits.pos / 8);
  if (r.ok && !partial && result.length > end) {
    result.issues.push(issue('info', `${CODE}_TRAILING_BYTES`, `${result.length - end} bytes follow the AudioSpecificConfig; they were not decoded.`, result.offset + end));
  }
  return result;
}

/**
 * AAC_ASC_OBJECT_TYPE when the config names no audio coder: the null object (0), a reserved type, or after
 * SBR or PS (5, 29) a core that is one of those or SBR or PS again. Decoders reject such a config.
 */
function objectTypeIssue(r: SyntaxReader, signalled: number, core: number): Issue | undefined {
  const coreInvalid = (signalled === 5 || signalled === 29) && (!isAudioObjectType(core) || core === 5 || core === 29);
  if (isAudioObjectType(signalled) && !coreInvalid) return undefined;
  const name = coreInvalid ? 'coreAudioObjectType' : 'audioObjectType';
  const value = coreInvalid ? core : signalled;
  const at = r.locations.find((location) => location.path === name);
  const role = coreInvalid ? `, the core coder under audioObjectType ${signalled},` : '';
  const what = value === 0 ? 'the null object' : isAudioObjectType(value) ? `${audioObjectTypeName(value)} again` : 'reserved';
  return issue(
    'error',
    `${CODE}_OBJECT_TYPE`,
    `${name} ${value} (bit ${at?.bitOffset ?? 0})${role} is ${what}: no decoder takes this config.`,
    at?.byteOffset ?? r.byteOffsetOfBit(0),
    'Pass the encoder\'s AudioSpecificConfig: audioObjectType 2 (AAC LC), or 5 or 29 followed by core type 2 for HE-AAC.',
  );
}

/** GetAudioObjectType() (Table 1.16). */
function readObjectType(r: SyntaxReader, f: Fields, name: string, extName: string): number {
  const aot = r.u(f, name, 5);
  if (aot !== 31) return aot;
  return 32 + r.u(f, extName, 6);
}

/** A 4-bit sampling frequency index with its 24-bit escape; returns the rate in Hz (0 when unknown). */
function readFrequency(r: SyntaxReader, f: Fields, indexName: string, valueName: string, issues: Issue[]): number {
  const index = r.u(f, indexName, 4);
  if (index === 15) {
    const explicit = r.u(f, valueName, 24);
    if (explicit === 0 && r.ok) {
      const at = r.locations[r.locations.length - 1]?.byteOffset ?? 0;
      issues.push(issue('error', `${CODE}_SAMPLING_FREQUENCY`, `${valueName} is 0 (${indexName} 15 codes the rate in 24 bits): there is no rate to decode at.`, at, 'Code the real sampling rate, by its index (3 = 48000 Hz, 4 = 44100 Hz, 11 = 8000 Hz).'));
    }
    return explicit;
  }
  const rate = samplingFrequency(index);
  if (rate === undefined && r.ok) {
    const at = r.locations[r.locations.length - 1]?.byteOffset ?? 0;
    issues.push(issue('error', `${CODE}_SAMPLING_FREQUENCY_INDEX`, `${indexName} ${index} is reserved; decoders reject it.`, at, 'Use the index of the real sampling rate (3 = 48000 Hz, 4 = 44100 Hz, 11 = 8000 Hz).'));
    return 0;
  }
  return rate ?? 0;
}

/** 4.4.1 GASpecificConfig(). */
function readGASpecificConfig(r: SyntaxReader, g: Fields, channelConfig: number, aot: number, d: AudioSpecificConfigDerived): void {
  const frameLengthFlag = r.u(g, 'frameLengthFlag', 1);
  if (r.ok) d.frameLength = aot === 23 ? (frameLengthFlag ? 480 : 512) : frameLengthFlag ? 960 : 1024;
  if (r.u(g, 'dependsOnCoreCoder', 1)) r.u(g, 'coreCoderDelay', 14);
  const extensionFlag = r.u(g, 'extensionFlag', 1);
  if (channelConfig === 0) {
    const pce: Fields = {};
    g.program_config_element = pce;
    const channels = r.within('program_config_element', () => readProgramConfigElement(r, pce));
    if (r.ok) d.channels = channels;
  }
  if (aot === 6 || aot === 20) r.u(g, 'layerNr', 3);
  if (extensionFlag) {
    if (aot === 22) {
      r.u(g, 'numOfSubFrame', 5);
      r.u(g, 'layer_length', 11);
    }
    if (aot === 17 || aot === 19 || aot === 20 || aot === 23) {
      r.u(g, 'aacSectionDataResilienceFlag', 1);
      r.u(g, 'aacScalefactorDataResilienceFlag', 1);
      r.u(g, 'aacSpectralDataResilienceFlag', 1);
    }
    r.u(g, 'extensionFlag3', 1);
  }
}

/**
 * The backward-compatible extension signalling after the specific config (syncExtensionType 0x2b7, 0x548).
 * Returns the bit where what it recognised ends (undefined when it recognised nothing): padding after it
 * is no part of the config.
 */
function readSyncExtension(r: SyntaxReader, f: Fields, d: AudioSpecificConfigDerived, issues: Issue[]): number | undefined {
  const types: number[] = [];
  f.syncExtensionType = types;
  const sync = r.within('syncExtensionType', () => r.u(types, 0, 11));
  if (sync !== 0x2b7) {
    if (r.ok) issues.push(issue('info', `${CODE}_UNKNOWN_EXTENSION`, `syncExtensionType 0x${sync.toString(16)} is not 0x2b7; the rest of the config is not decoded.`, r.locations[r.locations.length - 1]?.byteOffset ?? 0));
    return undefined;
  }
  const ext = readObjectType(r, f, 'extensionAudioObjectType', 'extensionAudioObjectTypeExt');
  if (!r.ok) return undefined;
  d.extensionAudioObjectType = ext;
  if (ext === 5) {
    const sbr = r.u(f, 'sbrPresentFlag', 1);
    d.sbrPresentFlag = sbr;
    d.sbrSignalling = 'backward-compatible';
    if (sbr === 1) {
      const rate = readFrequency(r, f, 'extensionSamplingFrequencyIndex', 'extensionSamplingFrequency', issues);
      if (r.ok) d.extensionSampleRate = rate;
      if (r.bits.bitsLeft >= 12) {
        const beforeSync2 = r.bits.pos;
        const sync2 = r.within('syncExtensionType', () => r.u(types, 1, 11));
        if (sync2 !== 0x548) return beforeSync2; // padding after the SBR extension, no PS one
        d.psPresentFlag = r.u(f, 'psPresentFlag', 1);
      }
    }
  } else if (ext === 22) {
    const sbr = r.u(f, 'sbrPresentFlag', 1);
    d.sbrPresentFlag = sbr;
    if (sbr === 1) {
      const rate = readFrequency(r, f, 'extensionSamplingFrequencyIndex', 'extensionSamplingFrequency', issues);
      if (r.ok) d.extensionSampleRate = rate;
    }
    r.u(f, 'extensionChannelConfiguration', 4);
  }
  return r.bits.pos;
}
