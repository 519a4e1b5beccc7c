// Builds EBML bytes by hand for tests: elements with any size width, unknown sizes, bad bytes.
export type Bytes = Uint8Array | readonly number[];

export function concat(...parts: Bytes[]): Uint8Array {
  const total = parts.reduce((n, part) => n + part.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function idBytes(id: number): number[] {
  const bytes: number[] = [];
  for (let rest = id; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return bytes;
}

/** The size as a VINT of `width` bytes (default: the shortest that is not all ones). */
export function sizeBytes(size: number, width?: number): number[] {
  let w = width ?? 1;
  if (width === undefined) while (size >= 2 ** (7 * w) - 1) w++;
  const bytes: number[] = [];
  let rest = size;
  for (let i = 0; i < w; i++) {
    bytes.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  }
  bytes[0] = (bytes[0] ?? 0) | (0x80 >> (w - 1));
  return bytes;
}

/** The unknown size (marker then all ones) in `width` bytes. */
export function unknownSize(width: number): number[] {
  const bytes = new Array<number>(width).fill(0xff);
  bytes[0] = (0xff >> (width - 1)) & 0xff;
  return bytes;
}

export function element(id: number, ...children: Bytes[]): Uint8Array {
  const data = concat(...children);
  return concat(idBytes(id), sizeBytes(data.length), data);
}

/** An element whose size field is written with `width` bytes. */
export function elementSized(id: number, width: number, ...children: Bytes[]): Uint8Array {
  const data = concat(...children);
  return concat(idBytes(id), sizeBytes(data.length, width), data);
}

export function unknownSizeElement(id: number, width: number, ...children: Bytes[]): Uint8Array {
  return concat(idBytes(id), unknownSize(width), ...children);
}

export function uintElement(id: number, value: number | bigint): Uint8Array {
  const bytes: number[] = [];
  for (let rest = BigInt(value); rest > 0n; rest >>= 8n) bytes.unshift(Number(rest & 0xffn));
  return element(id, bytes.length ? bytes : [0]);
}

export function stringElement(id: number, text: string): Uint8Array {
  return element(id, new TextEncoder().encode(text));
}

export function floatElement(id: number, value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value);
  return element(id, bytes);
}

/** SimpleBlock/Block data: track VINT, int16 relative timecode, flags, payload. */
export function blockData(track: number, relativeTimecode: number, flags: number, payload: Bytes): Uint8Array {
  return concat(sizeBytes(track), [(relativeTimecode >> 8) & 0xff, relativeTimecode & 0xff, flags], payload);
}

export function filled(length: number, value = 0x55): Uint8Array {
  return new Uint8Array(length).fill(value);
}
