/** PES packet header fields (ISO/IEC 13818-1 §2.4.3.6). */

/** stream_ids whose PES packets have no optional header (flags, PTS/DTS). */
export function pesHasOptionalHeader(streamId: number): boolean {
  return !(
    streamId === 0xbc || // program_stream_map
    streamId === 0xbe || // padding_stream
    streamId === 0xbf || // private_stream_2
    streamId === 0xf0 || // ECM
    streamId === 0xf1 || // EMM
    streamId === 0xff || // program_stream_directory
    streamId === 0xf2 || // DSMCC_stream
    streamId === 0xf8 // ITU-T H.222.1 type E
  );
}

/** A 33-bit timestamp from its 5-byte coded form (marker bits ignored), in 90 kHz units. */
export function readTimestamp(b: Uint8Array, at: number): number {
  const b0 = b[at] ?? 0;
  const b1 = b[at + 1] ?? 0;
  const b2 = b[at + 2] ?? 0;
  const b3 = b[at + 3] ?? 0;
  const b4 = b[at + 4] ?? 0;
  // bits 32..30 | 29..15 | 14..0
  return ((b0 >> 1) & 0x07) * 0x40000000 + ((b1 << 7) | (b2 >> 1)) * 0x8000 + ((b3 << 7) | (b4 >> 1));
}
