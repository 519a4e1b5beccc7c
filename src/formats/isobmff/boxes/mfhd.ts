import { defineBox } from './define';

export interface MovieFragmentHeaderFields {
  sequenceNumber: number;
}

export const mfhd = defineBox({
  type: 'mfhd',
  name: 'MovieFragmentHeaderBox',
  full: true,
  parse(r): MovieFragmentHeaderFields {
    return { sequenceNumber: r.u32('sequence_number') };
  },
});
