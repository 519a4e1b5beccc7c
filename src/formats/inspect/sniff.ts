// Which container a byte stream holds, from its first bytes.
import type { ByteSource } from '../byteSource';
import { findLaterPacketSync, findPacketSync } from '../mpegts';

export type SniffedFormat = 'matroska' | 'isobmff' | 'mpeg-ts' | 'unknown';

const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];
const TS_PACKET = 188;
const TS_SYNC = 0x47;
/** Box types that can open an ISO BMFF file or segment. */
const LEADING_BOXES = new Set(['ftyp', 'styp', 'moov', 'moof', 'sidx', 'free', 'skip', 'mdat', 'emsg', 'prft', 'wide', 'pdin']);

/** What is looked at: enough for a TS sync byte anywhere in the first packet and three packets after it. */
const PROBE_BYTES = 204 * 4;

/**
 * Plain TS, M2TS, a capture that starts part-way through a packet, or one after up to 64 KiB of other
 * bytes (as ffprobe reads it); a short file needs only its first byte.
 */
function looksLikeTs(head: Uint8Array, source: ByteSource): boolean {
  if (head.length <= TS_PACKET) return head[0] === TS_SYNC;
  return findPacketSync(head) !== undefined || findLaterPacketSync(source) !== undefined;
}

export function sniffFormat(source: ByteSource): SniffedFormat {
  const head = source.read(0, PROBE_BYTES);
  if (EBML_MAGIC.every((byte, i) => head[i] === byte)) return 'matroska';
  if (head.length >= 8 && LEADING_BOXES.has(String.fromCharCode((head[4] ?? 0), (head[5] ?? 0), (head[6] ?? 0), (head[7] ?? 0)))) return 'isobmff';
  // A KVS GetMedia stream cut at an arbitrary point, or a Segment without its EBML header.
  if (head[0] === 0x18 && head[1] === 0x53 && head[2] === 0x80 && head[3] === 0x67) return 'matroska';
  if (looksLikeTs(head, source)) return 'mpeg-ts';
  return 'unknown';
}
