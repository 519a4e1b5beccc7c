// On-disk layout of the fragment store (format version 1). All integers little-endian; every record
// ends with the CRC-32 of the bytes before it (see crc32.ts). The layout is described in full in the
// top comment of fragmentStore.ts; this module only encodes and decodes it.
import { crc32Small } from './crc32';

export const FORMAT_VERSION = 1;

/** Size of the header that opens every segment data, segment index and headers file. */
export const FILE_HEADER_BYTES = 32;
/** Size of a fragment entry header in a data file, and of a record in an index file (the same bytes). */
export const ENTRY_HEADER_BYTES = 64;
/** Size of the header before each stream header's bytes in the headers file. */
export const HEADER_ENTRY_BYTES = 24;
/** Size of the low-water-mark file. */
export const LOW_WATER_BYTES = 24;

/** Largest cluster or stream header the store accepts (the length field is 32 bits). */
export const MAX_PAYLOAD_BYTES = 0xffff_ffff;

export type FileKind = 'data' | 'index' | 'headers';

const FILE_MAGIC: Record<FileKind, string> = { data: 'KVSLDAT1', index: 'KVSLIDX1', headers: 'KVSLHDR1' };
/** "KVSF" read as a little-endian u32: opens every fragment entry. */
export const ENTRY_MAGIC = 0x4653564b;
/** "KVSH": opens every stream-header entry. */
export const HEADER_ENTRY_MAGIC = 0x4853564b;
/** "KVSL": opens the low-water-mark file. */
export const LOW_WATER_MAGIC = 0x4c53564b;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// ---------------------------------------------------------------------------------------------------
// File header (32 bytes)
//
//   0  8  magic "KVSLDAT1" | "KVSLIDX1" | "KVSLHDR1"
//   8  u32 format version (1)
//  12  u32 segment number (0 in the headers file)
//  16  f64 first sequence number of the segment (0 in the headers file)
//  24  u32 reserved, 0
//  28  u32 CRC-32 of bytes 0..27

export interface FileHeader {
  kind: FileKind;
  segment: number;
  firstSeq: number;
}

export function encodeFileHeader(header: FileHeader): Uint8Array {
  const bytes = new Uint8Array(FILE_HEADER_BYTES);
  const magic = FILE_MAGIC[header.kind];
  for (let i = 0; i < 8; i++) bytes[i] = magic.charCodeAt(i);
  const v = view(bytes);
  v.setUint32(8, FORMAT_VERSION, true);
  v.setUint32(12, header.segment, true);
  v.setFloat64(16, header.firstSeq, true);
  v.setUint32(28, crc32Small(bytes, 0, 28), true);
  return bytes;
}

/** The header if the bytes hold a valid one of the expected kind, else undefined. */
export function decodeFileHeader(bytes: Uint8Array, kind: FileKind): FileHeader | undefined {
  if (bytes.length < FILE_HEADER_BYTES) return undefined;
  const magic = FILE_MAGIC[kind];
  for (let i = 0; i < 8; i++) if (bytes[i] !== magic.charCodeAt(i)) return undefined;
  const v = view(bytes);
  if (v.getUint32(28, true) !== crc32Small(bytes, 0, 28)) return undefined;
  if (v.getUint32(8, true) !== FORMAT_VERSION) return undefined;
  const firstSeq = v.getFloat64(16, true);
  if (!Number.isSafeInteger(firstSeq) || firstSeq < 0) return undefined;
  return { kind, segment: v.getUint32(12, true), firstSeq };
}

// ---------------------------------------------------------------------------------------------------
// Fragment entry header = index record (64 bytes)
//
//   0  u32 magic "KVSF"
//   4  u32 cluster length in bytes
//   8  f64 sequence number (integer; the last 20 digits of the fragment number)
//  16  f64 server timestamp, ms
//  24  f64 producer timestamp, ms
//  32  f64 cluster timecode as sent
//  40  f64 duration, ms
//  48  u32 stream-header id
//  52  u32 track mask: bit (n - 1) set when track number n (1..32) has frames in the cluster
//  56  u32 CRC-32 of the cluster bytes
//  60  u32 CRC-32 of bytes 0..59

export interface EntryHeader {
  seq: number;
  sizeBytes: number;
  serverTimestampMs: number;
  producerTimestampMs: number;
  clusterTimecode: number;
  durationMs: number;
  headerId: number;
  trackMask: number;
  payloadCrc: number;
}

export function encodeEntryHeader(entry: EntryHeader, into: Uint8Array = new Uint8Array(ENTRY_HEADER_BYTES), at = 0): Uint8Array {
  const v = new DataView(into.buffer, into.byteOffset + at, ENTRY_HEADER_BYTES);
  v.setUint32(0, ENTRY_MAGIC, true);
  v.setUint32(4, entry.sizeBytes, true);
  v.setFloat64(8, entry.seq, true);
  v.setFloat64(16, entry.serverTimestampMs, true);
  v.setFloat64(24, entry.producerTimestampMs, true);
  v.setFloat64(32, entry.clusterTimecode, true);
  v.setFloat64(40, entry.durationMs, true);
  v.setUint32(48, entry.headerId, true);
  v.setUint32(52, entry.trackMask, true);
  v.setUint32(56, entry.payloadCrc, true);
  v.setUint32(60, crc32Small(into, at, at + 60), true);
  return into;
}

/** The entry header at bytes[at..at+64) if its magic and CRC are right, else undefined. */
export function decodeEntryHeader(bytes: Uint8Array, at = 0): EntryHeader | undefined {
  const entry = emptyEntryHeader();
  return decodeEntryHeaderInto(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), at, entry) ? entry : undefined;
}

export function emptyEntryHeader(): EntryHeader {
  return { seq: 0, sizeBytes: 0, serverTimestampMs: 0, producerTimestampMs: 0, clusterTimecode: 0, durationMs: 0, headerId: 0, trackMask: 0, payloadCrc: 0 };
}

/**
 * Decodes the entry header at bytes[at..at+64) into `out` (reused, so loading a million records
 * allocates nothing); `view` is a DataView over the same bytes as `bytes`. False when the magic, the
 * CRC or the sequence number is wrong (then `out` holds garbage).
 */
export function decodeEntryHeaderInto(bytes: Uint8Array, view: DataView, at: number, out: EntryHeader): boolean {
  if (at < 0 || bytes.length - at < ENTRY_HEADER_BYTES) return false;
  if (view.getUint32(at, true) !== ENTRY_MAGIC) return false;
  if (view.getUint32(at + 60, true) !== crc32Small(bytes, at, at + 60)) return false;
  const seq = view.getFloat64(at + 8, true);
  if (!Number.isSafeInteger(seq) || seq < 1) return false;
  out.seq = seq;
  out.sizeBytes = view.getUint32(at + 4, true);
  out.serverTimestampMs = view.getFloat64(at + 16, true);
  out.producerTimestampMs = view.getFloat64(at + 24, true);
  out.clusterTimecode = view.getFloat64(at + 32, true);
  out.durationMs = view.getFloat64(at + 40, true);
  out.headerId = view.getUint32(at + 48, true);
  out.trackMask = view.getUint32(at + 52, true);
  out.payloadCrc = view.getUint32(at + 56, true);
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Stream-header entry in the headers file (24 bytes, then the header bytes)
//
//   0  u32 magic "KVSH"
//   4  u32 header id (1, 2, 3, … in file order)
//   8  u32 length of the header bytes
//  12  u32 CRC-32 of the header bytes
//  16  u32 reserved, 0
//  20  u32 CRC-32 of bytes 0..19

export interface HeaderEntry {
  id: number;
  length: number;
  payloadCrc: number;
}

export function encodeHeaderEntry(entry: HeaderEntry): Uint8Array {
  const bytes = new Uint8Array(HEADER_ENTRY_BYTES);
  const v = view(bytes);
  v.setUint32(0, HEADER_ENTRY_MAGIC, true);
  v.setUint32(4, entry.id, true);
  v.setUint32(8, entry.length, true);
  v.setUint32(12, entry.payloadCrc, true);
  v.setUint32(20, crc32Small(bytes, 0, 20), true);
  return bytes;
}

export function decodeHeaderEntry(bytes: Uint8Array, at = 0): HeaderEntry | undefined {
  if (bytes.length - at < HEADER_ENTRY_BYTES) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset + at, HEADER_ENTRY_BYTES);
  if (v.getUint32(0, true) !== HEADER_ENTRY_MAGIC) return undefined;
  if (v.getUint32(20, true) !== crc32Small(bytes, at, at + 20)) return undefined;
  return { id: v.getUint32(4, true), length: v.getUint32(8, true), payloadCrc: v.getUint32(12, true) };
}

// ---------------------------------------------------------------------------------------------------
// Low-water mark (24 bytes, replaced atomically by rename)
//
//   0  u32 magic "KVSL"
//   4  u32 format version (1)
//   8  f64 lowest sequence number still visible (fragments below it are pruned)
//  16  u32 reserved, 0
//  20  u32 CRC-32 of bytes 0..19

export function encodeLowWater(lowSeq: number): Uint8Array {
  const bytes = new Uint8Array(LOW_WATER_BYTES);
  const v = view(bytes);
  v.setUint32(0, LOW_WATER_MAGIC, true);
  v.setUint32(4, FORMAT_VERSION, true);
  v.setFloat64(8, lowSeq, true);
  v.setUint32(20, crc32Small(bytes, 0, 20), true);
  return bytes;
}

export function decodeLowWater(bytes: Uint8Array): number | undefined {
  if (bytes.length !== LOW_WATER_BYTES) return undefined;
  const v = view(bytes);
  if (v.getUint32(0, true) !== LOW_WATER_MAGIC || v.getUint32(4, true) !== FORMAT_VERSION) return undefined;
  if (v.getUint32(20, true) !== crc32Small(bytes, 0, 20)) return undefined;
  const lowSeq = v.getFloat64(8, true);
  return Number.isSafeInteger(lowSeq) && lowSeq >= 0 ? lowSeq : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Track numbers <-> mask

/** Bit (n - 1) for every track number n; throws RangeError for numbers outside 1..32. */
export function trackMaskOf(trackNumbers: readonly number[]): number {
  let mask = 0;
  for (const n of trackNumbers) {
    if (!Number.isInteger(n) || n < 1 || n > 32) throw new RangeError(`track number ${n} is outside 1..32`);
    mask |= 1 << (n - 1);
  }
  return mask >>> 0;
}

export function trackNumbersOf(mask: number): number[] {
  const numbers: number[] = [];
  for (let m = mask >>> 0, n = 1; m !== 0; m >>>= 1, n++) if (m & 1) numbers.push(n);
  return numbers;
}
