// AAC in LOAS/LATM (ISO/IEC 14496-3 §1.7: AudioSyncStream, AudioMuxElement, StreamMuxConfig), the AAC
// framing of MPEG-TS stream_type 0x11: the frame length of each LOAS frame, and the AudioSpecificConfig
// that a frame carrying a StreamMuxConfig declares.
import { BitReader } from '../../bits/bitReader';

/** The bytes of the LOAS frame (AudioSyncStream element) at bytes[start], or undefined without its 0x2B7 sync word. */
export function readLoasFrameLength(bytes: Uint8Array, start = 0): number | undefined {
  if (start + 3 > bytes.length) return undefined;
  const b1 = bytes[start + 1] ?? 0;
  if (bytes[start] !== 0x56 || (b1 & 0xe0) !== 0xe0) return undefined;
  return 3 + (((b1 & 0x1f) << 8) | (bytes[start + 2] ?? 0)); // audioMuxLengthBytes after the 3-byte header
}

export interface LatmStreamMuxConfig {
  /** The first program's first layer's AudioSpecificConfig, moved to start at a byte (in the frame it need not). */
  audioSpecificConfig: Uint8Array;
  /** numSubFrames + 1: the AAC frames (payloads) of each AudioMuxElement. */
  framesPerElement: number;
}

/**
 * The StreamMuxConfig of the LOAS frame at bytes[start], when its AudioMuxElement carries one
 * (useSameStreamMux 0); undefined otherwise, and for audioMuxVersionA 1, which 14496-3 reserves.
 */
export function readLatmStreamMuxConfig(bytes: Uint8Array, start = 0): LatmStreamMuxConfig | undefined {
  const length = readLoasFrameLength(bytes, start);
  if (length === undefined) return undefined;
  const r = new BitReader(bytes, start + 3, Math.min(bytes.length, start + length));
  if (r.u(1) === 1) return undefined; // useSameStreamMux
  const audioMuxVersion = r.u(1);
  if (audioMuxVersion === 1 && r.u(1) === 1) return undefined; // audioMuxVersionA
  if (audioMuxVersion === 1) latmGetValue(r); // taraBufferFullness
  r.u(1); // allStreamsSameTimeFraming
  const numSubFrames = r.u(6);
  r.u(4 + 3); // numProgram, numLayer; the first layer of the first program has its config (useSameConfig is 0)
  // Version 1 gives the config's length in bits; version 0 leaves it to the config's own syntax.
  const bits = audioMuxVersion === 1 ? Math.min(latmGetValue(r), r.bitsLeft) : r.bitsLeft;
  if (r.exhausted || bits <= 0) return undefined;
  const config = new Uint8Array(Math.ceil(bits / 8));
  for (let i = 0; i < config.length; i++) {
    const take = Math.min(8, bits - i * 8); // the last byte may be partial: its bits go to the top
    config[i] = r.u(take) << (8 - take);
  }
  return { audioSpecificConfig: config, framesPerElement: numSubFrames + 1 };
}

/** LatmGetValue(): a value in 1 to 4 bytes, their count first. */
function latmGetValue(r: BitReader): number {
  const bytesForValue = r.u(2);
  let value = 0;
  for (let i = 0; i <= bytesForValue; i++) value = value * 256 + r.u(8);
  return value;
}
