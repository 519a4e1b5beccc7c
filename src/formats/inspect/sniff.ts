// Which container a byte stream holds, from its first bytes.
import type { ByteSource } from '../byteSource';

export type SniffedFormat = 'matroska' | 'isobmff' | 'mpeg-ts' | 'unknown';

const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];
const TS_PACKET = 188;
const TS_SYNC = 0x47;
/** Box types that can open an ISO BMFF file or segment. */
const LEADING_BOXES = new Set(['ftyp', 'styp', 'moov', 'moof', 'sidx', 'free', 'skip', 'mdat', 'emsg', 'prft', 'wide', 'pdin']);

export function sniffFormat(source: ByteSource): SniffedFormat {
  const head = source.read(0, TS_PACKET * 3 + 1);
  if (EBML_MAGIC.every((byte, i) => head[i] === byte)) return 'matroska';
  if (head.length >= 8 && LEADING_BOXES.has(String.fromCharCode((head[4] ?? 0), (head[5] ?? 0), (head[6] ?? 0), (head[7] ?? 0)))) return 'isobmff';
  if (head[0] === TS_SYNC && (head.length < TS_PACKET + 1 || head[TS_PACKET] === TS_SYNC)) return 'mpeg-ts';
  // A KVS GetMedia stream cut at an arbitrary point, or a Segment without its EBML header.
  if (head[0] === 0x18 && head[1] === 0x53 && head[2] === 0x80 && head[3] === 0x67) return 'matroska';
  return 'unknown';
}
