import { defineBox } from './define';

export interface TrackHeaderFields {
  creationTime: number;
  modificationTime: number;
  trackId: number;
  /** In the movie timescale (mvhd). */
  duration: number;
  layer: number;
  alternateGroup: number;
  volume: number;
  matrix: number[];
  /** Presentation size, 16.16 fixed point decoded. */
  width: number;
  height: number;
  enabled: boolean;
  inMovie: boolean;
  inPreview: boolean;
}

export const tkhd = defineBox({
  type: 'tkhd',
  name: 'TrackHeaderBox',
  full: true,
  parse(r, { version, flags }): TrackHeaderFields {
    const creationTime = r.uv(version, 'creation_time');
    const modificationTime = r.uv(version, 'modification_time');
    const trackId = r.u32('track_ID');
    r.skip(4, 'reserved');
    const duration = r.uv(version, 'duration');
    r.skip(8, 'reserved');
    const layer = r.i16('layer');
    const alternateGroup = r.i16('alternate_group');
    const volume = r.fixed8('volume');
    r.skip(2, 'reserved');
    const matrix: number[] = [];
    for (let i = 0; i < 9; i++) matrix.push(r.i32(`matrix[${i}]`));
    const width = r.u32('width') / 65536;
    const height = r.u32('height') / 65536;
    return {
      creationTime, modificationTime, trackId, duration, layer, alternateGroup, volume, matrix, width, height,
      enabled: (flags & 1) !== 0, inMovie: (flags & 2) !== 0, inPreview: (flags & 4) !== 0,
    };
  },
});
