import type { ByteSource } from '../byteSource';
import { TsScanner } from './scanner';
import type { MpegTsFile, MpegTsOptions } from './types';

const SYNC = 0x47;

/** Packet size and the offset of the first sync byte: 188, 192 (4-byte prefix) or 204 bytes. */
export function detectPacketSize(source: ByteSource): { packetSize: number; first: number } {
  const probe = source.read(0, Math.min(source.size, 204 * 6 + 4));
  const bytes = probe.slice();
  for (const size of [188, 192, 204]) {
    for (let start = 0; start < size && start < bytes.length; start++) {
      if (bytes[start] !== SYNC) continue;
      let hits = 0;
      let k = 0;
      for (; start + k * size < bytes.length && k < 5; k++) if (bytes[start + k * size] === SYNC) hits++;
      if (k >= 2 && hits === k) return { packetSize: size, first: start };
      if (k === 1 && bytes.length < 2 * size) return { packetSize: 188, first: start };
    }
  }
  return { packetSize: 188, first: 0 };
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
  if (first > 0) scanner.report('warning', 'TS_LEADING_BYTES', `${first} bytes before the first sync byte`, 0);
  scan(source, scanner, ps, first);
  return scanner.finish(size, ps);
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
      if (buf[r] === SYNC && (q + ps >= size || buf[r + ps] === SYNC) && (q + 2 * ps >= size || buf[r + 2 * ps] === SYNC)) {
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
    scanner.report('warning', 'TS_PACKET_TRUNCATED', `${size - pos} bytes at the end: less than a packet`, pos);
  }
}

function byte(v: number | undefined): string {
  return `0x${(v ?? 0).toString(16).padStart(2, '0')}`;
}
