// The payload types of the messages in an H.264 or H.265 SEI NAL unit (H.264 7.3.2.3, H.265 7.3.5): what
// the framing checks need to tell a recovery point from other SEI, without decoding any payload.
import { unescapeRbsp } from '../../bits/rbsp';

/** recovery_point(): where decoding may start, the picture being whole some frames later (H.264 D.1.7, H.265 D.2.8). */
export const SEI_RECOVERY_POINT = 6;

/**
 * payloadType of each sei_message() in the NAL unit's bytes [start, end), `start` being the first byte
 * after the NAL unit header. Reading stops at the rbsp_trailing_bits, or before a message whose
 * payloadSize runs past the end (a damaged unit yields the types read up to there).
 */
export function seiPayloadTypes(nal: Uint8Array, start: number, end: number): number[] {
  const rbsp = unescapeRbsp(nal, start, end).bytes;
  let length = rbsp.length;
  while (length > 0 && rbsp[length - 1] === 0) length--; // zero bytes after the stop bit are no message
  const types: number[] = [];
  let pos = 0;
  // more_rbsp_data(): more than the byte holding rbsp_stop_one_bit is left.
  while (pos < length && !(pos === length - 1 && rbsp[pos] === 0x80)) {
    const type = readFfCoded(rbsp, pos, length);
    if (!type) break;
    const size = readFfCoded(rbsp, type.next, length);
    if (!size || size.next + size.value > length) break;
    types.push(type.value);
    pos = size.next + size.value;
  }
  return types;
}

/** A payloadType or payloadSize: 0xFF bytes adding 255 each, then the last byte. */
function readFfCoded(bytes: Uint8Array, from: number, end: number): { value: number; next: number } | undefined {
  let value = 0;
  let pos = from;
  while (pos < end && bytes[pos] === 0xff) {
    value += 255;
    pos++;
  }
  if (pos >= end) return undefined;
  return { value: value + (bytes[pos] ?? 0), next: pos + 1 };
}
