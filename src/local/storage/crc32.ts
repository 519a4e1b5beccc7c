// CRC-32 (ISO-HDLC: reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF — the CRC of zip,
// gzip and PNG) for the fragment store's on-disk records.
//
// Two implementations of the same function: a table-driven one in JavaScript (slicing by 4) for the
// 20–60-byte record headers, where a call into zlib costs more than the arithmetic, and zlib's for
// payloads (megabytes per call, several GB/s). Tests hold them equal.
import { crc32 as zlibCrc32 } from 'node:zlib';

const TABLE = makeTable();

function makeTable(): Int32Array {
  const t = new Int32Array(256 * 4);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let s = 1; s < 4; s++) {
      const previous = t[(s - 1) * 256 + n] ?? 0;
      t[s * 256 + n] = (previous >>> 8) ^ (t[previous & 0xff] ?? 0);
    }
  }
  return t;
}

/** CRC-32 of bytes[start, end), computed in JavaScript; meant for short records. */
export function crc32Small(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = TABLE;
  let c = -1;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    c ^= (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24);
    c = (t[768 + (c & 0xff)] ?? 0) ^ (t[512 + ((c >>> 8) & 0xff)] ?? 0) ^ (t[256 + ((c >>> 16) & 0xff)] ?? 0) ^ (t[c >>> 24] ?? 0);
  }
  for (; i < end; i++) c = (t[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** CRC-32 of a payload, continuing from `previous` (the CRC of the bytes before it) when given. */
export function crc32Payload(bytes: Uint8Array, previous = 0): number {
  return zlibCrc32(bytes, previous) >>> 0;
}
