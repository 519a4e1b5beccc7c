/** Writes bits MSB first, into bytes. */
export class BitSink {
  private readonly out: number[] = [];
  private byte = 0;
  private filled = 0;

  /** The low `bits` (at most 32) bits of `value`. */
  put(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      const bit = Math.floor(value / 2 ** i) & 1;
      this.byte = (this.byte << 1) | bit;
      if (++this.filled === 8) {
        this.out.push(this.byte);
        this.byte = 0;
        this.filled = 0;
      }
    }
  }

  /** Zero bits up to the next byte boundary. */
  align(): void {
    if (this.filled > 0) this.put(0, 8 - this.filled);
  }

  /** What was written, zero-padded to a whole byte. */
  bytes(): Uint8Array {
    this.align();
    return Uint8Array.from(this.out);
  }
}

/** Values of the given widths, MSB first, zero-padded to a whole byte. */
export function packBits(fields: readonly [value: number, width: number][]): Uint8Array {
  const sink = new BitSink();
  for (const [value, width] of fields) sink.put(value, width);
  return sink.bytes();
}
