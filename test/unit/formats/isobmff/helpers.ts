// Test helpers shared by the ISO BMFF and MPEG-TS tests: ffprobe as the independent judge, file-backed
// and counting byte sources, a deterministic PRNG, box builders, and a reading of a field's bits.
import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerField } from '../../../../src/formats/bits/syntax';
import { bytesSource, type ByteSource } from '../../../../src/formats/byteSource';
export { prng } from '../../../support/random';

export const MEDIA = join(__dirname, '../../../fixtures/media');

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(MEDIA, name)));
}

export interface ProbeStream {
  index: number;
  id?: string;
  codec_name: string;
  codec_tag_string: string;
  codec_type: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  time_base: string;
}

export interface ProbePacket {
  stream_index: number;
  pts?: number;
  dts?: number;
  size: string;
  pos?: string;
  flags: string;
}

export interface Probe {
  streams: ProbeStream[];
  packets: ProbePacket[];
}

const probeCache = new Map<string, Probe>();

/** `ffprobe -show_streams -show_packets -of json` of a file. */
export function ffprobe(path: string): Probe {
  const cached = probeCache.get(path);
  if (cached) return cached;
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_packets', '-of', 'json', path], { maxBuffer: 256 * 1024 * 1024 });
  const probe = JSON.parse(out.toString('utf8')) as Probe;
  probe.streams ??= [];
  probe.packets ??= [];
  probeCache.set(path, probe);
  return probe;
}

export function packetsOf(probe: Probe, streamIndex: number): ProbePacket[] {
  return probe.packets.filter((p) => p.stream_index === streamIndex);
}

/** A ByteSource over a file with positioned reads into one reused buffer, as the extension uses. */
export function fileSource(path: string): ByteSource & { close(): void; reads: number; bytesRead: number } {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  let buffer = new Uint8Array(64 * 1024);
  const src = {
    size,
    reads: 0,
    bytesRead: 0,
    read(offset: number, length: number): Uint8Array {
      const n = Math.max(0, Math.min(length, size - offset));
      if (n > buffer.length) buffer = new Uint8Array(Math.max(n, buffer.length * 2));
      // Scribble over the old contents so that a caller holding on to a previous view notices.
      buffer.fill(0xa5);
      const got = n > 0 ? readSync(fd, buffer, 0, n, offset) : 0;
      src.reads++;
      src.bytesRead += got;
      return buffer.subarray(0, got);
    },
    close(): void {
      closeSync(fd);
    },
  };
  return src;
}

/** A ByteSource over bytes that counts what is read. */
export function countingSource(bytes: Uint8Array): ByteSource & { bytesRead: number; reads: number } {
  const inner = bytesSource(bytes);
  const src = {
    size: inner.size,
    bytesRead: 0,
    reads: 0,
    read(offset: number, length: number): Uint8Array {
      const v = inner.read(offset, length);
      src.bytesRead += v.length;
      src.reads++;
      return v;
    },
  };
  return src;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

export function ascii(s: string): Uint8Array {
  return new Uint8Array([...s].map((c) => c.charCodeAt(0)));
}

/** A box with a 32-bit size. */
export function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const body = concat(...payload);
  return concat(u32(8 + body.length), ascii(type), body);
}

/** A full box (version, flags) with a 32-bit size. */
export function fullBox(type: string, version: number, flags: number, ...payload: Uint8Array[]): Uint8Array {
  return box(type, new Uint8Array([version, (flags >> 16) & 255, (flags >> 8) & 255, flags & 255]), ...payload);
}

/** The AAC channelConfiguration from an AudioSpecificConfig (enough for the tests' AAC-LC). */
export function ascChannels(asc: Uint8Array): number {
  const b0 = asc[0] ?? 0;
  const b1 = asc[1] ?? 0;
  const aot = b0 >> 3;
  const freqIndex = ((b0 & 7) << 1) | (b1 >> 7);
  if (aot === 31 || freqIndex === 15) throw new Error('escape values not handled by this helper');
  return (b1 >> 3) & 0x0f;
}

/** The bits of a field as they are in the file, read independently of the parser. */
function bitsAt(bytes: Uint8Array, bitOffset: number, bitLength: number): bigint {
  let value = 0n;
  for (let bit = bitOffset; bit < bitOffset + bitLength; bit++) value = (value << 1n) | BigInt(((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1);
  return value;
}

/**
 * Whether a container field's value is what the file holds where the field says it is (its bit offset
 * counted from `structureOffset`), read as its descriptor says.
 */
export function fieldHoldsValue(bytes: Uint8Array, structureOffset: number, field: ContainerField): boolean {
  const start = structureOffset * 8 + field.bitOffset;
  const raw = Buffer.from(bytes.subarray(field.byteOffset, field.byteOffset + field.byteLength));
  const { descriptor, value, bitLength } = field;
  if (typeof value === 'number' && descriptor.startsWith('bit(8*')) return value === field.byteLength;
  if (descriptor.startsWith('bit(') && typeof value === 'string') return value === raw.toString('hex');
  // A 64-bit integer beyond 2^53, recorded as a decimal string.
  if (typeof value === 'string' && bitLength === 64 && /^-?\d+$/.test(value)) return BigInt(value) === integerAt(bytes, start, bitLength, descriptor);
  if (descriptor === 'string' || descriptor === 'pstring' || descriptor === 'string[32]') return raw.toString('utf8').includes(String(value));
  if (typeof value === 'string') return value === raw.toString('latin1');
  if (descriptor === 'float(64)') return raw.readDoubleBE(0) === value;
  if (field.path === 'ntp_timestamp') return Math.floor(value) === Number(bitsAt(bytes, start, 32));
  // An esds size in 7-bit groups: the value is the sum of the groups, not the bits as they stand.
  if (descriptor === 'expandable size') return value === [...raw].reduce((sum, byte) => sum * 128 + (byte & 0x7f), 0);
  // A Matroska VINT: the bits after its length marker.
  if (descriptor === 'vint') return BigInt(value) === bitsAt(bytes, start, bitLength) - (1n << BigInt((bitLength / 8) * 7));
  return BigInt(value) === integerAt(bytes, start, bitLength, descriptor);
}

/** The integer at a bit offset, signed when its descriptor is `int(n)`. */
export function integerAt(bytes: Uint8Array, bitOffset: number, bitLength: number, descriptor: string): bigint {
  const unsigned = bitsAt(bytes, bitOffset, bitLength);
  return descriptor.startsWith('int(') && unsigned >= 1n << BigInt(bitLength - 1) ? unsigned - (1n << BigInt(bitLength)) : unsigned;
}
