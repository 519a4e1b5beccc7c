// What the KVS producer SDKs' MKV generator (PIC, under the C and C++ SDKs and kvssink) reads of an AAC
// track's codec private data: the samplingFrequencyIndex and channelConfiguration of its first two bytes,
// for the track's Audio element. It takes indexes 0 to 12 and configurations 0 to 7; for others it logs a
// warning and writes the track without its Audio element (no SamplingFrequency, no Channels). It reads them
// at fixed bits (5 to 8 and 9 to 12), where they lie only when audioObjectType takes its 5 bits: an object
// type of 32 or more (escape value 31 and 6 more bits: ER AAC ELD 39, USAC 42) moves them.
import { issue, type Issue } from '../../issues';
import type { AudioSpecificConfig } from './audioSpecificConfig';
import { channelCount, SAMPLING_FREQUENCIES } from './tables';

const PRODUCER = 'the KVS producer SDKs (C, C++, kvssink) take samplingFrequencyIndex 0 to 12 and channelConfiguration 0 to 7 only: for others they write the track without its Audio element (no SamplingFrequency, no Channels)';

/**
 * AAC_PRODUCER_OBJECT_TYPE (an escaped audioObjectType), AAC_PRODUCER_SAMPLING_FREQUENCY (the explicit
 * 24-bit rate) and AAC_PRODUCER_CHANNEL_CONFIGURATION (11 to 14). `config` holds the config's bytes.
 */
export function producerLimitIssues(asc: AudioSpecificConfig, config: Uint8Array): Issue[] {
  const at = (path: string) => asc.locations.find((location) => location.path === path)?.byteOffset ?? asc.offset;
  const { audioObjectType, samplingFrequencyIndex, samplingFrequency, channelConfiguration } = asc.fields;
  if (audioObjectType === 31) return [escapedObjectTypeIssue(asc, config, at('audioObjectType'))];
  const out: Issue[] = [];
  if (samplingFrequencyIndex === 15 && typeof samplingFrequency === 'number' && samplingFrequency > 0) {
    const listed = SAMPLING_FREQUENCIES.indexOf(samplingFrequency);
    out.push(issue(
      'warning',
      'AAC_PRODUCER_SAMPLING_FREQUENCY',
      `samplingFrequencyIndex 15 codes the rate, ${samplingFrequency} Hz, in 24 bits; ${PRODUCER}. ffmpeg refuses such a config too.`,
      at('samplingFrequencyIndex'),
      listed >= 0
        ? `${samplingFrequency} Hz has samplingFrequencyIndex ${listed}: code the rate by it.`
        : 'Resample to a rate with an index (48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025 or 8000 Hz, among others).',
    ));
  }
  const channels = typeof channelConfiguration === 'number' ? channelCount(channelConfiguration) : undefined;
  // 8 to 10 and 15 are reserved, which the parser reports.
  if (typeof channelConfiguration === 'number' && channelConfiguration > 7 && channels !== undefined) {
    out.push(issue(
      'warning',
      'AAC_PRODUCER_CHANNEL_CONFIGURATION',
      `channelConfiguration ${channelConfiguration} (${channels} channels); ${PRODUCER}.`,
      at('channelConfiguration'),
      'Encode mono, stereo, 5.1 or 7.1 (channelConfiguration 1, 2, 6 or 7).',
    ));
  }
  return out;
}

/** What the SDKs make of a config whose audioObjectType is escaped: the rate and channels at their fixed bits. */
function escapedObjectTypeIssue(asc: AudioSpecificConfig, config: Uint8Array, offset: number): Issue {
  const firstBytes = ((config[0] ?? 0) << 8) | (config[1] ?? 0);
  const readIndex = (firstBytes >> 7) & 0xf;
  const readChannels = (firstBytes >> 3) & 0xf;
  const readRate = readIndex <= 12 && readChannels <= 7 ? SAMPLING_FREQUENCIES[readIndex] : undefined;
  const written = readRate === undefined ? 'the track without its Audio element (no SamplingFrequency, no Channels)' : `SamplingFrequency ${readRate} Hz and Channels ${readChannels}`;
  const { sampleRate, channels, signalledObjectType } = asc.derived;
  const actual = sampleRate !== undefined && channels !== undefined ? ` (the config says ${sampleRate} Hz, ${channels} channels)` : '';
  return issue(
    'warning',
    'AAC_PRODUCER_OBJECT_TYPE',
    `audioObjectType ${signalledObjectType ?? ''} is escaped (31 and 6 more bits), which moves the fields after it; the KVS producer SDKs (C, C++, kvssink) read samplingFrequencyIndex and channelConfiguration at fixed bits of the first two bytes and would find ${readIndex} and ${readChannels} there${actual}: they would write ${written}.`,
    offset,
    'KVS plays AAC LC and HE-AAC (audioObjectType 2, or 5 or 29 over 2), whose fields lie where the SDKs read them.',
  );
}
