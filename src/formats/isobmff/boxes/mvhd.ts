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
    const creationTime = r.uv(version);
    const modificationTime = r.uv(version);
    const timescale = r.u32();
    const duration = r.uv(version);
    const rate = r.fixed16();
    const volume = r.fixed8();
    r.skip(2 + 8);
    const matrix: number[] = [];
    for (let i = 0; i < 9; i++) matrix.push(r.i32());
    r.skip(24);
    const nextTrackId = r.u32();
    return { creationTime, modificationTime, timescale, duration, rate, volume, matrix, nextTrackId };
  },
});
