import { defineBox } from './define';
import { fitEntries } from './table';

export interface SyncSampleFields {
  entryCount: number;
  /** 1-based numbers of the sync samples, ascending. */
  sampleNumbers: Uint32Array;
}

export const stss = defineBox({
  type: 'stss',
  name: 'SyncSampleBox',
  full: true,
  parse(r, ctx): SyncSampleFields {
    const entryCount = r.u32('entry_count');
    const n = fitEntries(r, ctx, entryCount, 4);
    const sampleNumbers = new Uint32Array(n);
    r.noteTable(r.pos, n, [['sample_number', 4]]);
    const v = r.view;
    let p = r.pos;
    for (let i = 0; i < n; i++, p += 4) sampleNumbers[i] = v.getUint32(p);
    r.pos = p;
    return { entryCount, sampleNumbers };
  },
});
