import { defineBox } from './define';
import { fitEntries } from './table';

export interface CompositionOffsetFields {
  entryCount: number;
  sampleCounts: Uint32Array;
  /** Signed in version 1; version 0 values are read as signed 32-bit too (as muxers mean them). */
  sampleOffsets: Int32Array;
}

export const ctts = defineBox({
  type: 'ctts',
  name: 'CompositionOffsetBox',
  full: true,
  parse(r, ctx): CompositionOffsetFields {
    const entryCount = r.u32('entry_count');
    const n = fitEntries(r, ctx, entryCount, 8);
    const sampleCounts = new Uint32Array(n);
    const sampleOffsets = new Int32Array(n);
    // Version 0 says unsigned, but muxers mean signed (see sampleOffsets).
    r.noteTable(r.pos, n, [['sample_count', 4], ['sample_offset', 4, ctx.version === 1]]);
    const v = r.view;
    let p = r.pos;
    for (let i = 0; i < n; i++, p += 8) {
      sampleCounts[i] = v.getUint32(p);
      sampleOffsets[i] = v.getInt32(p + 4);
    }
    r.pos = p;
    return { entryCount, sampleCounts, sampleOffsets };
  },
});
