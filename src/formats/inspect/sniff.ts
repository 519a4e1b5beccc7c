// Which container a byte stream holds, from its first bytes.
import type { ByteSource } from '../byteSource';
import { findLaterPacketSync, findPacketSync } from '../mpegts';
import { fourccName, u32At } from '../isobmff/fourcc';

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
 * bytes (as ffprobe reads it); a file of one packet needs only its first byte.
 */
function looksLikeTs(head: Uint8Array, source: ByteSource): boolean {
  if (head.length < TS_PACKET) return false;
  if (head.length === TS_PACKET) return head[0] === TS_SYNC;
  return findPacketSync(head) !== undefined || findLaterPacketSync(source) !== undefined;
}

export function sniffFormat(source: ByteSource): SniffedFormat {
  const head = source.read(0, PROBE_BYTES);
  if (EBML_MAGIC.every((byte, i) => head[i] === byte)) return 'matroska';
  if (head.length >= 8 && LEADING_BOXES.has(fourcc(head, 4))) return 'isobmff';
  // A KVS GetMedia stream cut at an arbitrary point, or a Segment without its EBML header.
  if (head[0] === 0x18 && head[1] === 0x53 && head[2] === 0x80 && head[3] === 0x67) return 'matroska';
  if (looksLikeTs(head, source)) return 'mpeg-ts';
  if (secondBoxIsLeading(head, source)) return 'isobmff';
  if (laterEbmlHeader(source)) return 'matroska';
  return 'unknown';
}

/** How far into the input an EBML header is looked for (as for TS packets). */
const EBML_SEARCH_BYTES = 64 * 1024;

/** An EBML header after other bytes: a GetMedia capture that starts part-way through a fragment. */
function laterEbmlHeader(source: ByteSource): boolean {
  const bytes = source.read(0, EBML_SEARCH_BYTES + 5);
  for (let at = bytes.indexOf(EBML_MAGIC[0] ?? 0); at >= 0 && at + 5 <= bytes.length; at = bytes.indexOf(EBML_MAGIC[0] ?? 0, at + 1)) {
    // The magic, then a size byte that is a valid VINT.
    if (EBML_MAGIC.every((byte, i) => bytes[at + i] === byte) && (bytes[at + 4] ?? 0) !== 0) return true;
  }
  return false;
}

function fourcc(bytes: Uint8Array, at: number): string {
  return fourccName(u32At(bytes, at));
}

/** The first box's type is damaged, but its size leads to a box that opens files (an ftyp hit by a flipped bit). */
function secondBoxIsLeading(head: Uint8Array, source: ByteSource): boolean {
  if (head.length < 8) return false;
  const size = u32At(head, 0);
  if (size < 8 || size + 8 > source.size) return false;
  const next = source.read(size, 8);
  const nextSize = u32At(next, 0);
  return (nextSize === 0 || nextSize === 1 || nextSize >= 8) && LEADING_BOXES.has(fourcc(next, 4));
}

/** How much of a text input the message about it quotes. */
const QUOTED_TEXT = 60;

/** Why input of no known format was not read: empty, text (an error page or message saved instead of media), or other bytes. */
export function unknownFormatMessage(source: ByteSource): string {
  if (source.size === 0) return 'The input is empty (0 bytes).';
  const head = source.read(0, 256);
  if (source.size < TS_PACKET && head[0] === TS_SYNC) return `Only ${source.size} ${source.size === 1 ? 'byte' : 'bytes'}, starting with an MPEG-TS sync byte: less than one ${TS_PACKET}-byte packet.`;
  const isText = head.every((byte) => (byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a || byte === 0x0d);
  if (isText) {
    const firstLine = String.fromCharCode(...head).trim().split(/\r?\n/)[0] ?? '';
    const quoted = firstLine.length > QUOTED_TEXT ? `${firstLine.slice(0, QUOTED_TEXT)}…` : firstLine;
    return `Not a Matroska/WebM, MP4 or MPEG-TS stream but text, starting "${quoted}": an error page or message saved in place of the media?`;
  }
  return 'Not a Matroska/WebM, MP4 or MPEG-TS stream: no EBML header or box at the start, and no TS packets in the first 64 KiB.';
}
