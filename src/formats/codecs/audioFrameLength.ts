// The frame lengths that ADTS, LOAS (AAC in LATM), MPEG audio and AC-3 headers give, for finding and
// chaining frames in bytes that carry them back to back (MPEG-TS PES payloads).
import { readAdtsFrameInfo } from './aac/adts';
import { readLoasFrameLength } from './aac/latm';
import { readAc3FrameInfo } from './ac3/syncFrame';
import { readMpegAudioFrameInfo } from './mpegAudio/frameHeader';

/** The length of the frame whose header is at `at`; undefined (or 0) when no header is there. */
export type FrameLengthAt = (bytes: Uint8Array, at: number) => number | undefined;

/** Undefined too when frame_length is shorter than the header. */
export const adtsFrameLengthAt: FrameLengthAt = (bytes, at) => readAdtsFrameInfo(bytes, at)?.frameLength;
export const loasFrameLengthAt: FrameLengthAt = readLoasFrameLength;
export const mpegAudioFrameLengthAt: FrameLengthAt = (bytes, at) => readMpegAudioFrameInfo(bytes, at)?.frameLength;
export const ac3FrameLengthAt: FrameLengthAt = (bytes, at) => readAc3FrameInfo(bytes, at)?.frameLength;

/**
 * A header at `at`, and another where its frame length says the next frame starts, or the bytes' end
 * there. One header alone is no evidence: frame data often holds a sync word.
 */
export function headersChainAt(bytes: Uint8Array, at: number, lengthAt: FrameLengthAt): boolean {
  const length = lengthAt(bytes, at) ?? 0;
  if (length <= 0) return false;
  const next = at + length;
  return next === bytes.length || (next < bytes.length && (lengthAt(bytes, next) ?? 0) > 0);
}
