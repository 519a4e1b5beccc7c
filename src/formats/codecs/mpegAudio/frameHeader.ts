// MPEG audio frame headers (MP1, MP2, MP3): ISO/IEC 11172-3 §2.4.1.3 (MPEG-1), ISO/IEC 13818-3 §2.4.1.3
// (MPEG-2 lower sampling frequencies) and the MPEG 2.5 extension that most decoders accept.
// What a demuxer needs to cut a PES or a file into frames: the frame length and the samples it holds.

export interface MpegAudioFrameInfo {
  /** 1, 2, or 2.5. */
  version: number;
  /** 1, 2 or 3. */
  layer: number;
  /** kbit/s. */
  bitrate: number;
  sampleRate: number;
  channels: number;
  /** Samples per channel in the frame. */
  samples: number;
  /** Bytes of the frame, header included. */
  frameLength: number;
}

/** bitrate_index → kbit/s: MPEG-1 Layer I, II, III, then MPEG-2/2.5 Layer I, and Layers II and III. */
const BITRATES: readonly (readonly number[])[] = [
  [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];

/** sampling_frequency → Hz, for MPEG-1; halved for MPEG-2, quartered for MPEG 2.5. */
const MPEG1_SAMPLE_RATES = [44100, 48000, 32000];

/**
 * The frame header at bytes[start]: undefined without a frame sync there, for the reserved version,
 * layer, bitrate or sampling frequency, and for free-format frames (bitrate_index 0), whose length the
 * header does not give.
 */
export function readMpegAudioFrameInfo(bytes: Uint8Array, start = 0): MpegAudioFrameInfo | undefined {
  if (start + 4 > bytes.length) return undefined;
  const b1 = bytes[start + 1] ?? 0;
  const b2 = bytes[start + 2] ?? 0;
  if (bytes[start] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const versionBits = (b1 >> 3) & 3; // 0: MPEG 2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
  const layerBits = (b1 >> 1) & 3; // 0: reserved, 1: Layer III, 2: Layer II, 3: Layer I
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = 4 - layerBits;
  const mpeg1 = version === 1;
  const bitrate = BITRATES[mpeg1 ? layer - 1 : layer === 1 ? 3 : 4]?.[bitrateIndex] ?? 0;
  const sampleRate = (MPEG1_SAMPLE_RATES[rateIndex] ?? 0) / (mpeg1 ? 1 : version === 2 ? 2 : 4);
  const padding = (b2 >> 1) & 1;
  const samples = layer === 1 ? 384 : layer === 3 && !mpeg1 ? 576 : 1152;
  // Layer I counts in 4-byte slots; the padding is one slot.
  const frameLength = layer === 1
    ? (Math.floor((12 * bitrate * 1000) / sampleRate) + padding) * 4
    : Math.floor(((samples / 8) * bitrate * 1000) / sampleRate) + padding;
  const channels = (bytes[start + 3] ?? 0) >> 6 === 3 ? 1 : 2;
  return { version, layer, bitrate, sampleRate, channels, samples, frameLength };
}

/** "MPEG-1 Audio Layer II", as the header says. */
export function mpegAudioName(info: Pick<MpegAudioFrameInfo, 'version' | 'layer'>): string {
  return `MPEG-${info.version} Audio Layer ${'I'.repeat(info.layer)}`;
}
