// Opus in MPEG-2 TS (Xiph's "OpusTS" mapping): each Opus packet in a PES is an opus_access_unit, an
// opus_control_header followed by the packet.

export interface OpusAccessUnit {
  /** Bytes of the opus_control_header. */
  headerLength: number;
  /** au_size: bytes of the Opus packet after the header. */
  packetLength: number;
}

/** opus_control_header_prefix: 11 bits 0x3ff, which no Opus TOC byte followed by data can start with. */
const PREFIX = 0x3ff;

/**
 * The opus_control_header at bytes[start]: prefix, start/end trim and control extension flags, au_size
 * as a run of 0xFF bytes plus a last byte, the trims (16 bits each) and the control extension. Undefined
 * without the prefix, or when the header runs past the bytes.
 */
export function readOpusControlHeader(bytes: Uint8Array, start = 0): OpusAccessUnit | undefined {
  if (start + 3 > bytes.length) return undefined;
  const flags = bytes[start + 1] ?? 0;
  if ((((bytes[start] ?? 0) << 3) | (flags >> 5)) !== PREFIX) return undefined;
  let position = start + 2;
  let packetLength = 0;
  let byte: number;
  do {
    if (position >= bytes.length) return undefined;
    byte = bytes[position++] ?? 0;
    packetLength += byte;
  } while (byte === 0xff);
  if (flags & 0x10) position += 2; // start_trim_flag: 3 reserved bits, start_trim (13 bits)
  if (flags & 0x08) position += 2; // end_trim_flag: 3 reserved bits, end_trim (13 bits)
  if (flags & 0x04) {
    // control_extension_flag: control_extension_length, then that many bytes
    if (position >= bytes.length) return undefined;
    position += 1 + (bytes[position] ?? 0);
  }
  if (position > bytes.length) return undefined;
  return { headerLength: position - start, packetLength };
}
