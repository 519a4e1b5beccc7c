import { defineBox } from './define';

export interface TrackExtendsFields {
  trackId: number;
  defaultSampleDescriptionIndex: number;
  defaultSampleDuration: number;
  defaultSampleSize: number;
  defaultSampleFlags: number;
}

export const trex = defineBox({
  type: 'trex',
  name: 'TrackExtendsBox',
  full: true,
  parse(r): TrackExtendsFields {
    return {
      trackId: r.u32('track_ID'),
      defaultSampleDescriptionIndex: r.u32('default_sample_description_index'),
      defaultSampleDuration: r.u32('default_sample_duration'),
      defaultSampleSize: r.u32('default_sample_size'),
      defaultSampleFlags: r.u32('default_sample_flags'),
    };
  },
});

export interface MovieExtendsHeaderFields {
  /** In the movie timescale. */
  fragmentDuration: number;
}

export const mehd = defineBox({
  type: 'mehd',
  name: 'MovieExtendsHeaderBox',
  full: true,
  parse(r, { version }): MovieExtendsHeaderFields {
    return { fragmentDuration: r.uv(version, 'fragment_duration') };
  },
});
