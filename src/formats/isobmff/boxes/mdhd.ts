import { defineBox } from './define';

export interface MediaHeaderFields {
  creationTime: number;
  modificationTime: number;
  timescale: number;
  /** In `timescale` units. */
  duration: number;
  /** ISO 639-2/T code ('und'). */
  language: string;
}

/** pad, then the ISO 639-2/T code as three letters of 5 bits (each + 0x60). */
const LANGUAGE_BITS = [['pad', 1], ['language[0]', 5], ['language[1]', 5], ['language[2]', 5]] as const;

export const mdhd = defineBox({
  type: 'mdhd',
  name: 'MediaHeaderBox',
  full: true,
  parse(r, ctx): MediaHeaderFields {
    const version = ctx.version;
    const creationTime = r.uv(version, 'creation_time');
    const modificationTime = r.uv(version, 'modification_time');
    const timescaleAt = r.offset;
    const timescale = r.u32('timescale');
    if (timescale === 0 && !r.overrun) ctx.issue('error', 'MDHD_TIMESCALE_ZERO', 'mdhd timescale is 0 units per second: none of the track\'s times can be turned into seconds', timescaleAt);
    const duration = r.uv(version, 'duration');
    const packed = r.u16();
    r.split(packed, 16, LANGUAGE_BITS);
    const language = String.fromCharCode(
      ((packed >> 10) & 0x1f) + 0x60,
      ((packed >> 5) & 0x1f) + 0x60,
      (packed & 0x1f) + 0x60,
    );
    r.skip(2, 'pre_defined');
    return { creationTime, modificationTime, timescale, duration, language };
  },
});
