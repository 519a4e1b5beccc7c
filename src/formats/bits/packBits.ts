/** Values of the given widths, MSB first, zero-padded to a whole byte. */
export function packBits(fields: readonly [value: number, width: number][]): Uint8Array {
  const total = fields.reduce((sum, [, width]) => sum + width, 0);
  const out = new Uint8Array(Math.ceil(total / 8));
  let at = 0;
  for (const [value, width] of fields) {
    for (let bit = width - 1; bit >= 0; bit--, at++) {
      if ((value >> bit) & 1) out[at >> 3] = (out[at >> 3] ?? 0) | (0x80 >> (at & 7));
    }
  }
  return out;
}
