// The length of an AudioSpecificConfig as KVS sees it: KVS HLS playback has refused codec private data of
// other lengths than 2 (the core config) and 5 (with the SBR sync extension). What to write instead
// depends on what the extra bytes carry.
import { packBits } from '../../bits/bitSink';
import type { Fields } from '../../bits/syntax';
import { spacedHex } from '../../hex';
import { issue, type Issue } from '../../issues';
import type { AudioSpecificConfig } from './audioSpecificConfig';
import { AAC_LC_OBJECT_TYPE, audioObjectTypeName, SAMPLING_FREQUENCIES, samplingFrequency } from './tables';

const REFUSED = 'KVS HLS playback has refused other lengths than 2 and 5 (InvalidCodecPrivateDataException "AAC CPD must be of length 2 or 5")';
const KVS_LENGTHS = [2, 5];

/** AAC_CODEC_PRIVATE_LENGTH for a config that is not 2 or 5 bytes, with the bytes to write where they can be built. */
export function configLengthIssue(cpd: Uint8Array, asc: AudioSpecificConfig, baseOffset: number): Issue | undefined {
  if (KVS_LENGTHS.includes(cpd.length)) return undefined;
  const parsed = asc.derived.configLength;
  const trailing = parsed !== undefined && parsed < cpd.length ? cpd.length - parsed : 0;
  const own = configAdvice(asc, parsed ?? cpd.length);
  if (trailing === 0 || parsed === undefined) {
    return issue('warning', 'AAC_CODEC_PRIVATE_LENGTH', `The AudioSpecificConfig is ${cpd.length} bytes${own.what}; ${REFUSED}.`, baseOffset, own.hint);
  }
  const config = cpd.subarray(0, parsed);
  const hint = KVS_LENGTHS.includes(parsed)
    ? `Pass only the ${parsed} bytes of the config, ${spacedHex(config)}: decoders ignore what follows, KVS counts it.`
    : `Drop the ${bytes(trailing)} after the config. ${own.hint}`;
  return issue('warning', 'AAC_CODEC_PRIVATE_LENGTH', `The AudioSpecificConfig is ${cpd.length} bytes: ${bytes(parsed)} of config${own.what}, then ${bytes(trailing)} that ${trailing === 1 ? 'is' : 'are'} not part of it; ${REFUSED}.`, baseOffset, hint);
}

/** What a config of `length` bytes carries that makes it so long, and what to write instead. */
function configAdvice(asc: AudioSpecificConfig, length: number): { what: string; hint: string } {
  const f = asc.fields;
  const d = asc.derived;
  if (f.channelConfiguration === 0 && d.channels !== undefined) {
    return {
      what: `: channelConfiguration is 0 and a program_config_element describes the ${d.channels} channels`,
      hint: 'Encode a standard channel layout (mono, stereo, 5.1, 7.1) so that channelConfiguration names it.',
    };
  }
  const form = backwardCompatibleSbrForm(asc, d.extensionSampleRate);
  const explicitPs = f.audioObjectType === 29 ? 'audioObjectType 29' : Array.isArray(f.syncExtensionType) && f.syncExtensionType.includes(0x548) ? `the sync extension 0x548 (psPresentFlag ${String(f.psPresentFlag)})` : '';
  if (explicitPs) {
    return {
      what: `: HE-AAC v2 with PS signalled explicitly (${explicitPs})`,
      hint: `The 5-byte form signals SBR but not PS: ${form}. PS then stays implicit: decoders find it in the frames and still put out stereo (say 2 channels in the container).`,
    };
  }
  if (f.audioObjectType === 5) {
    return {
      what: ': HE-AAC with SBR signalled explicitly (audioObjectType 5)',
      hint: `Write the same HE-AAC config in its 5-byte backward-compatible form: ${form}. Its codec string is mp4a.40.2.`,
    };
  }
  if (KVS_LENGTHS.includes(length)) return { what: '', hint: '' };
  const name = d.objectType === undefined ? '' : ` (${audioObjectTypeName(d.objectType)})`;
  const hint = d.objectType === AAC_LC_OBJECT_TYPE ? 'Pass the 2-byte AudioSpecificConfig the encoder reports.' : 'KVS HLS plays AAC LC and HE-AAC, whose configs take 2 bytes (5 with the SBR extension): encode to one of them.';
  return { what: name, hint };
}

/**
 * The 5-byte backward-compatible form of an SBR config at `extensionSampleRate`: the core's
 * AudioSpecificConfig (2 bytes: object type 1 to 4, a rate index, a channelConfiguration, a plain
 * GASpecificConfig), then syncExtensionType 0x2b7, extensionAudioObjectType 5, sbrPresentFlag 1 and the
 * extension rate's index (14496-3 1.6.5.2). Undefined when a field does not fit that form.
 */
export function backwardCompatibleSbrConfig(asc: AudioSpecificConfig, extensionSampleRate: number | undefined): Uint8Array | undefined {
  const f = asc.fields;
  const ga = (f.GASpecificConfig ?? {}) as Fields;
  const core = asc.derived.objectType;
  const { samplingFrequencyIndex: index, channelConfiguration: channels } = f;
  const { frameLengthFlag, dependsOnCoreCoder, extensionFlag } = ga;
  const extension = extensionSampleRate === undefined ? -1 : SAMPLING_FREQUENCIES.indexOf(extensionSampleRate);
  if (core === undefined || core < 1 || core > 4 || typeof index !== 'number' || typeof channels !== 'number' || typeof frameLengthFlag !== 'number') return undefined;
  if (samplingFrequency(index) === undefined || extension < 0 || channels === 0 || dependsOnCoreCoder !== 0 || extensionFlag !== 0) return undefined;
  return packBits([[core, 5], [index, 4], [channels, 4], [frameLengthFlag, 1], [0, 1], [0, 1], [0x2b7, 11], [5, 5], [1, 1], [extension, 4]]);
}

/** The 5-byte form, with what it holds, as a hint says it; how to build it where it cannot be built. */
export function backwardCompatibleSbrForm(asc: AudioSpecificConfig, extensionSampleRate: number | undefined): string {
  const compact = backwardCompatibleSbrConfig(asc, extensionSampleRate);
  return compact
    ? `${spacedHex(compact)} (the ${asc.derived.objectTypeName ?? 'core'} config, then syncExtensionType 0x2b7 with sbrPresentFlag 1 and ${extensionSampleRate} Hz)`
    : 'the 2-byte core config, then syncExtensionType 0x2b7, extensionAudioObjectType 5, sbrPresentFlag 1 and extensionSamplingFrequencyIndex';
}

function bytes(count: number): string {
  return `${count} byte${count === 1 ? '' : 's'}`;
}
