import { defineBox } from './define';
import { fitEntries } from './table';

export interface ChunkOffsetFields {
  entryCount: number;
  /** Absolute file offsets of the chunks (64-bit in 'co64'). */
  chunkOffsets: Float64Array;
}

export const stco = defineBox({
  type: 'stco',
  name: 'ChunkOffsetBox',
  full: true,
  parse(r, ctx): ChunkOffsetFields {
    const entryCount = r.u32('entry_count');
    const n = fitEntries(r, ctx, entryCount, 4);
    r.noteTable(r.pos, n, [['chunk_offset', 4]]);
    const chunkOffsets = new Float64Array(n);
    const v = r.view;
    let p = r.pos;
    for (let i = 0; i < n; i++, p += 4) chunkOffsets[i] = v.getUint32(p);
    r.pos = p;
    return { entryCount, chunkOffsets };
  },
});

export const co64 = defineBox({
  type: 'co64',
  name: 'ChunkLargeOffsetBox',
  full: true,
  parse(r, ctx): ChunkOffsetFields {
    const entryCount = r.u32('entry_count');
    const n = fitEntries(r, ctx, entryCount, 8);
    r.noteTable(r.pos, n, [['chunk_offset', 8]]);
    const chunkOffsets = new Float64Array(n);
    const v = r.view;
    let p = r.pos;
    for (let i = 0; i < n; i++, p += 8) chunkOffsets[i] = v.getUint32(p) * 0x1_0000_0000 + v.getUint32(p + 4);
    r.pos = p;
    return { entryCount, chunkOffsets };
  },
});
