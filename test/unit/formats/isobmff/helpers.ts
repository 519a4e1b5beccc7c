// Test helpers shared by the ISO BMFF and MPEG-TS tests: ffprobe as the independent judge, file-backed
// and counting byte sources, a deterministic PRNG, box builders, and a reading of a field's bits.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
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
export function u16(n: number): Uint8Array {
  return new Uint8Array([(n >> 8) & 255, n & 255]);
}

/**
 * A plain movie (ftyp, moov) of one track, id 5, with these stbl children: video (avc1 640×360), or with
 * `sound` G.711 A-law at 8 kHz (QuickTime's uncompressed layout). No mdat.
 */
export function plainMovie(stblChildren: Uint8Array[], sound = false): Uint8Array {
  const zeros = (n: number): Uint8Array => new Uint8Array(n);
  const tkhd = fullBox('tkhd', 0, 3, u32(0), u32(0), u32(5), u32(0), u32(700), zeros(8), zeros(8), zeros(36), u32(640 << 16), u32(360 << 16));
  const mdhd = fullBox('mdhd', 0, 0, u32(0), u32(0), u32(1000), u32(500), u16(0x55c4), u16(0));
  const hdlr = fullBox('hdlr', 0, 0, u32(0), ascii(sound ? 'soun' : 'vide'), zeros(12), ascii('Video'), zeros(1));
  const avc1 = box('avc1', zeros(6), u16(1), zeros(16), u16(640), u16(360), u32(0x480000), u32(0x480000), u32(0), u16(1), zeros(32), u16(0x18), u16(0xffff),
    box('avcC', new Uint8Array([1, 0x64, 0, 0x1f, 0xff, 0xe0, 0])));
  const alaw = box('alaw', zeros(6), u16(1), zeros(8), u16(1), u16(16), zeros(4), u32(8000 << 16));
  const stsd = fullBox('stsd', 0, 0, u32(1), sound ? alaw : avc1);
  const stbl = box('stbl', stsd, ...stblChildren);
  const mvhd = fullBox('mvhd', 0, 0, u32(0), u32(0), u32(1000), u32(500), u32(0x10000), u16(0x100), zeros(10), zeros(36), zeros(24), u32(6));
  return concat(box('ftyp', ascii('isom'), u32(0)), box('moov', mvhd, box('trak', tkhd, box('mdia', mdhd, hdlr, box('minf', fullBox('vmhd', 0, 1, zeros(8)), stbl)))));
}

/**
 * A fragmented MP4 that repeats two faults `count` times: the init segment of the H.265 fixture, then
 * `count` fragments of one sample each, all alike: every mfhd sequence_number is 1, and every trun places
 * its one-byte sample at its moof (data_offset 0) instead of in the mdat after it.
 */
export function repeatedFaultFragments(count: number): { bytes: Uint8Array; initLength: number; fragmentLength: number } {
  const media = fixture('h265-main-frag.mp4');
  const init = media.subarray(0, Buffer.from(media).indexOf('moof') - 4);
  const traf = box('traf', fullBox('tfhd', 0, 0x020000, u32(1)), fullBox('tfdt', 0, 0, u32(0)), fullBox('trun', 0, 0x201, u32(1), u32(0), u32(1)));
  const fragment = concat(box('moof', fullBox('mfhd', 0, 0, u32(1)), traf), box('mdat', new Uint8Array(1)));
  const bytes = new Uint8Array(init.length + count * fragment.length);
  bytes.set(init);
  for (let k = 0; k < count; k++) bytes.set(fragment, init.length + k * fragment.length);
  return { bytes, initLength: init.length, fragmentLength: fragment.length };
}

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

const IN_BAND_ENCODERS = {
  avc3: ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-x264-params', 'repeat-headers=1:keyint=25'],
  hev1: ['-c:v', 'libx265', '-x265-params', 'repeat-headers=1:keyint=25:log-level=none'],
};

/** Box types on the way from the top to the record, and where their children start. */
const CHILDREN_AT: Record<string, number> = { moov: 8, trak: 8, mdia: 8, minf: 8, stbl: 8, stsd: 16, avc3: 86, hev1: 86 };

/**
 * The fragmented MP4 with its avcC/hvcC replaced by a record without parameter sets (avcC: the header and
 * two empty counts, as GStreamer writes for avc3; hvcC: its 22-byte header and no arrays), the boxes
 * around it shrunk to match. The moov comes first and the samples are placed from their moof, so no
 * sample offset moves.
 */
function withEmptyRecord(file: Uint8Array, type: 'avcC' | 'hvcC'): Uint8Array {
  const at = Buffer.from(file).indexOf(type) - 4;
  const size = new DataView(file.buffer, file.byteOffset).getUint32(at);
  const header = file.subarray(at + 8, at + 8 + (type === 'avcC' ? 4 : 22));
  const record = box(type, type === 'avcC' ? Uint8Array.of(...header, 0xff, 0xe0, 0) : Uint8Array.of(...header, 0));
  const out = Buffer.concat([file.subarray(0, at), record, file.subarray(at + size)]);
  const shrink = size - record.length;
  for (let p = 0; p < at; ) {
    const boxSize = out.readUInt32BE(p);
    if (at >= p + boxSize) {
      p += boxSize;
      continue;
    }
    out.writeUInt32BE(boxSize - shrink, p);
    const children = CHILDREN_AT[out.toString('latin1', p + 4, p + 8)];
    assert.ok(children, `a ${out.toString('latin1', p + 4, p + 8)} box around the ${type}`);
    p += children;
  }
  return out;
}

/**
 * An ffmpeg-made fragmented avc3/hev1 MP4 (320x180, 2 s, a key frame each second with its parameter sets
 * in front) whose record then loses its parameter sets, as GStreamer's mp4mux writes avc3: its path in `dir`.
 */
export function inBandOnlyMp4(dir: string, entry: 'avc3' | 'hev1'): string {
  const made = join(dir, `${entry}-full.mp4`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=25:d=2', ...IN_BAND_ENCODERS[entry], '-tag:v', entry, '-movflags', '+frag_keyframe+empty_moov+default_base_moof', made]);
  const path = join(dir, `${entry}.mp4`);
  writeFileSync(path, withEmptyRecord(new Uint8Array(readFileSync(made)), entry === 'avc3' ? 'avcC' : 'hvcC'));
  return path;
}
