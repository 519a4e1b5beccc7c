import { defineBox } from './define';

export interface TrackFragmentDecodeTimeFields {
  /** In the track's media timescale. */
  baseMediaDecodeTime: number;
}

export const tfdt = defineBox({
  type: 'tfdt',
  name: 'TrackFragmentBaseMediaDecodeTimeBox',
  full: true,
  parse(r, { version }): TrackFragmentDecodeTimeFields {
    return { baseMediaDecodeTime: r.uv(version, 'baseMediaDecodeTime') };
  },
});
