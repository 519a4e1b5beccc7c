// Decoding of EBML element data by type (RFC 8794 §7). Every decoder accepts any length and any bytes.
import type { EbmlType } from './schema';

/** Where a binary value sits in the input; the bytes are not copied. */
export interface BinaryRef {
  readonly offset: number;
  readonly size: number;
}

/**
 * A decoded value: number for integers that fit in 2^53 and floats, bigint for larger integers, string
 * for string/utf-8 and for dates (ISO 8601), BinaryRef for binary data.
 */
export type EbmlValue = number | bigint | string | BinaryRef;

/** 2001-01-01T00:00:00Z, the EBML date epoch, in Unix milliseconds. */
const EBML_EPOCH_MS = 978_307_200_000;

export function decodeUint(bytes: Uint8Array, start: number, length: number): number | bigint {
  if (length <= 6) {
    let value = 0;
    for (let i = 0; i < length; i++) value = value * 256 + (bytes[start + i] ?? 0);
    return value;
  }
  let big = 0n;
  for (let i = 0; i < length; i++) big = (big << 8n) | BigInt(bytes[start + i] ?? 0);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

export function decodeInt(bytes: Uint8Array, start: number, length: number): number | bigint {
  if (length === 0) return 0;
  if (length <= 6) {
    let value = 0;
    for (let i = 0; i < length; i++) value = value * 256 + (bytes[start + i] ?? 0);
    const range = 2 ** (8 * length);
    return value >= range / 2 ? value - range : value;
  }
  let big = 0n;
  for (let i = 0; i < length; i++) big = (big << 8n) | BigInt(bytes[start + i] ?? 0);
  big = BigInt.asIntN(8 * length, big);
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  return big <= safe && big >= -safe ? Number(big) : big;
}

/** 4- or 8-byte IEEE 754; an empty element is 0; other lengths give NaN. */
export function decodeFloat(bytes: Uint8Array, start: number, length: number): number {
  if (length === 0) return 0;
  if ((length !== 4 && length !== 8) || start + length > bytes.length) return Number.NaN;
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, length);
  return length === 4 ? view.getFloat32(0) : view.getFloat64(0);
}

/** Length of the data before the first NUL (strings may be padded with NULs). */
function unpaddedLength(bytes: Uint8Array, start: number, length: number): number {
  const end = Math.min(start + length, bytes.length);
  for (let i = start; i < end; i++) if (bytes[i] === 0) return i - start;
  return Math.max(0, end - start);
}

/** Printable ASCII by the specification; other bytes are kept as Latin-1 characters so nothing is lost. */
export function decodeString(bytes: Uint8Array, start: number, length: number): string {
  const n = unpaddedLength(bytes, start, length);
  let text = '';
  for (let i = 0; i < n; i += 4096) {
    text += String.fromCharCode(...bytes.subarray(start + i, start + Math.min(n, i + 4096)));
  }
  return text;
}

const utf8 = new TextDecoder('utf-8');

/** UTF-8 with malformed sequences replaced by U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, start: number, length: number): string {
  return utf8.decode(bytes.subarray(start, start + unpaddedLength(bytes, start, length)));
}

/** Signed nanoseconds since 2001-01-01T00:00:00Z, as an ISO 8601 string (millisecond precision). */
export function decodeDate(bytes: Uint8Array, start: number, length: number): string {
  const nanoseconds = decodeInt(bytes, start, Math.min(length, 8));
  const ms = typeof nanoseconds === 'bigint' ? Number(nanoseconds / 1_000_000n) : Math.trunc(nanoseconds / 1e6);
  const date = new Date(EBML_EPOCH_MS + ms);
  return Number.isNaN(date.getTime()) ? 'invalid date' : date.toISOString();
}

/** Bytes a value of this type needs to be decoded (binary is never read; strings are capped). */
export function valueReadLength(type: EbmlType, dataSize: number): number {
  switch (type) {
    case 'master':
    case 'binary':
      return 0;
    case 'string':
    case 'utf-8':
      return Math.min(dataSize, MAX_STRING_BYTES);
    default:
      return Math.min(dataSize, 8);
  }
}

/** Longer strings are cut: no real element comes close, and garbage sizes must not allocate much. */
export const MAX_STRING_BYTES = 1 << 20;

/**
 * Decodes `length` bytes at `start` of `bytes` as `type`; `dataOffset` is the absolute offset of the data
 * (for binary references) and `dataSize` its full size.
 */
export function decodeValue(
  type: EbmlType,
  bytes: Uint8Array,
  start: number,
  length: number,
  dataOffset: number,
  dataSize: number,
): EbmlValue | undefined {
  switch (type) {
    case 'uinteger':
      return decodeUint(bytes, start, Math.min(length, 8));
    case 'integer':
      return decodeInt(bytes, start, Math.min(length, 8));
    case 'float':
      return decodeFloat(bytes, start, length);
    case 'string':
      return decodeString(bytes, start, length);
    case 'utf-8':
      return decodeUtf8(bytes, start, length);
    case 'date':
      return decodeDate(bytes, start, length);
    case 'binary':
      return { offset: dataOffset, size: dataSize };
    default:
      return undefined;
  }
}
