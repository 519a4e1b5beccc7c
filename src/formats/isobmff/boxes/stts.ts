import { defineBox } from './define';
import { fitEntries } from './table';

export interface TimeToSampleFields {
  entryCount: number;
  sampleCounts: Uint32Array;
  sampleDeltas: Uint32Array;
}

export const stts = defineBox({
  type: 'stts',
  name: 'TimeToSampleBox',
  full: true,
  parse(r, ctx): TimeToSampleFields {
    const entryCount = r.u32('entry_count');
    const n = fitEntries(r, ctx, entryCount, 8);
    const sampleCounts = new Uint32Array(n);
    const sampleDeltas = new Uint32Array(n);
    r.noteTable(r.pos, n, [['sample_count', 4], ['sample_delta', 4]]);
    const v = r.view;
    let p = r.pos;
    for (let i = 0; i < n; i++, p += 8) {
      sampleCounts[i] = v.getUint32(p);
      sampleDeltas[i] = v.getUint32(p + 4);
    }
    r.pos = p;
    return { entryCount, sampleCounts, sampleDeltas };
  },
});
