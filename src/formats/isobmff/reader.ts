import { containerField, type ContainerField } from '../bits/syntax';
import { hex } from '../hex';

/**
 * high * 2^32 + low, for the two halves of a 64-bit field (high signed or not). A value whose high half
 * is 0 comes out as the integer `low` is: the product would be a heap number, and in V8's unoptimised
 * tiers every sum made from a heap number allocates another (a decode time added to sample by sample).
 */
export function uint64(high: number, low: number): number {
  return high === 0 ? low : high * 0x1_0000_0000 + low;
}

/**
 * The two halves of a 64-bit field as recorded in a structure: a number while that is exact, else a
 * decimal string (as Matroska's integers beyond 2^53 are), so that 0xFFFFFFFFFFFFFFFF reads as coded.
 */
export function exactInt64(high: number, low: number): number | string {
  const value = uint64(high, low);
  return Number.isSafeInteger(value) ? value : ((BigInt(high) << 32n) + BigInt(low)).toString();
}

/**
 * A bounds-checked big-endian cursor over one box payload: bytes[start, end) of a buffer that may hold
 * more (a whole moof or moov, read in one piece; one reader serves all its boxes, see `reset`). Reads
 * past `end` return 0 (or an empty array) and set `overrun`, so box parsers stay simple and never throw;
 * the walker turns `overrun` into an issue. `pos`, `start` and `end` index `bytes` (and `view`); offsets
 * given out are absolute (`base` + index).
 */
export class BoxReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Absolute offset of bytes[0]. */
  readonly base: number;
  /** Where the payload starts in `bytes`. */
  start = 0;
  /** Where the payload ends in `bytes`. */
  end: number;
  /** The cursor, an index in `bytes`. */
  pos = 0;
  /** A read went past the end of the payload. */
  overrun = false;
  /** Where bytesKept copies to: shared by the readers of one walk. */
  private readonly arena: ByteArena;
  /**
   * Where reads given a name are recorded, under that name (the specification's), with their offsets;
   * undefined (the walk's case) records nothing. See boxSyntax.ts.
   */
  syntax: ContainerField[] | undefined = undefined;
  /** Absolute offset that recorded bit offsets count from (the box's first byte). */
  syntaxOrigin = 0;
  /** Put before recorded names: a structure inside the box (`ES_Descriptor.`). */
  syntaxPrefix = '';

  constructor(bytes: Uint8Array, base: number, arena: ByteArena = new ByteArena()) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.base = base;
    this.end = bytes.length;
    this.arena = arena;
  }

  /** Points the reader at the payload bytes[start, end) (cut to the buffer), cursor at its start. */
  reset(start: number, end: number): void {
    this.end = Math.min(end, this.bytes.length);
    this.start = Math.min(start, this.end);
    this.pos = this.start;
    this.overrun = false;
  }

  /** Absolute offset of the cursor. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Absolute offset of the start of the payload. */
  get startOffset(): number {
    return this.base + this.start;
  }

  remaining(): number {
    return this.end > this.pos ? this.end - this.pos : 0;
  }

  /** Records a field of `length` bytes at bytes[at] (does nothing unless recording). */
  note(name: string, at: number, length: number, value: number | string, descriptor: string): void {
    this.syntax?.push(this.field(name, at, length, value, descriptor));
  }

  private field(name: string, at: number, length: number, value: number | string, descriptor: string): ContainerField {
    return containerField(this.syntaxPrefix + name, value, descriptor, this.syntaxOrigin, (this.base + at - this.syntaxOrigin) * 8, length * 8);
  }

  /**
   * Records the bit fields of the `bits`-bit word just read (ending at the cursor), most significant
   * first: `[name, width]` pairs whose widths add up to `bits`.
   */
  split(word: number, bits: number, parts: readonly (readonly [string, number])[]): void {
    if (!this.syntax || this.overrun) return;
    const wordStart = (this.pos - bits / 8) * 8;
    let used = 0;
    for (const [name, width] of parts) {
      const shift = bits - used - width;
      const value = Math.floor(word / 2 ** shift) % 2 ** width;
      this.noteBits(name, wordStart + used, width, value);
      used += width;
    }
  }

  /** Records a field of `bitLength` bits starting at bit `bitAt` of `bytes`. */
  noteBits(name: string, bitAt: number, bitLength: number, value: number): void {
    const descriptor = bitLength === 1 ? 'bit(1)' : `unsigned int(${bitLength})`;
    this.syntax?.push(containerField(this.syntaxPrefix + name, value, descriptor, this.syntaxOrigin, (this.base - this.syntaxOrigin) * 8 + bitAt, bitLength));
  }

  /**
   * Records `count` table entries from bytes[at] on, each of the given columns (`[name, bytes, signed]`)
   * in turn, as `name[i]`.
   */
  noteTable(at: number, count: number, columns: readonly (readonly [string, number, boolean?])[]): void {
    if (!this.syntax) return;
    let p = at;
    for (let i = 0; i < count; i++) {
      for (const [name, size, signed] of columns) {
        if (p + size > this.end) return;
        this.note(`${name}[${i}]`, p, size, this.intAt(p, size, signed === true), `${signed ? 'int' : 'unsigned int'}(${size * 8})`);
        p += size;
      }
    }
  }

  private intAt(at: number, size: number, signed: boolean): number | string {
    if (size === 8) return exactInt64(signed ? this.view.getInt32(at) : this.view.getUint32(at), this.view.getUint32(at + 4));
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + (this.bytes[at + i] ?? 0);
    return signed && value >= 2 ** (size * 8 - 1) ? value - 2 ** (size * 8) : value;
  }

  private take(n: number): number {
    const at = this.pos;
    this.pos += n;
    if (this.pos > this.end) {
      this.overrun = true;
      return -1;
    }
    return at;
  }

  /** Skips n bytes; with a name, records them (reserved or pre_defined bits) as hex. */
  skip(n: number, name?: string): void {
    if (name === undefined) this.take(n);
    else this.hexBytes(n, name);
  }

  /** The next n bytes as hex digits (a key ID, an IV); with a name, records them so. */
  hexBytes(n: number, name?: string): string {
    const at = this.take(n);
    if (at < 0) return '';
    const text = hex(this.bytes, at, at + n);
    if (name !== undefined) this.syntax?.push(this.field(name, at, n, text, `bit(${n * 8})`));
    return text;
  }

  u8(name?: string): number {
    const at = this.take(1);
    if (at < 0) return 0;
    const v = this.view.getUint8(at);
    if (name !== undefined) this.note(name, at, 1, v, 'unsigned int(8)');
    return v;
  }

  u16(name?: string): number {
    const at = this.take(2);
    if (at < 0) return 0;
    const v = this.view.getUint16(at);
    if (name !== undefined) this.note(name, at, 2, v, 'unsigned int(16)');
    return v;
  }

  i16(name?: string): number {
    const at = this.take(2);
    if (at < 0) return 0;
    const v = this.view.getInt16(at);
    if (name !== undefined) this.note(name, at, 2, v, 'int(16)');
    return v;
  }

  u24(name?: string): number {
    const at = this.take(3);
    if (at < 0) return 0;
    const v = (this.view.getUint8(at) << 16) | this.view.getUint16(at + 1);
    if (name !== undefined) this.note(name, at, 3, v, 'unsigned int(24)');
    return v;
  }

  u32(name?: string): number {
    const at = this.take(4);
    if (at < 0) return 0;
    const v = this.view.getUint32(at);
    if (name !== undefined) this.note(name, at, 4, v, 'unsigned int(32)');
    return v;
  }

  i32(name?: string): number {
    const at = this.take(4);
    if (at < 0) return 0;
    const v = this.view.getInt32(at);
    if (name !== undefined) this.note(name, at, 4, v, 'int(32)');
    return v;
  }

  /** Unsigned 64-bit as a number (exact below 2^53; recorded exactly). */
  u64(name?: string): number {
    const at = this.take(8);
    if (at < 0) return 0;
    const high = this.view.getUint32(at);
    const low = this.view.getUint32(at + 4);
    if (name !== undefined && this.syntax) this.note(name, at, 8, exactInt64(high, low), 'unsigned int(64)');
    return uint64(high, low);
  }

  /** Signed 64-bit as a number (exact within ±2^53; recorded exactly). */
  i64(name?: string): number {
    const at = this.take(8);
    if (at < 0) return 0;
    const high = this.view.getInt32(at);
    const low = this.view.getUint32(at + 4);
    if (name !== undefined && this.syntax) this.note(name, at, 8, exactInt64(high, low), 'int(64)');
    return uint64(high, low);
  }

  /** 32 or 64 bits depending on a box version: `version === 1 ? u64 : u32`. */
  uv(version: number, name?: string): number {
    return version === 1 ? this.u64(name) : this.u32(name);
  }

  f64(name?: string): number {
    const at = this.take(8);
    if (at < 0) return 0;
    const v = this.view.getFloat64(at);
    if (name !== undefined) this.note(name, at, 8, v, 'float(64)');
    return v;
  }

  /** Fixed-point 16.16 (recorded as coded). */
  fixed16(name?: string): number {
    return this.i32(name) / 65536;
  }

  /** Fixed-point 8.8 (recorded as coded). */
  fixed8(name?: string): number {
    return this.i16(name) / 256;
  }

  fourcc(name?: string): string {
    const at = this.take(4);
    if (at < 0) return '';
    const b = this.bytes;
    const text = String.fromCharCode(b[at] ?? 0, b[at + 1] ?? 0, b[at + 2] ?? 0, b[at + 3] ?? 0);
    if (name !== undefined) this.note(name, at, 4, text, 'unsigned int(32)');
    return text;
  }

  /**
   * The next n bytes (fewer at the end; sets overrun then) as a view that stays valid after the source's
   * buffer is reused: a copy in the walk's arena (for a box that keeps a table as stored: a trun).
   */
  bytesKept(n: number): Uint8Array {
    const at = this.pos;
    const end = Math.min(this.end, at + Math.max(0, n));
    this.take(Math.max(0, n));
    return this.arena.keep(this.bytes, Math.min(at, end), end);
  }

  /**
   * A copy of the next n bytes (fewer at the end; sets overrun then). Copies: source views may be reused.
   * With a name, records them as an embedded byte string (its value is its length).
   */
  bytesCopy(n: number, name?: string): Uint8Array {
    const at = this.pos;
    const end = Math.min(this.end, at + Math.max(0, n));
    this.take(Math.max(0, n));
    const start = Math.min(at, end);
    if (name !== undefined && end > start) this.note(name, start, end - start, end - start, `bit(8*${end - start})`);
    return this.bytes.slice(start, end);
  }

  /** A NUL-terminated UTF-8 string (to the end of the payload when there is no NUL). */
  cstring(limit = this.end, name?: string): string {
    const start = this.pos;
    const end = Math.min(this.end, limit);
    let i = start;
    while (i < end && this.bytes[i] !== 0) i++;
    const text = decodeUtf8(this.bytes.subarray(start, i));
    this.pos = i < end ? i + 1 : i;
    if (name !== undefined && this.pos > start) this.note(name, start, this.pos - start, text, 'string');
    return text;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** The size of the chunks a ByteArena copies into. */
const ARENA_CHUNK = 64 * 1024;

/**
 * Copies of byte ranges that must outlive a reused read buffer, packed into shared 64 KiB chunks: one
 * allocation per chunk instead of one per copy (a long fragmented file has thousands of truns).
 */
export class ByteArena {
  private chunk = new Uint8Array(0);
  private used = 0;

  /** A copy of bytes[start, end). */
  keep(bytes: Uint8Array, start: number, end: number): Uint8Array {
    const n = end - start;
    if (this.used + n > this.chunk.length) {
      this.chunk = new Uint8Array(Math.max(ARENA_CHUNK, n));
      this.used = 0;
    }
    const at = this.used;
    this.chunk.set(bytes.subarray(start, end), at);
    this.used = at + n;
    return this.chunk.subarray(at, at + n);
  }
}
