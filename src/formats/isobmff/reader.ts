/**
 * high * 2^32 + low, for the two halves of a 64-bit field (high signed or not). A value whose high half
 * is 0 comes out as the integer `low` is: the product would be a heap number, and in V8's unoptimised
 * tiers every sum made from a heap number allocates another (a decode time added to sample by sample).
 */
export function uint64(high: number, low: number): number {
  return high === 0 ? low : high * 0x1_0000_0000 + low;
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

  private take(n: number): number {
    const at = this.pos;
    this.pos += n;
    if (this.pos > this.end) {
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
    return at < 0 ? 0 : uint64(this.view.getUint32(at), this.view.getUint32(at + 4));
  }

  /** Signed 64-bit as a number (exact within ±2^53). */
  i64(): number {
    const at = this.take(8);
    return at < 0 ? 0 : uint64(this.view.getInt32(at), this.view.getUint32(at + 4));
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

  /** A copy of the next n bytes (fewer at the end; sets overrun then). Copies: source views may be reused. */
  bytesCopy(n: number): Uint8Array {
    const at = this.pos;
    const end = Math.min(this.end, at + Math.max(0, n));
    this.take(Math.max(0, n));
    return this.bytes.slice(Math.min(at, end), end);
  }

  /** A NUL-terminated UTF-8 string (to the end of the payload when there is no NUL). */
  cstring(limit = this.end): string {
    const start = this.pos;
    const end = Math.min(this.end, limit);
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
