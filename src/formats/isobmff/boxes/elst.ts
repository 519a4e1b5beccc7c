import { defineBox } from './define';

export interface EditListEntry {
  /** In the movie timescale (mvhd). */
  segmentDuration: number;
  /** In the media timescale (mdhd); -1 = an empty edit. */
  mediaTime: number;
  mediaRate: number;
}

export interface EditListFields {
  entryCount: number;
  entries: EditListEntry[];
}

export const elst = defineBox({
  type: 'elst',
  name: 'EditListBox',
  full: true,
  parse(r, ctx): EditListFields {
    const entryCount = r.u32('entry_count');
    const entrySize = ctx.version === 1 ? 20 : 12;
    const n = Math.min(entryCount, Math.floor(r.remaining() / entrySize));
    if (n < entryCount) ctx.issue('error', 'TABLE_TRUNCATED', `elst declares ${entryCount} entries, room for ${n}`, r.offset);
    const entries: EditListEntry[] = [];
    for (let i = 0; i < n; i++) {
      const segmentDuration = r.uv(ctx.version, `segment_duration[${i}]`);
      const mediaTime = ctx.version === 1 ? r.i64(`media_time[${i}]`) : r.i32(`media_time[${i}]`);
      const mediaRate = r.i16(`media_rate_integer[${i}]`) + r.u16(`media_rate_fraction[${i}]`) / 65536;
      entries.push({ segmentDuration, mediaTime, mediaRate });
    }
    return { entryCount, entries };
  },
});
