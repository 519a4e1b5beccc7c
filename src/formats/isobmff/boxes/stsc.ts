import { defineBox } from './define';
import { fitEntries } from './table';

export interface SampleToChunkFields {
  entryCount: number;
  /** 1-based index of the first chunk of each run. */
  firstChunks: Uint32Array;
  samplesPerChunk: Uint32Array;
  sampleDescriptionIndexes: Uint32Array;
}

export const stsc = defineBox({
  type: 'stsc',
  name: 'SampleToChunkBox',
  full: true,
  parse(r, ctx): SampleToChunkFields {
    const entryCount = r.u32('entry_count');
    const n = fitEntries(r, ctx, entryCount, 12);
    const firstChunks = new Uint32Array(n);
    const samplesPerChunk = new Uint32Array(n);
    const sampleDescriptionIndexes = new Uint32Array(n);
    r.noteTable(r.pos, n, [['first_chunk', 4], ['samples_per_chunk', 4], ['sample_description_index', 4]]);
    const v = r.view;
    let p = r.pos;
    for (let i = 0; i < n; i++, p += 12) {
      firstChunks[i] = v.getUint32(p);
      samplesPerChunk[i] = v.getUint32(p + 4);
      sampleDescriptionIndexes[i] = v.getUint32(p + 8);
    }
    r.pos = p;
    return { entryCount, firstChunks, samplesPerChunk, sampleDescriptionIndexes };
  },
});
