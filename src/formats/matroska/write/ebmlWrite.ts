// EBML writing (RFC 8794): element ids, size VINTs of a chosen or forced width, unknown sizes, and values
// of every type. Elements are built as parts whose encoded length is known up front, so a whole tree is
// written with one allocation (`encode`) and payloads such as frames are copied exactly once.

/** Something that can be written: its encoded length is known before any byte is written. */
export interface EbmlPart {
  readonly length: number;
  /** Writes `length` bytes at `at` and returns `at + length`. */
  write(out: Uint8Array, at: number): number;
}

/** Options for the size field of an element. */
export interface SizeOptions {
  /** Write the size with exactly this many bytes (1–8), e.g. 4 or 8 as KVS does. Default: the shortest. */
  sizeWidth?: number;
}

/** Largest size an 8-byte VINT can carry (2^56 − 2) is beyond 2^53: sizes are checked against this. */
const MAX_SIZE = Number.MAX_SAFE_INTEGER;

/** Bytes of an element id (1–4); ids keep their marker bits, as in 0x1A45DFA3. */
export function idLength(id: number): number {
  if (!Number.isInteger(id) || id < 0x80 || id > 0xfffffffe) throw new RangeError(`Not an EBML element id: ${id}`);
  if (id < 0x100) return 1;
  if (id < 0x10000) return 2;
  if (id < 0x1000000) return 3;
  return 4;
}

export function writeId(out: Uint8Array, at: number, id: number): number {
  const n = idLength(id);
  for (let i = n - 1; i >= 0; i--) out[at + n - 1 - i] = Math.floor(id / 2 ** (8 * i)) & 0xff;
  return at + n;
}

/** The shortest VINT width for a size (a value with all data bits set would read as unknown). */
export function sizeLength(size: number): number {
  checkSize(size);
  let width = 1;
  while (size >= 2 ** (7 * width) - 1) width++;
  return width;
}

/** The width to write `size` with: `sizeWidth` when given (checked), else the shortest. */
export function sizeFieldLength(size: number, sizeWidth?: number): number {
  if (sizeWidth === undefined) return sizeLength(size);
  checkWidth(sizeWidth);
  checkSize(size);
  if (size > 2 ** (7 * sizeWidth) - 2) throw new RangeError(`Size ${size} does not fit a ${sizeWidth}-byte VINT`);
  return sizeWidth;
}

/** Writes `size` as a VINT of `width` bytes (the caller chose a width that fits). */
export function writeSize(out: Uint8Array, at: number, size: number, width: number): number {
  let rest = size;
  for (let i = width - 1; i >= 0; i--) {
    out[at + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  out[at] = (out[at] ?? 0) | (0x80 >> (width - 1));
  return at + width;
}

/** Writes the unknown size (marker, then all data bits set) in `width` bytes: FF, or 01 FF FF FF FF FF FF FF. */
export function writeUnknownSize(out: Uint8Array, at: number, width: number): number {
  checkWidth(width);
  out[at] = 0xff >> (width - 1);
  for (let i = 1; i < width; i++) out[at + i] = 0xff;
  return at + width;
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > 8) throw new RangeError(`A VINT is 1 to 8 bytes, not ${width}`);
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 0 || size > MAX_SIZE) throw new RangeError(`Not an element size: ${size}`);
}

// Parts.

/** Bytes already encoded (an element copied from the input, a pre-built header). */
export function rawPart(bytes: Uint8Array): EbmlPart {
  return {
    length: bytes.length,
    write(out, at) {
      out.set(bytes, at);
      return at + bytes.length;
    },
  };
}

/** An element header (id and size) whose data the caller writes after it; 'unknown' for an unknown size. */
export function elementHeader(id: number, size: number | 'unknown', options: SizeOptions = {}): EbmlPart {
  const idBytes = idLength(id);
  if (size === 'unknown') {
    const width = options.sizeWidth ?? 1;
    checkWidth(width);
    return { length: idBytes + width, write: (out, at) => writeUnknownSize(out, writeId(out, at, id), width) };
  }
  const width = sizeFieldLength(size, options.sizeWidth);
  return { length: idBytes + width, write: (out, at) => writeSize(out, writeId(out, at, id), size, width) };
}

/** An element holding `bytes` (binary data, or data already encoded). */
export function binaryElement(id: number, bytes: Uint8Array, options: SizeOptions = {}): EbmlPart {
  const width = sizeFieldLength(bytes.length, options.sizeWidth);
  return {
    length: idLength(id) + width + bytes.length,
    write(out, at) {
      const p = writeSize(out, writeId(out, at, id), bytes.length, width);
      out.set(bytes, p);
      return p + bytes.length;
    },
  };
}

/** Bytes an unsigned integer needs (0 takes one byte, as muxers write it). */
export function uintLength(value: number | bigint): number {
  let v = BigInt(value);
  if (v < 0n) throw new RangeError(`Not an unsigned integer: ${value}`);
  let n = 1;
  while (v > 0xffn) {
    v >>= 8n;
    n++;
  }
  if (n > 8) throw new RangeError(`Unsigned integer ${value} needs more than 8 bytes`);
  return n;
}

export interface IntegerOptions extends SizeOptions {
  /** Write the value with exactly this many bytes (KVS writes timecodes with 8). */
  length?: number;
}

/** An unsigned integer element, big-endian in the fewest bytes (or `length` bytes). */
export function uintElement(id: number, value: number | bigint, options: IntegerOptions = {}): EbmlPart {
  const big = BigInt(value);
  const needed = uintLength(big);
  const n = options.length ?? needed;
  if (n < needed || n > 8) throw new RangeError(`Unsigned integer ${value} does not fit ${n} bytes`);
  return dataElement(id, n, options, (out, at) => writeBigEndian(out, at, big, n));
}

/** A signed integer element, two's complement in the fewest bytes (or `length` bytes). */
export function intElement(id: number, value: number | bigint, options: IntegerOptions = {}): EbmlPart {
  const big = BigInt(value);
  let needed = 1;
  while (needed < 8 && (big < -(1n << BigInt(8 * needed - 1)) || big >= 1n << BigInt(8 * needed - 1))) needed++;
  if (big < -(1n << 63n) || big >= 1n << 63n) throw new RangeError(`Signed integer ${value} needs more than 8 bytes`);
  const n = options.length ?? needed;
  if (n < needed || n > 8) throw new RangeError(`Signed integer ${value} does not fit ${n} bytes`);
  return dataElement(id, n, options, (out, at) => writeBigEndian(out, at, BigInt.asUintN(8 * n, big), n));
}

/** A float element, 8 bytes (double) by default or 4 (single). */
export function floatElement(id: number, value: number, length: 4 | 8 = 8, options: SizeOptions = {}): EbmlPart {
  return dataElement(id, length, options, (out, at) => {
    const view = new DataView(out.buffer, out.byteOffset + at, length);
    if (length === 4) view.setFloat32(0, value);
    else view.setFloat64(0, value);
  });
}

/** A string element (printable ASCII by the specification; each UTF-16 unit is written as one byte). */
export function stringElement(id: number, text: string, options: SizeOptions = {}): EbmlPart {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return binaryElement(id, bytes, options);
}

const utf8 = new TextEncoder();

/** A UTF-8 string element. */
export function utf8Element(id: number, text: string, options: SizeOptions = {}): EbmlPart {
  return binaryElement(id, utf8.encode(text), options);
}

/** A master element of known size holding `children`. */
export function masterElement(id: number, children: readonly EbmlPart[], options: SizeOptions = {}): EbmlPart {
  let size = 0;
  for (const child of children) size += child.length;
  const header = elementHeader(id, size, options);
  return {
    length: header.length + size,
    write(out, at) {
      let p = header.write(out, at);
      for (const child of children) p = child.write(out, p);
      return p;
    },
  };
}

/** A master element of unknown size (Segment, Cluster): its header, then `children`; `sizeWidth` 1 (FF) or 8. */
export function unknownSizeMaster(id: number, children: readonly EbmlPart[], sizeWidth = 1): EbmlPart {
  return sequence([elementHeader(id, 'unknown', { sizeWidth }), ...children]);
}

/** Parts one after the other. */
export function sequence(parts: readonly EbmlPart[]): EbmlPart {
  let length = 0;
  for (const part of parts) length += part.length;
  return {
    length,
    write(out, at) {
      let p = at;
      for (const part of parts) p = part.write(out, p);
      return p;
    },
  };
}

/** Encodes parts into one new array (the only allocation of a tree). */
export function encode(...parts: EbmlPart[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let p = 0;
  for (const part of parts) p = part.write(out, p);
  return out;
}

/** Joins byte arrays into one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

function dataElement(id: number, dataLength: number, options: SizeOptions, writeData: (out: Uint8Array, at: number) => void): EbmlPart {
  const width = sizeFieldLength(dataLength, options.sizeWidth);
  return {
    length: idLength(id) + width + dataLength,
    write(out, at) {
      const p = writeSize(out, writeId(out, at, id), dataLength, width);
      writeData(out, p);
      return p + dataLength;
    },
  };
}

function writeBigEndian(out: Uint8Array, at: number, value: bigint, length: number): void {
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[at + i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}
