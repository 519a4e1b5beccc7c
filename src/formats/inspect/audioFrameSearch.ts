// Finding the first audio frame in bytes that may begin inside one: a capture cut mid-frame, a PES
// packet after lost bytes, or a muxer that packs frames into PES packets of a fixed size.
import type { ByteSource } from '../byteSource';
import { headersChainAt, type FrameLengthAt } from '../codecs';
import { gatherSpan, pesIndexesOf, pesSpan, type MpegTsFile, type PayloadSpan } from '../mpegts';

/**
 * How much of a PID's payload to search for its first frame header when its first PES does not open with
 * one: two frames of the longest (ADTS allows 8191 bytes), for a header and the one it leads to.
 */
const FIRST_HEADER_SEARCH = 2 * 8192;

/** Headers are at most this long: a frame ending closer than this to the end may be followed by a cut one. */
const HEADER_ROOM = 16;

/**
 * The first position from `from` on where a frame header leads to another header (where its length
 * says) or to the end of the bytes (headersChainAt); failing that, the first header whose frame runs past
 * the end, or ends where the next header would be cut off; -1 when there is none.
 */
export function findFrameStart(bytes: Uint8Array, from: number, lengthAt: FrameLengthAt): number {
  let fallback = -1;
  for (let at = Math.max(from, 0); at < bytes.length; at++) {
    if (headersChainAt(bytes, at, lengthAt)) return at;
    const length = lengthAt(bytes, at) ?? 0;
    if (fallback < 0 && length > 0 && at + length > bytes.length - HEADER_ROOM) fallback = at;
  }
  return fallback;
}

/**
 * The first frame of an MPEG-TS audio PID: at the start of its first PES, or where that PES begins inside
 * a frame (a capture cut there), the first header that leads to another. `payload` is the PID's first
 * bytes (`span`), the header at `at`.
 */
export function firstFrameOfPid(source: ByteSource, ts: MpegTsFile, pid: number, lengthAt: FrameLengthAt): { payload: Uint8Array; span: PayloadSpan; at: number } | undefined {
  const [first] = pesIndexesOf(ts, pid, 1);
  if (first === undefined) return undefined;
  const span = { ...pesSpan(ts, first), length: FIRST_HEADER_SEARCH };
  const payload = gatherSpan(source, ts, span);
  const at = (lengthAt(payload, 0) ?? 0) > 0 ? 0 : findFrameStart(payload, 0, lengthAt);
  return at < 0 ? undefined : { payload, span, at };
}
