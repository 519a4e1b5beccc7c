// Which container a byte stream holds, from its first bytes.
import type { ByteSource } from '../byteSource';

export type SniffedFormat = 'matroska' | 'isobmff' | 'mpeg-ts' | 'unknown';

const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];
const TS_PACKET = 188;
const TS_SYNC = 0x47;
/** Box types that can open an ISO BMFF file or segment. */
const LEADING_BOXES = new Set(['ftyp', 'styp', 'moov', 'moof', 'sidx', 'free', 'skip', 'mdat', 'emsg', 'prft', 'wide', 'pdin']);

/** Sizes of a TS packet: plain, M2TS/BDAV (a 4-byte time code first) and with 16 bytes of Reed-Solomon. */
const TS_PACKET_SIZES = [TS_PACKET, 192, 204];
/** Enough for a sync byte anywhere in the first packet and three packets after it. */
const TS_PROBE_BYTES = 204 * 4;

/**
 * Sync bytes a packet apart, three times over (twice in a shorter file), from anywhere in the first
 * packet: plain TS, M2TS, and a capture that starts part-way through a packet.
 */
function looksLikeTs(head: Uint8Array): boolean {
  if (head.length <= TS_PACKET) return head[0] === TS_SYNC;
  for (const size of TS_PACKET_SIZES) {
    for (let start = 0; start < size && start + size < head.length; start++) {
      let hits = 0;
      for (let at = start; at < head.length && hits < 3 && head[at] === TS_SYNC; at += size) hits++;
      if (hits === 3 || (hits === 2 && start + 2 * size >= head.length)) return true;
    }
  }
  return false;
}

export function sniffFormat(source: ByteSource): SniffedFormat {
  const head = source.read(0, TS_PACKET * 3 + 1);
  if (EBML_MAGIC.every((byte, i) => head[i] === byte)) return 'matroska';
  if (head.length >= 8 && LEADING_BOXES.has(String.fromCharCode((head[4] ?? 0), (head[5] ?? 0), (head[6] ?? 0), (head[7] ?? 0)))) return 'isobmff';
  if (looksLikeTs(source.read(0, TS_PROBE_BYTES))) return 'mpeg-ts';
  // A KVS GetMedia stream cut at an arbitrary point, or a Segment without its EBML header.
  if (head[0] === 0x18 && head[1] === 0x53 && head[2] === 0x80 && head[3] === 0x67) return 'matroska';
  return 'unknown';
}
