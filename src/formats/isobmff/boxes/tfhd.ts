import { defineBox } from './define';

/** tf_flags of 'tfhd'. */
export const TFHD_BASE_DATA_OFFSET = 0x000001;
export const TFHD_SAMPLE_DESCRIPTION_INDEX = 0x000002;
export const TFHD_DEFAULT_SAMPLE_DURATION = 0x000008;
export const TFHD_DEFAULT_SAMPLE_SIZE = 0x000010;
export const TFHD_DEFAULT_SAMPLE_FLAGS = 0x000020;
export const TFHD_DURATION_IS_EMPTY = 0x010000;
export const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;

export interface TrackFragmentHeaderFields {
  trackId: number;
  baseDataOffset?: number;
  sampleDescriptionIndex?: number;
  defaultSampleDuration?: number;
  defaultSampleSize?: number;
  defaultSampleFlags?: number;
  durationIsEmpty: boolean;
  defaultBaseIsMoof: boolean;
}

export const tfhd = defineBox({
  type: 'tfhd',
  name: 'TrackFragmentHeaderBox',
  full: true,
  parse(r, { flags }): TrackFragmentHeaderFields {
    const out: TrackFragmentHeaderFields = {
      trackId: r.u32('track_ID'),
      durationIsEmpty: (flags & TFHD_DURATION_IS_EMPTY) !== 0,
      defaultBaseIsMoof: (flags & TFHD_DEFAULT_BASE_IS_MOOF) !== 0,
    };
    if (flags & TFHD_BASE_DATA_OFFSET) out.baseDataOffset = r.u64('base_data_offset');
    if (flags & TFHD_SAMPLE_DESCRIPTION_INDEX) out.sampleDescriptionIndex = r.u32('sample_description_index');
    if (flags & TFHD_DEFAULT_SAMPLE_DURATION) out.defaultSampleDuration = r.u32('default_sample_duration');
    if (flags & TFHD_DEFAULT_SAMPLE_SIZE) out.defaultSampleSize = r.u32('default_sample_size');
    if (flags & TFHD_DEFAULT_SAMPLE_FLAGS) out.defaultSampleFlags = r.u32('default_sample_flags');
    return out;
  },
});
