// A big-endian writer over one buffer. Media fragments size the buffer exactly before writing, so
// nothing is reallocated; init segments are small and let it grow.

export class ByteWriter {
  bytes: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(capacity: number, private readonly growable = true) {
    this.bytes = new Uint8Array(Math.max(0, capacity));
    this.view = new DataView(this.bytes.buffer);
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.bytes.length) return;
    if (!this.growable) throw new RangeError(`ByteWriter: writing ${n} bytes at ${this.pos} overflows the ${this.bytes.length}-byte buffer (size computed wrongly)`);
    const next = new Uint8Array(Math.max(need, this.bytes.length * 2, 256));
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.bytes[this.pos++] = v & 0xff;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v & 0xffff);
    this.pos += 2;
  }

  u24(v: number): void {
    this.ensure(3);
    this.bytes[this.pos] = (v >>> 16) & 0xff;
    this.bytes[this.pos + 1] = (v >>> 8) & 0xff;
    this.bytes[this.pos + 2] = v & 0xff;
    this.pos += 3;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v | 0);
    this.pos += 4;
  }

  /** An unsigned integer up to 2^53 as 64 bits. */
  u64(v: number): void {
    const high = Math.floor(v / 0x100000000);
    this.u32(high);
    this.u32(v - high * 0x100000000);
  }

  zeros(n: number): void {
    this.ensure(n);
    this.bytes.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  fill(value: number, n: number): void {
    this.ensure(n);
    this.bytes.fill(value, this.pos, this.pos + n);
    this.pos += n;
  }

  /** Four ASCII characters. */
  fourcc(s: string): void {
    this.ensure(4);
    for (let i = 0; i < 4; i++) this.bytes[this.pos + i] = s.charCodeAt(i) & 0xff;
    this.pos += 4;
  }

  raw(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    if (n <= 0) return;
    this.ensure(n);
    this.bytes.set(start === 0 && end === src.length ? src : src.subarray(start, end), this.pos);
    this.pos += n;
  }

  /** A box: size and type, then `body`; the size is patched once the body is written. */
  box(type: string, body: () => void): void {
    const start = this.pos;
    this.u32(0);
    this.fourcc(type);
    body();
    this.view.setUint32(start, this.pos - start);
  }

  /** A full box: box + version and 24-bit flags. */
  fullBox(type: string, version: number, flags: number, body: () => void): void {
    this.box(type, () => {
      this.u8(version);
      this.u24(flags);
      body();
    });
  }

  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0);
  }

  /** The written bytes (a view when the buffer is full, else a copy-free subarray). */
  result(): Uint8Array {
    return this.pos === this.bytes.length ? this.bytes : this.bytes.subarray(0, this.pos);
  }
}
