/**
 * A bounds-checked big-endian cursor over one box payload. Reads past the end return 0 (or an empty
 * array) and set `overrun`, so box parsers stay simple and never throw; the walker turns `overrun`
 * into an issue. Offsets given out are absolute (offset of the payload in the file + position).
 */
export class BoxReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Absolute offset of bytes[0]. */
  readonly base: number;
  /** Position relative to bytes[0]. */
  pos = 0;
  /** A read went past the end of the payload. */
  overrun = false;

  constructor(bytes: Uint8Array, base: number) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.base = base;
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Absolute offset of the cursor. */
  get offset(): number {
    return this.base + this.pos;
  }

  remaining(): number {
    return this.bytes.length > this.pos ? this.bytes.length - this.pos : 0;
  }

  private take(n: number): number {
    const at = this.pos;
    this.pos += n;
    if (this.pos > this.bytes.length) {
      this.overrun = true;
      return -1;
    }
    return at;
  }

  skip(n: number): void {
    this.take(n);
  }

  u8(): number {
    const at = this.take(1);
    return at < 0 ? 0 : this.view.getUint8(at);
  }

  u16(): number {
    const at = this.take(2);
    return at < 0 ? 0 : this.view.getUint16(at);
  }

  i16(): number {
    const at = this.take(2);
    return at < 0 ? 0 : this.view.getInt16(at);
  }

  u24(): number {
    const at = this.take(3);
    return at < 0 ? 0 : (this.view.getUint8(at) << 16) | this.view.getUint16(at + 1);
  }

  u32(): number {
    const at = this.take(4);
    return at < 0 ? 0 : this.view.getUint32(at);
  }

  i32(): number {
    const at = this.take(4);
    return at < 0 ? 0 : this.view.getInt32(at);
  }

  /** Unsigned 64-bit as a number (exact below 2^53). */
  u64(): number {
    const at = this.take(8);
    return at < 0 ? 0 : this.view.getUint32(at) * 0x1_0000_0000 + this.view.getUint32(at + 4);
  }

  /** Signed 64-bit as a number (exact within ±2^53). */
  i64(): number {
    const at = this.take(8);
    return at < 0 ? 0 : this.view.getInt32(at) * 0x1_0000_0000 + this.view.getUint32(at + 4);
  }

  /** 32 or 64 bits depending on a box version: `version === 1 ? u64 : u32`. */
  uv(version: number): number {
    return version === 1 ? this.u64() : this.u32();
  }

  f64(): number {
    const at = this.take(8);
    return at < 0 ? 0 : this.view.getFloat64(at);
  }

  /** Fixed-point 16.16. */
  fixed16(): number {
    return this.i32() / 65536;
  }

  /** Fixed-point 8.8. */
  fixed8(): number {
    return this.i16() / 256;
  }

  fourcc(): string {
    const at = this.take(4);
    if (at < 0) return '';
    const b = this.bytes;
    return String.fromCharCode(b[at] ?? 0, b[at + 1] ?? 0, b[at + 2] ?? 0, b[at + 3] ?? 0);
  }

  /** A copy of the next n bytes (fewer at the end; sets overrun then). Copies: source views may be reused. */
  bytesCopy(n: number): Uint8Array {
    const at = this.pos;
    const end = Math.min(this.bytes.length, at + Math.max(0, n));
    this.take(Math.max(0, n));
    return this.bytes.slice(Math.min(at, end), end);
  }

  /** A NUL-terminated UTF-8 string (to the end of the payload when there is no NUL). */
  cstring(limit = this.bytes.length): string {
    const start = this.pos;
    const end = Math.min(this.bytes.length, limit);
    let i = start;
    while (i < end && this.bytes[i] !== 0) i++;
    const text = decodeUtf8(this.bytes.subarray(start, i));
    this.pos = i < end ? i + 1 : i;
    return text;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** Four bytes as a four-character code. */
export function fourccAt(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
}

/** True when a 4CC is printable ASCII (a garbage type usually means we lost the box grid). */
export function isPrintableFourcc(type: string): boolean {
  for (let i = 0; i < type.length; i++) {
    const c = type.charCodeAt(i);
    if ((c < 0x20 || c > 0x7e) && c !== 0xa9) return false; // © starts iTunes metadata types
  }
  return type.length === 4;
}
