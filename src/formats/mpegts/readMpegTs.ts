import type { ByteSource } from '../byteSource';
import { identifyPrivateStreams } from './contentProbe';
import { TsScanner } from './scanner';
import type { MpegTsFile, MpegTsOptions } from './types';

const SYNC = 0x47;

const PACKET_SIZES = [188, 192, 204];
const M2TS_PACKET_SIZE = 192;

/**
 * How far into the input the first sync byte is looked for. ffmpeg's demuxer gives up resynchronising
 * after 64 KiB, so ffprobe reads a stream with up to that much before it (zero fill from a capture tool,
 * an HTTP or file header); more than that is not taken for a transport stream.
 */
const SYNC_SEARCH_BYTES = 64 * 1024;

/** What detectPacketSize and sniffing read to find the first sync byte, beyond SYNC_SEARCH_BYTES. */
const SYNC_PROBE_BYTES = 204 * 6 + 4;

/**
 * Packet size (188, 192 with a 4-byte prefix, or 204) and the offset of the first sync byte, where sync
 * bytes repeat a packet apart through `bytes` (up to five times, at least twice); undefined when none do.
 * A first sync byte is looked for in the first packet, and with `searchBytes` that far in: past the first
 * packet it must repeat five times, or at least three times to the end of `bytes` when `bytes` is all
 * of the input (`whole`), since leading junk may hold a stray 0x47.
 */
export function findPacketSync(bytes: Uint8Array, searchBytes = 0, whole = false): { packetSize: number; first: number } | undefined {
  const repeats = (start: number, size: number): boolean => {
    let k = 0;
    while (k < 5 && start + k * size < bytes.length && bytes[start + k * size] === SYNC) k++;
    const fewest = start < size ? 2 : whole ? 3 : 5;
    return k === 5 || (k >= fewest && start + k * size >= bytes.length);
  };
  for (const size of PACKET_SIZES) {
    for (let start = 0; start < Math.max(size, searchBytes) && start + size < bytes.length; start++) {
      if (bytes[start] !== SYNC || !repeats(start, size)) continue;
      // M2TS: a byte of the 4-byte arrival timestamp before each sync byte stays the same for dozens of
      // packets, and may be 0x47; the sync byte is then the last of the repeating columns up to 3 bytes on.
      let first = start;
      if (size === M2TS_PACKET_SIZE) for (let later = start + 1; later <= start + 3; later++) if (repeats(later, size)) first = later;
      return { packetSize: size, first };
    }
  }
  return undefined;
}

/**
 * Packet size and the offset of the first sync byte (188 from the start when nothing repeats): in the
 * first bytes, or when they have none, up to SYNC_SEARCH_BYTES in.
 */
export function detectPacketSize(source: ByteSource): { packetSize: number; first: number } {
  const bytes = source.read(0, Math.min(source.size, SYNC_PROBE_BYTES)).slice();
  const found = findPacketSync(bytes) ?? findLaterPacketSync(source);
  if (found) return found;
  // A file shorter than two packets: its first sync byte.
  const first = bytes.indexOf(SYNC);
  return { packetSize: 188, first: first >= 0 && bytes.length < 2 * 188 ? first : 0 };
}

/** findPacketSync through the first SYNC_SEARCH_BYTES of an input whose first packet has no sync byte that repeats. */
export function findLaterPacketSync(source: ByteSource): { packetSize: number; first: number } | undefined {
  if (source.size <= SYNC_PROBE_BYTES) return undefined;
  const length = Math.min(source.size, SYNC_SEARCH_BYTES + SYNC_PROBE_BYTES);
  return findPacketSync(source.read(0, length), SYNC_SEARCH_BYTES, length === source.size);
}

/**
 * Reads an MPEG-2 transport stream: packets, PAT/PMT, PES headers (PTS/DTS) and where each PES's bytes
 * are, continuity counters and PCRs. One pass over the packets in large windows; no allocation per packet.
 */
export function readMpegTs(source: ByteSource, options: MpegTsOptions = {}): MpegTsFile {
  const scanner = new TsScanner(options);
  const size = source.size;
  if (size === 0) return scanner.finish(0, 188);
  const { packetSize: ps, first } = detectPacketSize(source);
  // An M2TS packet is a 4-byte timecode, then the TS packet: those 4 bytes come before the first sync byte.
  const leading = ps === M2TS_PACKET_SIZE ? first - 4 : first;
  if (leading > 0) scanner.report('warning', 'TS_LEADING_BYTES', `${leading} bytes before the first ${ps === M2TS_PACKET_SIZE ? 'M2TS packet' : 'sync byte'}`, 0);
  scan(source, scanner, ps, first);
  const file = scanner.finish(size, ps);
  if (options.ranges !== false) identifyPrivateStreams(source, file);
  return file;
}

/** The hot loop: windows of ~2048 packets; resynchronises on a lost sync byte. */
function scan(source: ByteSource, scanner: TsScanner, ps: number, first: number): void {
  const size = source.size;
  const chunk = ps * 2048;
  let buf: Uint8Array = new Uint8Array(0);
  let winStart = 0;
  let winEnd = 0;
  let pos = first;
  while (pos + 188 <= size) {
    if (pos + 188 > winEnd || pos < winStart) {
      buf = source.read(pos, chunk);
      winStart = pos;
      winEnd = pos + buf.length;
      if (winEnd - pos < 188) break;
    }
    const p = pos - winStart;
    if (buf[p] === SYNC) {
      scanner.packet(buf, p, pos);
      pos += ps;
      continue;
    }
    // Lost sync: find the next position where three packets in a row start with 0x47.
    const lost = pos;
    const found = byte(buf[p]);
    let q = pos + 1;
    let next = -1;
    while (q < size) {
      if (q + 2 * ps + 1 > winEnd && winEnd < size) {
        buf = source.read(q, chunk);
        winStart = q;
        winEnd = q + buf.length;
      }
      const r = q - winStart;
      // To the window's next sync byte at once (a native search): long stretches of damage or of zeros
      // (preallocated space after a recording) pass at the speed of reading them.
      const k = buf.indexOf(SYNC, r);
      if (k !== r) {
        q = k < 0 ? Math.max(winEnd, q + 1) : winStart + k;
        continue;
      }
      if ((q + ps >= size || buf[r + ps] === SYNC) && (q + 2 * ps >= size || buf[r + 2 * ps] === SYNC)) {
        next = q;
        break;
      }
      q++;
    }
    if (next < 0) {
      scanner.report('error', 'TS_SYNC_LOST', `expected sync byte 0x47 at ${lost}, found ${found}; no packets in the remaining ${size - lost} bytes`, lost);
      return;
    }
    scanner.report('error', 'TS_SYNC_LOST', `expected sync byte 0x47 at ${lost}, found ${found}; resynchronised at ${next} (${next - lost} bytes skipped)`, lost);
    pos = next;
  }
  if (pos < size) {
    if (scanner.packetCount === 0) scanner.report('error', 'TS_NO_PACKETS', `no whole packet: ${size - pos} bytes from byte ${pos}, less than one packet`, pos);
    else scanner.report('error', 'TS_PACKET_TRUNCATED', `the input ends ${size - pos} bytes into a packet: cut short, and the frame that packet carries is incomplete`, pos);
  }
}

function byte(v: number | undefined): string {
  return `0x${(v ?? 0).toString(16).padStart(2, '0')}`;
}
