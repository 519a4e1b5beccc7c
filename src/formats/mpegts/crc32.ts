/** CRC-32/MPEG-2 (polynomial 0x04C11DB7, not reflected, init 0xFFFFFFFF), as PSI sections use. */
let table: Uint32Array | undefined;

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
}

/** CRC over bytes[start, end); over a whole section including its CRC_32 field the result is 0. */
export function crc32Mpeg2(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = (table ??= makeTable());
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ (t[((crc >>> 24) ^ (bytes[i] ?? 0)) & 0xff] ?? 0)) >>> 0;
  return crc >>> 0;
}
