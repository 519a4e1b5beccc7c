import { defineBox } from './define';

export interface VideoMediaHeaderFields {
  graphicsMode: number;
  opcolor: [number, number, number];
}

export const vmhd = defineBox({
  type: 'vmhd',
  name: 'VideoMediaHeaderBox',
  full: true,
  parse(r): VideoMediaHeaderFields {
    return { graphicsMode: r.u16(), opcolor: [r.u16(), r.u16(), r.u16()] };
  },
});

export interface SoundMediaHeaderFields {
  balance: number;
}

export const smhd = defineBox({
  type: 'smhd',
  name: 'SoundMediaHeaderBox',
  full: true,
  parse(r): SoundMediaHeaderFields {
    return { balance: r.fixed8() };
  },
});

export const nmhd = defineBox({ type: 'nmhd', name: 'NullMediaHeaderBox', full: true, parse: () => ({}) });
export const sthd = defineBox({ type: 'sthd', name: 'SubtitleMediaHeaderBox', full: true, parse: () => ({}) });
