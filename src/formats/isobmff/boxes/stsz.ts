import { defineBox } from './define';
import { fitEntries } from './table';

export interface SampleSizeFields {
  /** Non-zero: every sample has this size and `sizes` is empty. */
  sampleSize: number;
  sampleCount: number;
  /** Per-sample sizes when `sampleSize` is 0 (compact 'stz2' sizes widened). */
  sizes: Uint32Array;
  /** 'stz2' only: 4, 8 or 16. */
  fieldSize?: number;
}

export const stsz = defineBox({
  type: 'stsz',
  name: 'SampleSizeBox',
  full: true,
  parse(r, ctx): SampleSizeFields {
    const sampleSize = r.u32('sample_size');
    const sampleCount = r.u32('sample_count');
    if (sampleSize !== 0) return { sampleSize, sampleCount, sizes: new Uint32Array(0) };
    const n = fitEntries(r, ctx, sampleCount, 4);
    r.noteTable(r.pos, n, [['entry_size', 4]]);
    const sizes = new Uint32Array(n);
    const v = r.view;
    let p = r.pos;
    for (let i = 0; i < n; i++, p += 4) sizes[i] = v.getUint32(p);
    r.pos = p;
    return { sampleSize, sampleCount, sizes };
  },
});

export const stz2 = defineBox({
  type: 'stz2',
  name: 'CompactSampleSizeBox',
  full: true,
  parse(r, ctx): SampleSizeFields {
    r.skip(3, 'reserved');
    const fieldSize = r.u8('field_size');
    const sampleCount = r.u32('sample_count');
    if (fieldSize !== 4 && fieldSize !== 8 && fieldSize !== 16) {
      ctx.issue('error', 'STZ2_FIELD_SIZE_INVALID', `stz2 field_size ${fieldSize} (must be 4, 8 or 16)`, r.offset - 5);
      return { sampleSize: 0, sampleCount, sizes: new Uint32Array(0), fieldSize };
    }
    const room = Math.floor((r.remaining() * 8) / fieldSize);
    const n = Math.min(sampleCount, room);
    if (n < sampleCount) ctx.issue('error', 'TABLE_TRUNCATED', `stz2 declares ${sampleCount} entries, room for ${n}`, r.offset);
    const sizes = new Uint32Array(n);
    const b = r.bytes;
    const p = r.pos;
    if (fieldSize === 8) for (let i = 0; i < n; i++) sizes[i] = b[p + i] ?? 0;
    else if (fieldSize === 16) for (let i = 0; i < n; i++) sizes[i] = ((b[p + 2 * i] ?? 0) << 8) | (b[p + 2 * i + 1] ?? 0);
    else for (let i = 0; i < n; i++) sizes[i] = ((b[p + (i >> 1)] ?? 0) >> (i & 1 ? 0 : 4)) & 0x0f;
    if (r.syntax) for (let i = 0; i < n; i++) r.noteBits(`entry_size[${i}]`, p * 8 + i * fieldSize, fieldSize, sizes[i] ?? 0);
    r.pos = p + Math.ceil((n * fieldSize) / 8);
    return { sampleSize: 0, sampleCount, sizes, fieldSize };
  },
});
