import type { ElementaryStreamDescriptorFields } from './esds';
import { esds } from './esds';
import { defineBox } from './define';

export interface SoundDecompressionFields {
  /** The codec of the frma atom ('mp4a'). */
  dataFormat?: string;
  /** The esds atom's descriptor, where QuickTime keeps an AAC track's AudioSpecificConfig. */
  esds?: ElementaryStreamDescriptorFields;
}

/**
 * QuickTime's siDecompressionParam atom ('wave'), in a version 1 sound description (ffmpeg's `-f mov`
 * AAC): a list of atoms (frma, a 'mp4a' atom of 4 bytes, esds), ended by an atom of type 0. Read here
 * rather than as a container: those atoms are not the ISO boxes of the same names.
 */
export const wave = defineBox({
  type: 'wave',
  name: 'SoundDecompressionParameters',
  parse(r, ctx): SoundDecompressionFields {
    const out: SoundDecompressionFields = {};
    const end = r.end;
    const boxPrefix = r.syntaxPrefix;
    for (let at = r.pos, i = 0; at + 8 <= end; i++) {
      r.reset(at, end);
      r.syntaxPrefix = `${boxPrefix}atom[${i}].`;
      const size = r.u32('size');
      const type = r.fourcc('type');
      if (size < 8 || at + size > end) break;
      if (type === 'frma') out.dataFormat = r.fourcc('data_format');
      else if (type === 'esds' && !out.esds && size >= 12) {
        r.u8('version');
        r.u24('flags');
        r.reset(at + 12, at + size);
        out.esds = esds.parse?.(r, ctx);
      }
      at += size;
    }
    r.syntaxPrefix = boxPrefix;
    r.reset(end, end);
    return out;
  },
});
