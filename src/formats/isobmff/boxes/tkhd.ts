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
    const creationTime = r.uv(version);
    const modificationTime = r.uv(version);
    const trackId = r.u32();
    r.skip(4);
    const duration = r.uv(version);
    r.skip(8);
    const layer = r.i16();
    const alternateGroup = r.i16();
    const volume = r.fixed8();
    r.skip(2);
    const matrix: number[] = [];
    for (let i = 0; i < 9; i++) matrix.push(r.i32());
    const width = r.u32() / 65536;
    const height = r.u32() / 65536;
    return {
      creationTime, modificationTime, trackId, duration, layer, alternateGroup, volume, matrix, width, height,
      enabled: (flags & 1) !== 0, inMovie: (flags & 2) !== 0, inPreview: (flags & 4) !== 0,
    };
  },
});
