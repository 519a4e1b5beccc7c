/**
 * MSB-first bit reader over a byte window (an RBSP, or any bit-packed record).
 * It never throws: a read past the end returns 0, moves to the end and sets `exhausted`; an
 * exp-Golomb code longer than 32 leading zeros sets `malformed` (and `exhausted`, so callers stop).
 */
export class BitReader {
  private data: Uint8Array;
  private start: number;
  private endBit: number;
  private lastOneBit = -2;
  /** Bit position relative to the window start. */
  pos = 0;
  exhausted = false;
  malformed = false;

  constructor(data: Uint8Array, byteStart = 0, byteEnd = data.length) {
    this.data = data;
    this.start = byteStart;
    this.endBit = Math.max(0, byteEnd - byteStart) * 8;
  }

  /** Re-targets the reader (lets hot paths reuse one instance). */
  reset(data: Uint8Array, byteStart = 0, byteEnd = data.length): void {
    this.data = data;
    this.start = byteStart;
    this.endBit = Math.max(0, byteEnd - byteStart) * 8;
    this.pos = 0;
    this.exhausted = false;
    this.malformed = false;
    this.lastOneBit = -2;
  }

  get bitLength(): number {
    return this.endBit;
  }

  get bitsLeft(): number {
    return this.endBit - this.pos;
  }

  /** u(n) for 0 ≤ n ≤ 53 (values above 32 bits stay exact as doubles). */
  u(n: number): number {
    if (n <= 0) return 0;
    if (this.exhausted || this.pos + n > this.endBit) return this.runOut();
    const data = this.data;
    let pos = this.pos;
    let left = n;
    let value = 0;
    while (left > 0) {
      const byte = data[this.start + (pos >>> 3)] ?? 0;
      const avail = 8 - (pos & 7);
      const take = left < avail ? left : avail;
      value = value * (1 << take) + ((byte >>> (avail - take)) & ((1 << take) - 1));
      pos += take;
      left -= take;
    }
    this.pos = pos;
    return value;
  }

  u1(): number {
    if (this.exhausted || this.pos >= this.endBit) return this.runOut();
    const byte = this.data[this.start + (this.pos >>> 3)] ?? 0;
    const bit = (byte >>> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return bit;
  }

  /** ue(v): unsigned exp-Golomb. */
  ue(): number {
    let zeros = 0;
    for (;;) {
      const bit = this.u1();
      if (this.exhausted) return 0;
      if (bit === 1) break;
      zeros++;
      if (zeros > 32) {
        this.malformed = true;
        return this.runOut();
      }
    }
    if (zeros === 0) return 0;
    const rest = this.u(zeros);
    if (this.exhausted) return 0;
    return 2 ** zeros - 1 + rest;
  }

  /** se(v): signed exp-Golomb. */
  se(): number {
    const k = this.ue();
    if (k === 0) return 0;
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }

  skip(n: number): void {
    if (n <= 0) return;
    if (this.exhausted || this.pos + n > this.endBit) {
      this.runOut();
      return;
    }
    this.pos += n;
  }

  seek(bitPos: number): void {
    this.pos = Math.max(0, Math.min(bitPos, this.endBit));
  }

  byteAligned(): boolean {
    return (this.pos & 7) === 0;
  }

  /** more_rbsp_data(): true while there is syntax before the rbsp_stop_one_bit (the last 1 bit). */
  moreRbspData(): boolean {
    if (this.exhausted) return false;
    return this.pos < this.stopBitPosition();
  }

  /** Bit position of the last 1 bit in the window (the rbsp_stop_one_bit), -1 when all bits are 0. */
  stopBitPosition(): number {
    if (this.lastOneBit !== -2) return this.lastOneBit;
    let result = -1;
    for (let i = (this.endBit >>> 3) - 1; i >= 0; i--) {
      const byte = this.data[this.start + i] ?? 0;
      if (byte !== 0) {
        let bit = 7;
        while (((byte >>> (7 - bit)) & 1) === 0) bit--;
        result = i * 8 + bit;
        break;
      }
    }
    this.lastOneBit = result;
    return result;
  }

  private runOut(): number {
    this.exhausted = true;
    this.pos = this.endBit;
    return 0;
  }
}
