import { defineBox } from './define';

export interface SegmentReference {
  /** 0 = media (a movie fragment or segment), 1 = another 'sidx'. */
  referenceType: number;
  referencedSize: number;
  /** Absolute offset of the referenced item (anchor + preceding sizes). */
  offset: number;
  /** In the sidx timescale. */
  subsegmentDuration: number;
  startsWithSap: boolean;
  sapType: number;
  sapDeltaTime: number;
}

export interface SegmentIndexFields {
  referenceId: number;
  timescale: number;
  earliestPresentationTime: number;
  firstOffset: number;
  /** Absolute offset the references count from: the first byte after this box, plus firstOffset. */
  anchorOffset: number;
  referenceCount: number;
  references: SegmentReference[];
}

export const sidx = defineBox({
  type: 'sidx',
  name: 'SegmentIndexBox',
  full: true,
  parse(r, ctx): SegmentIndexFields {
    const referenceId = r.u32('reference_ID');
    const timescale = r.u32('timescale');
    const earliestPresentationTime = r.uv(ctx.version, 'earliest_presentation_time');
    const firstOffset = r.uv(ctx.version, 'first_offset');
    r.skip(2, 'reserved');
    const referenceCount = r.u16('reference_count');
    const anchorOffset = ctx.offset + ctx.size + firstOffset;
    let n = referenceCount;
    const room = Math.floor(r.remaining() / 12);
    if (room < n) {
      ctx.issue('error', 'TABLE_TRUNCATED', `sidx declares ${referenceCount} references, room for ${room}`, r.offset);
      n = room;
    }
    const references: SegmentReference[] = [];
    let offset = anchorOffset;
    for (let i = 0; i < n; i++) {
      const a = r.u32();
      r.split(a, 32, [[`reference_type[${i}]`, 1], [`referenced_size[${i}]`, 31]]);
      const subsegmentDuration = r.u32(`subsegment_duration[${i}]`);
      const c = r.u32();
      r.split(c, 32, [[`starts_with_SAP[${i}]`, 1], [`SAP_type[${i}]`, 3], [`SAP_delta_time[${i}]`, 28]]);
      const referencedSize = a & 0x7fffffff;
      references.push({
        referenceType: a >>> 31, referencedSize, offset, subsegmentDuration,
        startsWithSap: c >>> 31 === 1, sapType: (c >>> 28) & 7, sapDeltaTime: c & 0x0fffffff,
      });
      offset += referencedSize;
    }
    return { referenceId, timescale, earliestPresentationTime, firstOffset, anchorOffset, referenceCount, references };
  },
});
