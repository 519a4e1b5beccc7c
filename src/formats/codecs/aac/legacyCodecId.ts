// Matroska's legacy AAC codec IDs (A_AAC/MPEG2/LC, A_AAC/MPEG4/LC/SBR, ...) name the profile and have no
// CodecPrivate: the AudioSpecificConfig they stand for, built from the ID and the Audio element.
import { packBits } from '../../bits/bitSink';
import { SAMPLING_FREQUENCIES } from './tables';

/** The object type of each profile in the ID (14496-3 Table 1.17). */
const PROFILES: Record<string, number> = { MAIN: 1, LC: 2, SSR: 3, LTP: 4 };

/**
 * The AudioSpecificConfig of a legacy ID: undefined for another ID, a rate without a sampling frequency
 * index or channels no channelConfiguration names (1 to 6, or 8). With SBR (`/SBR`), explicit hierarchical
 * signalling (object type 5) at `outputRate`, whose Matroska default is the core rate: SBR then runs
 * downsampled, as ffmpeg decodes such a track.
 */
export function legacyAacAudioSpecificConfig(codecId: string, sampleRate: number, channels: number, outputRate?: number): Uint8Array | undefined {
  const match = /^A_AAC\/MPEG[24]\/(MAIN|LC|SSR|LTP)(\/SBR)?$/.exec(codecId);
  const objectType = PROFILES[match?.[1] ?? ''];
  const rateIndex = SAMPLING_FREQUENCIES.indexOf(sampleRate);
  const channelConfiguration = channels >= 1 && channels <= 6 ? channels : channels === 8 ? 7 : undefined;
  if (!match || objectType === undefined || rateIndex < 0 || channelConfiguration === undefined) return undefined;
  const bits: [number, number][] = [];
  if (match[2]) {
    const extensionIndex = SAMPLING_FREQUENCIES.indexOf(outputRate ?? sampleRate);
    if (extensionIndex < 0) return undefined;
    bits.push([5, 5], [rateIndex, 4], [channelConfiguration, 4], [extensionIndex, 4], [objectType, 5]);
  } else {
    bits.push([objectType, 5], [rateIndex, 4], [channelConfiguration, 4]);
  }
  bits.push([0, 3]); // GASpecificConfig: frameLengthFlag, dependsOnCoreCoder, extensionFlag
  return packBits(bits);
}
