// Variable-size integers of RFC 8794 §4: the number of leading zero bits of the first byte gives the
// width; the bits after the first 1 (the marker) are the value.

/** Width (1–8) of a VINT whose first byte is `firstByte`; 0 when the byte is 0x00 (no marker: invalid). */
export function vintWidth(firstByte: number): number {
  return firstByte === 0 ? 0 : Math.clz32(firstByte & 0xff) - 23;
}

/** vintWidth of every byte value, for loops that look widths up instead of calling vintWidth. */
export const VINT_WIDTHS: Uint8Array = Uint8Array.from({ length: 256 }, (_, byte) => vintWidth(byte));

/** Returned by {@link vintValue} for a VINT whose data bits are all ones: an unknown size. */
export const UNKNOWN_SIZE = -1;

/**
 * Value of the VINT of `width` bytes at `pos` without its marker bit, or {@link UNKNOWN_SIZE}. The caller
 * checks that the bytes are there. Values above 2^53 lose precision; as sizes they exceed any input.
 */
export function vintValue(bytes: Uint8Array, pos: number, width: number): number {
  const mask = 0xff >> width;
  let value = (bytes[pos] ?? 0) & mask;
  let allOnes = value === mask;
  for (let i = 1; i < width; i++) {
    const byte = bytes[pos + i] ?? 0;
    value = value * 256 + byte;
    if (byte !== 0xff) allOnes = false;
  }
  return allOnes ? UNKNOWN_SIZE : value;
}

/** Signed VINT as used by EBML lacing: the unsigned value minus (2^(7·width−1) − 1). */
export function signedVintValue(bytes: Uint8Array, pos: number, width: number): number {
  const mask = 0xff >> width;
  let value = (bytes[pos] ?? 0) & mask;
  for (let i = 1; i < width; i++) value = value * 256 + (bytes[pos + i] ?? 0);
  return value - (2 ** (7 * width - 1) - 1);
}

/**
 * The element id of `width` bytes at `pos`, marker bits kept (0x1A45DFA3 for EBML), or -1 when it is
 * reserved: data bits all ones, or a longer encoding than the value needs (RFC 8794 §5). All-zero data
 * is invalid by RFC 8794 too, but Matroska's ChapterDisplay predates it with id 0x80.
 */
export function elementIdValue(bytes: Uint8Array, pos: number, width: number): number {
  let id = 0;
  for (let i = 0; i < width; i++) id = id * 256 + (bytes[pos + i] ?? 0);
  const range = DATA_RANGE[width] ?? 0; // 2^(7·width): the marker bit's value
  const data = id - range;
  if (data === range - 1) return -1;
  if (data < (DATA_RANGE[width - 1] ?? 0) - 1) return -1;
  return id;
}

const DATA_RANGE = [1, 2 ** 7, 2 ** 14, 2 ** 21, 2 ** 28, 2 ** 35, 2 ** 42, 2 ** 49, 2 ** 56];
