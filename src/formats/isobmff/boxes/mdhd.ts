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

export const mdhd = defineBox({
  type: 'mdhd',
  name: 'MediaHeaderBox',
  full: true,
  parse(r, { version }): MediaHeaderFields {
    const creationTime = r.uv(version);
    const modificationTime = r.uv(version);
    const timescale = r.u32();
    const duration = r.uv(version);
    const packed = r.u16();
    const language = String.fromCharCode(
      ((packed >> 10) & 0x1f) + 0x60,
      ((packed >> 5) & 0x1f) + 0x60,
      (packed & 0x1f) + 0x60,
    );
    return { creationTime, modificationTime, timescale, duration, language };
  },
});
