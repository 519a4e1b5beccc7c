import { defineBox } from './define';

export interface MovieHeaderFields {
  /** Seconds since 1904-01-01 UTC. */
  creationTime: number;
  modificationTime: number;
  timescale: number;
  /** In `timescale` units; all ones (0xFFFFFFFF / 2^64-1) means unknown. */
  duration: number;
  rate: number;
  volume: number;
  matrix: number[];
  nextTrackId: number;
}

export const mvhd = defineBox({
  type: 'mvhd',
  name: 'MovieHeaderBox',
  full: true,
  parse(r, { version }): MovieHeaderFields {
    const creationTime = r.uv(version, 'creation_time');
    const modificationTime = r.uv(version, 'modification_time');
    const timescale = r.u32('timescale');
    const duration = r.uv(version, 'duration');
    const rate = r.fixed16('rate');
    const volume = r.fixed8('volume');
    r.skip(2, 'reserved');
    r.skip(8, 'reserved');
    const matrix: number[] = [];
    for (let i = 0; i < 9; i++) matrix.push(r.i32(`matrix[${i}]`));
    r.skip(24, 'pre_defined');
    const nextTrackId = r.u32('next_track_ID');
    return { creationTime, modificationTime, timescale, duration, rate, volume, matrix, nextTrackId };
  },
});
