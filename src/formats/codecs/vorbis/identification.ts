// The Vorbis identification header (Vorbis I specification §4.2.2), the first of a stream's three header
// packets, which Matroska's A_VORBIS CodecPrivate and ffmpeg's MP4 esds (objectTypeIndication 0xDD) hold
// in Xiph lacing: a byte of packet count - 1, then each packet's size but the last's as a run of bytes
// added up until one is below 255.

export interface VorbisIdentification {
  channels: number;
  sampleRate: number;
}

const XIPH_LACED_THREE_PACKETS = 2;
const IDENTIFICATION_PACKET = 1;
/** packet_type, 'vorbis', vorbis_version (32 bits), audio_channels (8), audio_sample_rate (32). */
const HEADER_BYTES = 16;

/** From a Xiph-laced header set or a lone identification packet; undefined when there is none. */
export function readVorbisIdentification(bytes: Uint8Array): VorbisIdentification | undefined {
  let at = 0;
  if (bytes[0] === XIPH_LACED_THREE_PACKETS) {
    at = 1;
    // The identification and comment packets' sizes.
    for (let sizes = 0; sizes < 2 && at < bytes.length; at++) if (bytes[at] !== 255) sizes++;
  }
  if (bytes.length < at + HEADER_BYTES || bytes[at] !== IDENTIFICATION_PACKET) return undefined;
  if (String.fromCharCode(...bytes.subarray(at + 1, at + 7)) !== 'vorbis') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, HEADER_BYTES);
  return { channels: view.getUint8(11), sampleRate: view.getUint32(12, true) };
}
