import type { AudioSpecificConfigDerived } from './audioSpecificConfig';
import { AAC_LC_OBJECT_TYPE } from './tables';

/**
 * What the container says of an audio track: Matroska's OutputSamplingFrequency (else SamplingFrequency)
 * and Channels, an mp4a sample entry's samplerate. Muxers write what their decoder put out, so these can
 * show SBR and PS that the AudioSpecificConfig leaves to the frames.
 */
export interface ContainerAudio {
  sampleRate?: number;
  channels?: number;
}

/** What a decoder puts out for an AAC track, and which tools only the container's values revealed. */
export interface AacDecoderOutput {
  sampleRate?: number;
  channels?: number;
  /**
   * Samples per frame at that rate: the core's frame length, doubled where SBR runs at twice the core rate.
   * Downsampled SBR (extension rate equal to the core rate) keeps the core's length, as decoders put it out.
   */
  samplesPerFrame?: number;
  sbr: boolean;
  ps: boolean;
  /** SBR and PS that the AudioSpecificConfig does not signal (implicit signalling, 14496-3 1.6.5.2). */
  implicit: ('SBR' | 'PS')[];
  /** A core SBR can double, SBR signalled neither present nor absent and the container not showing it: only the frames tell. */
  sbrUnknown: boolean;
}

/** The highest core rate SBR can double (its output is at most 48 kHz). */
const MAX_SBR_CORE_RATE = 24_000;

/**
 * The rate and channels a decoder puts out. Signalled SBR doubles the rate and signalled PS makes a mono
 * core stereo. Where the AudioSpecificConfig signals neither (flags -1), the container's values can show
 * them: twice the core rate is implicit SBR; 2 channels for a mono core is implicit PS, which only comes
 * with SBR (HE-AAC v2).
 */
export function aacDecoderOutput(d: AudioSpecificConfigDerived, container: ContainerAudio = {}): AacDecoderOutput {
  const implicit: ('SBR' | 'PS')[] = [];
  const core = d.sampleRate;
  const stereoFromMono = d.psPresentFlag === -1 && d.channels === 1 && container.channels === 2;
  let sbr = d.sbrPresentFlag === 1;
  let sampleRate = d.extensionSampleRate ?? core;
  const sbrCanApply = d.sbrPresentFlag === -1 && d.objectType === AAC_LC_OBJECT_TYPE && core !== undefined && core > 0 && core <= MAX_SBR_CORE_RATE;
  if (sbrCanApply && (container.sampleRate === core * 2 || stereoFromMono)) {
    sbr = true;
    sampleRate = core * 2;
    implicit.push('SBR');
  }
  let ps = d.psPresentFlag === 1;
  if (!ps && sbr && stereoFromMono) {
    ps = true;
    implicit.push('PS');
  }
  const upsampled = sbr && core !== undefined && sampleRate !== undefined && sampleRate > core;
  const samplesPerFrame = d.frameLength && d.frameLength * (upsampled ? 2 : 1);
  return { sampleRate, channels: ps && d.channels === 1 ? 2 : d.channels, samplesPerFrame, sbr, ps, implicit, sbrUnknown: sbrCanApply && !sbr };
}
